/**
 * Photos and files people send the intelligent bot (issue #18): an `image` or `file` message, or the
 * images of a `mixed` one, carries a download URL valid five minutes whose bytes are encrypted —
 * AES-256-CBC, the IV the key's first 16 bytes, PKCS#7 padded to 32 — with the message's own `aeskey`
 * (long connection) or else the bot's EncodingAESKey (callback). Decrypted with the official SDK's
 * decryptFile. The URL comes in an authenticated payload; it is fetched only over https (or from
 * WECOM_API_BASE, where the fake platform of the tests serves it).
 */
import { decryptFile } from '@wecom/aibot-node-sdk'
import { z } from 'zod'
import { readLimited } from '../../src/core/attachments.js'
import { MediaTooLargeError, type FetchedMedia, type InboundAttachment } from '../../src/core/types.js'
import { BOT_MEDIA, dispositionName } from './media.js'

const media = z.object({ url: z.string().min(1).max(4096), aeskey: z.string().max(200).optional() }).passthrough()
const ref = z.object({ u: z.string(), k: z.string().optional() })

function attachment(kind: 'image' | 'file', m: unknown): InboundAttachment[] {
  const parsed = media.safeParse(m)
  if (!parsed.success) return []
  return [{ kind, ref: `${BOT_MEDIA}${JSON.stringify({ u: parsed.data.url, ...(parsed.data.aeskey ? { k: parsed.data.aeskey } : {}) })}` }]
}

/** The attachments of a bot payload (image, file, and the images of mixed). */
export function botAttachments(p: {
  msgtype: string
  image?: unknown
  file?: unknown
  mixed?: { msg_item?: { msgtype: string; image?: unknown }[] }
}): InboundAttachment[] {
  if (p.msgtype === 'image') return attachment('image', p.image)
  if (p.msgtype === 'file') return attachment('file', p.file)
  if (p.msgtype === 'mixed') return (p.mixed?.msg_item ?? []).flatMap((i) => (i.msgtype === 'image' ? attachment('image', i.image) : []))
  return []
}

/** Fetches and decrypts a bot attachment; `encodingAesKey` is the bot's (callback mode), used when the message carries no key. */
export async function fetchBotMedia(refText: string, maxBytes: number, encodingAesKey: string | undefined, apiOrigin: string): Promise<FetchedMedia> {
  const { u, k } = ref.parse(JSON.parse(refText))
  const url = new URL(u)
  if (url.protocol !== 'https:' && url.origin !== apiOrigin) throw new Error('WeCom bot media URL is neither https nor on WECOM_API_BASE')
  const key = k ?? (encodingAesKey ? `${encodingAesKey}=` : undefined)
  if (!key) throw new Error('WeCom bot media: no key to decrypt it')
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) })
  if (!res.ok || !res.body) throw new Error(`WeCom bot media answered HTTP ${res.status}`)
  // The ciphertext is the plaintext padded to 32 bytes at most.
  const limit = maxBytes + 32
  const length = Number(res.headers.get('content-length'))
  if (Number.isFinite(length) && length > limit) {
    await res.body.cancel()
    throw new MediaTooLargeError(`content-length ${length}`)
  }
  const bytes = decryptFile(await readLimited(res.body, limit), key)
  if (bytes.length > maxBytes) throw new MediaTooLargeError(`${bytes.length} bytes`)
  const name = dispositionName(res.headers.get('content-disposition'))
  return { bytes, ...(name ? { name } : {}) }
}
