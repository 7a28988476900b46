/**
 * Photos and files people send (issue #18): fetched through the adapter's MediaSource before the
 * event's transaction (a platform call never holds the database), then checked here — the type by
 * the bytes themselves (images and PDF; a name or a declared type proves nothing) and the size
 * against ATTACHMENT_MAX_BYTES. What a feature does with them is its own business (the requests
 * feature joins them to a request, src/requests/attachments.ts).
 */
import crypto from 'node:crypto'
import type { CommandContext, ReceivedFile } from './commands.js'
import { MediaTooLargeError, type InboundAttachment, type InboundMessage, type MediaSource } from './types.js'

/** At most this many attachments of one message are fetched (a Feishu post may carry many images). */
export const MAX_ATTACHMENTS = 9

/** The types taken, told by their first bytes. */
const SIGNATURES: { mime: string; test: (b: Buffer) => boolean }[] = [
  { mime: 'image/jpeg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: 'image/gif', test: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')) },
  { mime: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
  { mime: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
]

/** The type of these bytes when it is one the service takes (images and PDF), else null. */
export function sniffMime(bytes: Buffer): string | null {
  return SIGNATURES.find((s) => s.test(bytes))?.mime ?? null
}

/** What the core needs to fetch attachments: the adapters' media sources and the limits. */
export interface AttachmentSettings {
  maxBytes: number
  /** The MediaSource of a platform, when its adapter has one. */
  media(platform: InboundMessage['platform']): MediaSource | undefined
  /** What a feature does with a message's files no command took (the requests feature: join, or offer). */
  receive(ctx: CommandContext, files: ReceivedFile[]): Promise<void>
}

/** A file name as shown and sent back in Content-Disposition: no path, no control characters, not too long. */
export function cleanName(name: string | undefined): string | null {
  if (!name) return null
  const base = name.split(/[\\/]/).pop() ?? ''
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim()
  return clean ? Array.from(clean).slice(-120).join('') : null
}

/**
 * Fetches and checks the attachments of a private message. A fetch that fails is thrown while
 * `retry` (the event is handled again later, nothing lost); after that it is reported as failed.
 */
export async function fetchAttachments(msg: InboundMessage, settings: AttachmentSettings, retry: boolean): Promise<ReceivedFile[]> {
  const source = settings.media(msg.platform)
  const out: ReceivedFile[] = []
  for (const a of (msg.attachments ?? []).slice(0, MAX_ATTACHMENTS)) out.push(await fetchOne(msg, a, source, settings.maxBytes, retry))
  return out
}

async function fetchOne(msg: InboundMessage, a: InboundAttachment, source: MediaSource | undefined, maxBytes: number, retry: boolean): Promise<ReceivedFile> {
  const name = cleanName(a.name)
  const refused = (reason: 'type' | 'size' | 'failed'): ReceivedFile => ({ ok: false, kind: a.kind, name, reason })
  if (a.size !== undefined && a.size > maxBytes) return refused('size')
  if (!source) return refused('failed')
  let fetched: Awaited<ReturnType<MediaSource['fetch']>>
  try {
    fetched = await source.fetch(msg, a, maxBytes)
  } catch (error) {
    if (error instanceof MediaTooLargeError) return refused('size')
    if (retry) throw error
    return refused('failed')
  }
  if (fetched.bytes.length > maxBytes) return refused('size')
  const mime = sniffMime(fetched.bytes)
  if (!mime) return refused('type')
  return {
    ok: true,
    kind: mime.startsWith('image/') ? 'image' : 'file',
    name: name ?? cleanName(fetched.name),
    mime,
    size: fetched.bytes.length,
    sha256: crypto.createHash('sha256').update(fetched.bytes).digest('hex'),
    bytes: fetched.bytes,
  }
}

/**
 * Reads a download up to `maxBytes`: past it the stream is dropped (nothing more is read) and
 * MediaTooLargeError thrown. For adapters whose platform answers with a stream.
 */
export async function readLimited(stream: AsyncIterable<Buffer | Uint8Array | string>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk)
    total += b.length
    // Leaving the loop by throwing ends the iterator, which destroys the stream.
    if (total > maxBytes) throw new MediaTooLargeError(`larger than ${maxBytes} bytes`)
    chunks.push(b)
  }
  return Buffer.concat(chunks)
}
