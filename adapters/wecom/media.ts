/**
 * Photos and files people send the self-built app (issue #18): an `image` (or `file`) callback
 * carries a MediaId, and GET /cgi-bin/media/get?access_token&media_id answers the bytes (valid 3 days
 * after the message; a JSON errcode instead when not: 40007 invalid media_id, 40014/42001 token).
 * Read only up to the service's limit.
 */
import { readLimited } from '../../src/core/attachments.js'
import { MediaTooLargeError, type FetchedMedia, type InboundAttachment, type MediaSource } from '../../src/core/types.js'
import type { AccessToken } from './api.js'

/** An attachment's ref from the app: the media id (the intelligent bot's are `url:`, see bot-media.ts). */
export const APP_MEDIA = 'media:'

/** The attachments of an app callback (image: MediaId and PicUrl; file: MediaId and FileName where WeCom gives them). */
export function appAttachments(type: string, f: Map<string, string>): InboundAttachment[] {
  const mediaId = f.get('MediaId')?.trim()
  if (!mediaId || mediaId.length > 512) return []
  if (type === 'image') return [{ kind: 'image', ref: `${APP_MEDIA}${mediaId}` }]
  if (type === 'file') {
    const name = f.get('FileName') ?? f.get('Title')
    const size = Number(f.get('FileSize'))
    return [{ kind: 'file', ref: `${APP_MEDIA}${mediaId}`, ...(name ? { name } : {}), ...(Number.isFinite(size) && size > 0 ? { size } : {}) }]
  }
  return []
}

/** The file name in a Content-Disposition header (filename*=UTF-8'' first, then filename=). */
export function dispositionName(header: string | null): string | undefined {
  if (!header) return undefined
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header)
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim())
    } catch {
      // fall through to the plain name
    }
  }
  return /filename\s*=\s*"?([^";]+)"?/i.exec(header)?.[1]?.trim()
}

/** Fetches an app media id with the app's access token (renewed once when WeCom says it is invalid or expired). */
export async function fetchAppMedia(apiBase: string, token: AccessToken, mediaId: string, maxBytes: number, timeoutMs = 30_000): Promise<FetchedMedia> {
  for (let attempt = 0; ; attempt++) {
    const value = await token.get()
    const res = await fetch(`${apiBase}/cgi-bin/media/get?access_token=${encodeURIComponent(value)}&media_id=${encodeURIComponent(mediaId)}`, {
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!res.ok) throw new Error(`WeCom media/get answered HTTP ${res.status}`)
    const type = res.headers.get('content-type') ?? ''
    if (/json|text\/plain/i.test(type)) {
      const reply = (await res.json().catch(() => ({}))) as { errcode?: number; errmsg?: string }
      if ((reply.errcode === 40014 || reply.errcode === 42001) && attempt === 0) {
        token.invalidate(value)
        continue
      }
      throw new Error(`WeCom media/get: errcode ${reply.errcode ?? '?'} ${String(reply.errmsg ?? '').slice(0, 200)}`)
    }
    const length = Number(res.headers.get('content-length'))
    if (Number.isFinite(length) && length > maxBytes) {
      await res.body?.cancel()
      throw new MediaTooLargeError(`content-length ${length}`)
    }
    if (!res.body) throw new Error('WeCom media/get answered no body')
    const name = dispositionName(res.headers.get('content-disposition'))
    return { bytes: await readLimited(res.body, maxBytes), mime: type.split(';')[0]!.trim(), ...(name ? { name } : {}) }
  }
}

/** Where WeCom attachments are fetched from: the app's media ids, the intelligent bot's encrypted URLs. */
export interface WecomMediaChannels {
  app: { fetchMedia(mediaId: string, maxBytes: number): Promise<FetchedMedia> } | null
  bot?: { fetchMedia(url: string, maxBytes: number): Promise<FetchedMedia> } | null
}

/** The adapter's MediaSource: picks the channel by the ref's prefix. */
export function wecomMedia(channels: WecomMediaChannels): MediaSource {
  return {
    async fetch(_msg, attachment, maxBytes) {
      if (attachment.ref.startsWith(APP_MEDIA) && channels.app) return channels.app.fetchMedia(attachment.ref.slice(APP_MEDIA.length), maxBytes)
      if (attachment.ref.startsWith(BOT_MEDIA) && channels.bot) return channels.bot.fetchMedia(attachment.ref.slice(BOT_MEDIA.length), maxBytes)
      throw new Error('WeCom: no channel configured for this attachment')
    },
  }
}

/** An attachment's ref from the intelligent bot: its (encrypted) image URL. */
export const BOT_MEDIA = 'url:'
