/**
 * Photos and files on Feishu: which a received message carries (`image`, `file`, and the images of a
 * `post`), and how their bytes are fetched — GET /open-apis/im/v1/messages/:message_id/resources/:file_key
 * ?type=image|file through the SDK (im.messageResource.get; permission im:resource, the bot in the chat,
 * at most 100 MB), read only up to the service's limit.
 */
import type * as lark from '@larksuiteoapi/node-sdk'
import { z } from 'zod'
import { readLimited } from '../../src/core/attachments.js'
import { MediaTooLargeError, type InboundAttachment, type MediaSource } from '../../src/core/types.js'

const imageContent = z.object({ image_key: z.string().min(1).max(200) })
const fileContent = z.object({ file_key: z.string().min(1).max(200), file_name: z.string().max(500).optional() })

/** The attachments of a received message's content; none for other types or content that does not parse. */
export function feishuAttachments(messageType: string, content: string): InboundAttachment[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(content)
  } catch {
    return []
  }
  if (messageType === 'image') {
    const c = imageContent.safeParse(parsed)
    return c.success ? [{ kind: 'image', ref: c.data.image_key }] : []
  }
  if (messageType === 'file') {
    const c = fileContent.safeParse(parsed)
    return c.success ? [{ kind: 'file', ref: c.data.file_key, ...(c.data.file_name ? { name: c.data.file_name } : {}) }] : []
  }
  if (messageType === 'post') return postImages(parsed)
  return []
}

/** The `img` nodes of a post (received as { title, content: [[node…]…] }, or wrapped in a locale). */
function postImages(parsed: unknown): InboundAttachment[] {
  if (typeof parsed !== 'object' || parsed === null) return []
  const obj = parsed as Record<string, unknown>
  const post = Array.isArray(obj.content)
    ? obj
    : Object.values(obj).find((v) => typeof v === 'object' && v !== null && Array.isArray((v as { content?: unknown }).content))
  const paragraphs = (post as { content?: unknown } | undefined)?.content
  if (!Array.isArray(paragraphs)) return []
  const out: InboundAttachment[] = []
  for (const p of paragraphs)
    for (const node of Array.isArray(p) ? p : []) {
      const img = z.object({ tag: z.literal('img'), image_key: z.string().min(1).max(200) }).safeParse(node)
      if (img.success) out.push({ kind: 'image', ref: img.data.image_key })
    }
  return out
}

/** Fetches a message's resource through the SDK; the message id is the event id the adapter gave it. */
export function feishuMedia(client: lark.Client): MediaSource {
  return {
    async fetch(msg, attachment, maxBytes) {
      const res = await client.im.messageResource.get({
        params: { type: attachment.kind === 'image' ? 'image' : 'file' },
        path: { message_id: msg.eventId, file_key: attachment.ref },
      })
      const length = Number((res.headers as Record<string, unknown> | undefined)?.['content-length'])
      const stream = res.getReadableStream()
      if (Number.isFinite(length) && length > maxBytes) {
        stream.destroy()
        throw new MediaTooLargeError(`content-length ${length}`)
      }
      const type = String((res.headers as Record<string, unknown> | undefined)?.['content-type'] ?? '')
      return { bytes: await readLimited(stream, maxBytes), ...(type ? { mime: type.split(';')[0]!.trim() } : {}) }
    },
  }
}
