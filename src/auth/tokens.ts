import crypto from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Asker, AskerRole } from '../core/commands.js'
import type { Db } from '../db/client.js'

/** Admin API tokens: random, shown once, stored as a sha256 hash, bound to a person. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex')
}

export async function issueToken(db: Db, personId: number, opts: { label?: string; expiresAt?: Date } = {}): Promise<string> {
  const token = `gy_${crypto.randomBytes(32).toString('base64url')}`
  await db.apiToken.create({ data: { tokenHash: hashToken(token), personId, label: opts.label ?? null, expiresAt: opts.expiresAt ?? null } })
  return token
}

declare module 'fastify' {
  interface FastifyRequest {
    asker?: Asker
  }
}

function deny(reply: FastifyReply, status: 401 | 403, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } })
}

/**
 * A preHandler that admits a bearer token's person when their role is one of `roles`.
 * The person (with their unit, for scope checks) is on `request.asker`.
 */
export function requireRoles(db: Db, roles: readonly AskerRole[], now: () => Date = () => new Date()) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match) return deny(reply, 401, 'unauthorized', '需要登录：请在 Authorization 头中提供 Bearer 令牌')
    const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(match[1]!) } })
    const at = now()
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= at)) return deny(reply, 401, 'invalid_token', '令牌无效、已过期或已被吊销')
    const person = await db.person.findUnique({ where: { id: row.personId }, include: { unit: true } })
    if (!person || !person.active) return deny(reply, 401, 'invalid_token', '令牌对应的人员已停用')
    if (!roles.includes(person.role as AskerRole)) return deny(reply, 403, 'forbidden', '您的身份无权进行此操作')
    req.asker = person
    void db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: at } }).catch(() => {})
  }
}
