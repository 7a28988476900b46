import crypto from 'node:crypto'

/** How far a request's timestamp may be from our clock before it is refused as a replay. */
export const MAX_SKEW_MS = 5 * 60 * 1000

export type SignatureCheck = 'ok' | 'missing' | 'bad' | 'stale'

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/**
 * Checks Feishu's request signature: hex sha256 of timestamp + nonce + encryptKey followed by the
 * raw body bytes, in `x-lark-signature`. The SDK hashes JSON.stringify of the parsed body instead,
 * which differs from the bytes sent whenever Feishu's JSON is not byte-identical to a re-serialisation,
 * so the raw body is used here.
 */
export function checkSignature(headers: Record<string, string | string[] | undefined>, rawBody: Buffer, encryptKey: string, nowMs: number): SignatureCheck {
  const timestamp = header(headers, 'x-lark-request-timestamp')
  const nonce = header(headers, 'x-lark-request-nonce')
  const signature = header(headers, 'x-lark-signature')
  if (timestamp === undefined && nonce === undefined && signature === undefined) return 'missing'
  if (!timestamp || nonce === undefined || !signature) return 'bad'
  const expected = crypto
    .createHash('sha256')
    .update(timestamp + nonce + encryptKey, 'utf8')
    .update(rawBody)
    .digest()
  const given = Buffer.from(signature, 'hex')
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'bad'
  // Only a request we know came from Feishu can be stale; a forgery is refused as such first.
  if (!/^\d{1,12}$/.test(timestamp)) return 'bad'
  if (Math.abs(nowMs - Number(timestamp) * 1000) > MAX_SKEW_MS) return 'stale'
  return 'ok'
}

/** Decrypts `{"encrypt": base64(IV16 ‖ AES-256-CBC(plaintext))}` with key sha256(encryptKey), PKCS7. Throws on anything malformed. */
export function decryptEvent(encrypt: string, encryptKey: string): string {
  const data = Buffer.from(encrypt, 'base64')
  if (data.length < 32 || (data.length - 16) % 16 !== 0) throw new Error('encrypted body has the wrong length')
  const key = crypto.createHash('sha256').update(encryptKey, 'utf8').digest()
  const decipher = crypto.createDecipheriv('aes-256-cbc', key, data.subarray(0, 16))
  const plain = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()])
  return plain.toString('utf8')
}

const refKey = (secret: string) => crypto.createHash('sha256').update(`gongyou/feishu-card-ref/${secret}`, 'utf8').digest()

/**
 * Seals an outbox key for a card button (AES-256-GCM under a key derived from the app secret): the
 * key names the inbound event that caused the card, which must not be readable in a card's JSON
 * (an anonymous request's), and a press must not be able to point at another message.
 */
export function sealRef(plain: string, secret: string): string {
  const iv = crypto.randomBytes(12)
  const cipher = crypto.createCipheriv('aes-256-gcm', refKey(secret), iv)
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')
}

/** The key sealed by sealRef, or null for anything else. */
export function openRef(sealed: string, secret: string): string | null {
  try {
    const data = Buffer.from(sealed, 'base64url')
    if (data.length < 29) return null
    const decipher = crypto.createDecipheriv('aes-256-gcm', refKey(secret), data.subarray(0, 12))
    decipher.setAuthTag(data.subarray(12, 28))
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8')
  } catch {
    return null
  }
}
