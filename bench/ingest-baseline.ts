// The ingest baseline: bare fastify doing what the webhook must do at the least — check the
// signature over the raw body, decrypt, parse, and one insert of the event — and nothing else.
import crypto from 'node:crypto'
import Fastify from 'fastify'
import { isUniqueViolation, openDatabase } from '../src/db/client.js'

const encryptKey = process.env.FEISHU_ENCRYPT_KEY!

function decryptFeishu(key: string, encrypted: string): string {
  const data = Buffer.from(encrypted, 'base64')
  const decipher = crypto.createDecipheriv('aes-256-cbc', crypto.createHash('sha256').update(key).digest(), data.subarray(0, 16))
  return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8')
}
const db = openDatabase(process.env.DATABASE_URL!)
const app = Fastify()
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
app.get('/readyz', async () => ({ ready: true }))
app.post('/webhooks/feishu', async (req, reply) => {
  const raw = req.body as Buffer
  const h = req.headers
  const expected = crypto.createHash('sha256').update(`${h['x-lark-request-timestamp']}${h['x-lark-request-nonce']}${encryptKey}`).update(raw).digest('hex')
  if (expected !== h['x-lark-signature']) return reply.code(401).send()
  const event = JSON.parse(decryptFeishu(encryptKey, (JSON.parse(raw.toString('utf8')) as { encrypt: string }).encrypt)) as { header: { event_id: string } }
  try {
    await db.inboundEvent.create({ data: { platform: 'feishu', eventId: event.header.event_id, payload: JSON.stringify(event) } })
  } catch (error) {
    // A redelivery (same event id) is answered like the first delivery.
    if (!isUniqueViolation(error)) throw error
  }
  return {}
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => db.$disconnect())
      .then(() => process.exit(0)),
)
