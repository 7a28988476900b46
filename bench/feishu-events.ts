import crypto from 'node:crypto'

/**
 * Feishu event bodies as the platform sends them: v2 schema, encrypted with the app's encrypt
 * key (AES-256-CBC, key = sha256(encryptKey), random IV prefixed, base64) and signed
 * (sha256 hex of timestamp + nonce + encryptKey + body). Written from the documented scheme,
 * not with the adapter's helpers.
 */
export function encryptFeishu(encryptKey: string, plaintext: string): string {
  const key = crypto.createHash('sha256').update(encryptKey).digest()
  const iv = crypto.randomBytes(16)
  const cipher = crypto.createCipheriv('aes-256-cbc', key, iv)
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64')
}

export function decryptFeishu(encryptKey: string, encrypted: string): string {
  const key = crypto.createHash('sha256').update(encryptKey).digest()
  const data = Buffer.from(encrypted, 'base64')
  const decipher = crypto.createDecipheriv('aes-256-cbc', key, data.subarray(0, 16))
  return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8')
}

export function signFeishu(encryptKey: string, timestamp: string, nonce: string, body: string): string {
  return crypto.createHash('sha256').update(timestamp + nonce + encryptKey + body).digest('hex')
}

export interface SignedRequest {
  body: string
  headers: Record<string, string>
}

export function messageEvent(o: { appId: string; encryptKey: string; openId: string; chatId: string; chatType: 'group' | 'p2p'; text: string; eventId?: string; messageId?: string }): SignedRequest {
  const eventId = o.eventId ?? crypto.randomUUID()
  const payload = {
    schema: '2.0',
    header: { event_id: eventId, event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: '', app_id: o.appId, tenant_key: 'bench' },
    event: {
      sender: { sender_id: { open_id: o.openId, union_id: `on_${o.openId}`, user_id: o.openId }, sender_type: 'user', tenant_key: 'bench' },
      message: {
        message_id: o.messageId ?? `om_${eventId.replace(/-/g, '')}`,
        create_time: String(Date.now()),
        chat_id: o.chatId,
        chat_type: o.chatType,
        message_type: 'text',
        content: JSON.stringify({ text: o.text }),
        mentions: [],
      },
    },
  }
  const body = JSON.stringify({ encrypt: encryptFeishu(o.encryptKey, JSON.stringify(payload)) })
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = crypto.randomBytes(8).toString('hex')
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signFeishu(o.encryptKey, timestamp, nonce, body),
    },
  }
}

/** Posts requests with a fixed concurrency; returns each one's time to answer (ms) and the statuses seen. */
export async function drive(url: string, requests: SignedRequest[], concurrency: number): Promise<{ latencies: number[]; statuses: Map<number, number>; seconds: number }> {
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  let next = 0
  const started = performance.now()
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++]!
      const t0 = performance.now()
      const res = await fetch(url, { method: 'POST', headers: r.headers, body: r.body })
      await res.arrayBuffer()
      latencies.push(performance.now() - t0)
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { latencies: latencies.sort((a, b) => a - b), statuses, seconds: (performance.now() - started) / 1000 }
}
