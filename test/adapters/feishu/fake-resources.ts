import type { FakeFeishu } from './fake-feishu.js'

/** A photo or file in a message, as Feishu keeps it. */
export interface Resource {
  type: 'image' | 'file'
  bytes: Buffer
  mime: string
}

/**
 * GET /open-apis/im/v1/messages/:message_id/resources/:file_key?type=image|file, as documented: the
 * tenant token checked (99991663); `type` required and matching the resource (234001 Invalid request
 * param); the key must belong to that message (234003 File not in msg); the bot in the chat (234004);
 * at most 100 MB (234037); the bytes answered with their Content-Type and Content-Length.
 */
export function serveResources(fake: FakeFeishu): void {
  fake.app.get('/open-apis/im/v1/messages/:message_id/resources/:file_key', async (req, reply) => {
    if (!fake.authorised(req, reply, 'GET')) return reply
    const { message_id, file_key } = req.params as { message_id: string; file_key: string }
    const type = (req.query as { type?: string }).type
    const resource = fake.resources.get(message_id)?.get(file_key)
    if (type !== 'image' && type !== 'file') return fake.refuse(req, reply, 400, 234001, 'Invalid request param.')
    if (!resource) return fake.refuse(req, reply, 400, 234003, 'File not in msg.')
    if (resource.type !== type) return fake.refuse(req, reply, 400, 234001, 'Invalid request param.')
    const chat = fake.peopleMessages.get(message_id)?.chat_id
    if (chat && fake.chatsWithoutBot.has(chat)) return fake.refuse(req, reply, 400, 234004, 'App not in chat.')
    if (resource.bytes.length > 100 * 1024 * 1024) return fake.refuse(req, reply, 400, 234037, 'Downloaded file size exceeds limit.')
    fake.resourceDownloads.push({ message_id, file_key, type })
    return reply.header('content-type', resource.mime).header('content-length', resource.bytes.length).send(resource.bytes)
  })
}

/** Puts a resource in a message (the test's side of a person sending a photo or a file). */
export function addResource(fake: FakeFeishu, messageId: string, fileKey: string, resource: Resource): void {
  const inMessage = fake.resources.get(messageId) ?? new Map<string, Resource>()
  inMessage.set(fileKey, resource)
  fake.resources.set(messageId, inMessage)
}
