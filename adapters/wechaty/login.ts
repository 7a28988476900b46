import QRCode from 'qrcode'

export type LoginStatus = 'starting' | 'waiting' | 'scanned' | 'confirmed' | 'timeout' | 'cancelled' | 'logged_in' | 'logged_out' | 'failed' | 'stopped'

/** The login as the operator needs to see it (GET /status/wechaty/qr). */
export interface LoginState {
  status: LoginStatus
  /** The login QR code's content while one is waiting to be scanned. */
  qrcode: string | null
  /** An image of it, drawn on this server (a data: URL for the dashboard; nothing goes to a third party). */
  qrDataUrl: string | null
  /** The logged-in account's name. */
  user: string | null
  reason: string | null
  since: string
}

/** The adapter's status line for the operator, from the login state. */
export function describeLogin(s: LoginState): { connected: boolean; detail?: string } {
  switch (s.status) {
    case 'logged_in':
      return { connected: true, detail: `logged in as ${s.user ?? '?'}` }
    case 'waiting':
    case 'timeout':
      return { connected: false, detail: `waiting for the login QR code to be scanned (see the terminal, or GET /status/wechaty/qr) since ${s.since}` }
    case 'scanned':
    case 'confirmed':
      return { connected: false, detail: 'QR code scanned; waiting for the login to be confirmed on the phone' }
    case 'logged_out':
      return { connected: false, detail: `logged out${s.reason ? ` (${s.reason})` : ''} at ${s.since}; waiting for a new login` }
    case 'failed':
      return { connected: false, detail: `failed to start: ${s.reason ?? 'unknown error'}` }
    default:
      return { connected: false, detail: s.status }
  }
}

/** Draws the login QR code in the terminal, locally (the bundled qrcode package); nothing leaves the server. */
export async function printQr(qrcode: string): Promise<void> {
  const art = await QRCode.toString(qrcode, { type: 'terminal', small: true }).catch(() => '')
  process.stderr.write(`\n${art}\n微信扫码登录工友机器人 / Scan with WeChat to log the bot in (or open GET /status/wechaty/qr as an administrator)\n\n`)
}
