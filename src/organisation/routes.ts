import type { FastifyInstance } from 'fastify'
import { requireRoles } from '../auth/tokens.js'
import type { Db } from '../db/client.js'
import { importRosterBuffer } from './roster.js'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/**
 * Organisation API. POST /api/v1/roster/import takes the roster file itself as the body
 * (Content-Type text/csv or the XLSX type) and answers the counts, or 422 with every rejected
 * row — in which case nothing was imported.
 */
export async function organisationRoutes(app: FastifyInstance, opts: { db: Db }): Promise<void> {
  const { db } = opts
  app.addContentTypeParser(['text/csv', XLSX, 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) => done(null, body))

  app.post('/api/v1/roster/import', { preHandler: requireRoles(db, ['admin']) }, async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim()
    if (!Buffer.isBuffer(req.body) || (type !== 'text/csv' && type !== XLSX && type !== 'application/octet-stream')) {
      return reply.code(415).send({ error: { code: 'unsupported_media_type', message: `请上传花名册文件本身：Content-Type 为 text/csv 或 ${XLSX}` } })
    }
    const format = type === 'text/csv' ? 'csv' : 'xlsx'
    const outcome = await importRosterBuffer(db, req.body, format)
    if (!outcome.ok) return reply.code(422).send({ error: { code: 'rows_rejected', message: `有 ${outcome.rejected.length} 行不正确，未导入任何数据`, rejected: outcome.rejected } })
    return outcome.result
  })
}
