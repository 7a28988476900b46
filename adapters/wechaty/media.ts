/**
 * Photos and files people send the WeChat account (issue #18): Image and Attachment messages. The
 * puppet keeps the message; its bytes come from `message.toFileBox()` (Wechaty's own way, whatever
 * the puppet), read as a stream only up to the service's limit.
 */
import { types, type Message, type Wechaty } from 'wechaty'
import { readLimited } from '../../src/core/attachments.js'
import { MediaTooLargeError, type InboundAttachment, type MediaSource } from '../../src/core/types.js'

/** The message types the adapter takes: text, and photos and files. */
export const TAKEN_TYPES = new Set<number>([types.Message.Text, types.Message.Image, types.Message.Attachment])

/** A photo or file message's attachment (its ref is the message id); none for text. */
export function wechatyAttachments(msg: Message): InboundAttachment[] {
  if (msg.type() === types.Message.Image) return [{ kind: 'image', ref: msg.id }]
  if (msg.type() === types.Message.Attachment) return [{ kind: 'file', ref: msg.id }]
  return []
}

export function wechatyMedia(bot: () => Wechaty): MediaSource {
  return {
    async fetch(_msg, attachment, maxBytes) {
      const message = await bot().Message.find({ id: attachment.ref })
      if (!message) throw new Error('wechaty: the message is gone from the puppet')
      const box = await message.toFileBox()
      if (box.size > maxBytes) throw new MediaTooLargeError(`${box.size} bytes`)
      const bytes = await readLimited(await box.toStream(), maxBytes)
      return { bytes, ...(box.name ? { name: box.name } : {}), ...(box.mediaType ? { mime: box.mediaType } : {}) }
    },
  }
}
