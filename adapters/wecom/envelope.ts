import crypto from 'node:crypto'
import { encrypt, getSignature } from '@wecom/crypto'
import { z } from 'zod'

/**
 * WeCom's callback envelope (加解密方案), shared by the self-built app and the intelligent bot:
 * msg_signature = sha1 of the sorted token, timestamp, nonce and ciphertext; the ciphertext is
 * AES-256-CBC with key = base64(EncodingAESKey + "="), IV = its first 16 bytes, PKCS#7 padded
 * to 32 bytes, over random(16) ‖ length(4, big-endian) ‖ message ‖ receiveid. The receiveid is
 * the CorpID for an app and "" for an enterprise's own intelligent bot.
 */

/** A callback refused: 400 for a malformed one, 401 for a stale one, 403 for a forgery or one meant for someone else. */
export class CallbackRejected extends Error {
  override name = 'CallbackRejected'
  constructor(
    readonly status: 400 | 401 | 403,
    message: string,
  ) {
    super(message)
  }
}

export interface EnvelopeKeys {
  token: string
  encodingAesKey: string
  /** What the decrypted receiveid must be: the CorpID, or "" for the intelligent bot. */
  receiveId: string
}

const signed = z.object({
  msg_signature: z.string().regex(/^[0-9a-fA-F]{40}$/),
  timestamp: z.string().regex(/^\d{1,13}$/),
  nonce: z.string().min(1).max(128),
})
export type SignedQuery = z.infer<typeof signed>

/** The signature parameters of a callback's query string; 400 when absent or malformed. */
export function signedQuery(query: unknown): SignedQuery {
  const parsed = signed.safeParse(query ?? {})
  if (!parsed.success) throw new CallbackRejected(400, 'missing or malformed msg_signature, timestamp or nonce')
  return parsed.data
}

/** The echostr of a URL verification (GET) request; 400 when absent. */
export function echoQuery(query: unknown): SignedQuery & { echostr: string } {
  const q = signedQuery(query)
  const echostr = (query as { echostr?: unknown }).echostr
  if (typeof echostr !== 'string' || echostr.length === 0 || echostr.length > 4096) throw new CallbackRejected(400, 'missing echostr')
  return { ...q, echostr }
}

function verify(keys: EnvelopeKeys, q: SignedQuery, ciphertext: string): void {
  const expected = Buffer.from(getSignature(keys.token, q.timestamp, q.nonce, ciphertext), 'utf8')
  const given = Buffer.from(q.msg_signature.toLowerCase(), 'utf8')
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) throw new CallbackRejected(403, 'signature does not match')
}

/** Decrypts strictly (padding, length and framing checked); null when the ciphertext is not well formed. */
function decrypt(encodingAesKey: string, ciphertext: string): { message: string; receiveId: string } | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(ciphertext)) return null
  const data = Buffer.from(ciphertext, 'base64')
  if (data.length === 0 || data.length % 16 !== 0) return null
  const key = Buffer.from(`${encodingAesKey}=`, 'base64')
  let plain: Buffer
  try {
    const decipher = crypto.createDecipheriv('aes-256-cbc', key, key.subarray(0, 16))
    decipher.setAutoPadding(false)
    plain = Buffer.concat([decipher.update(data), decipher.final()])
  } catch {
    return null
  }
  const pad = plain[plain.length - 1]!
  if (pad < 1 || pad > 32 || pad > plain.length) return null
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) return null
  const body = plain.subarray(0, plain.length - pad)
  if (body.length < 20) return null
  const length = body.readUInt32BE(16)
  if (20 + length > body.length) return null
  return { message: body.subarray(20, 20 + length).toString('utf8'), receiveId: body.subarray(20 + length).toString('utf8') }
}

/** How far a callback's timestamp may be from our clock, either way (as for Feishu): a replay older than this is refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000

function fresh(q: SignedQuery, nowMs: number): void {
  const sentMs = Number(q.timestamp) * 1000
  if (!Number.isFinite(sentMs) || Math.abs(nowMs - sentMs) > MAX_CLOCK_SKEW_MS) throw new CallbackRejected(401, 'timestamp is not within 5 minutes of now')
}

/**
 * Checks a callback's signature and freshness, decrypts it and checks whom it was meant for.
 * Throws CallbackRejected: 403 for a bad signature or a foreign receiveid, 401 for a timestamp
 * more than 5 minutes away, 400 for undecryptable data.
 */
export function openEnvelope(keys: EnvelopeKeys, q: SignedQuery, ciphertext: string, nowMs = Date.now()): string {
  verify(keys, q, ciphertext)
  fresh(q, nowMs)
  const opened = decrypt(keys.encodingAesKey, ciphertext)
  if (!opened) throw new CallbackRejected(400, 'ciphertext cannot be decrypted')
  if (opened.receiveId !== keys.receiveId) throw new CallbackRejected(403, 'receiveid does not match')
  return opened.message
}

/** An encrypted passive reply of the intelligent bot (the HTTP answer to its callback), as WeCom expects it. */
export interface SealedReply {
  encrypt: string
  msgsignature: string
  timestamp: number
  nonce: string
}

/** Encrypts and signs `message` for WeCom, the same scheme in the other direction (receiveid: keys.receiveId). */
export function sealEnvelope(keys: EnvelopeKeys, message: string, nowMs = Date.now()): SealedReply {
  const ciphertext = encrypt(keys.encodingAesKey, message, keys.receiveId)
  const timestamp = Math.floor(nowMs / 1000)
  const nonce = crypto.randomBytes(8).toString('hex')
  return { encrypt: ciphertext, msgsignature: getSignature(keys.token, timestamp, nonce, ciphertext), timestamp, nonce }
}

/** The fields of WeCom's flat callback XML (`<xml><Tag><![CDATA[…]]></Tag>…</xml>`); null when it is not that. */
export function parseFlatXml(xml: unknown): Map<string, string> | null {
  if (typeof xml !== 'string') return null
  const body = xml.trim()
  if (!body.startsWith('<xml>') || !body.endsWith('</xml>')) return null
  const fields = new Map<string, string>()
  const re = /<([A-Za-z][A-Za-z0-9_]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g
  for (const m of body.slice(5, -6).matchAll(re)) {
    if (!fields.has(m[1]!)) fields.set(m[1]!, m[2] ?? decodeEntities(m[3] ?? ''))
  }
  return fields
}

function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!)
}
