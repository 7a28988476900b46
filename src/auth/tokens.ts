import crypto from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Asker, AskerRole } from '../core/commands.js'
import type { Db, Tx } from '../db/client.js'
import { zhCN } from '../messages/zh-CN.js'
import { isUnitWithin } from '../organisation/scope.js'

/**
 * Admin API tokens: random, shown once, stored as a sha256 hash, bound to a person (whose role and
 * unit scope apply to everything the token does). Three kinds share the ApiToken table, told apart
 * by their label:
 * - API tokens (CLI `issue-token`, or `POST /api/v1/tokens`): any label, optional expiry;
 * - dashboard sessions (label `dashboard`): made by redeeming a sign-in link, expire in hours;
 * - sign-in links (label `login-link`): one-time codes sent privately by the bot (`登录后台`),
 *   expire in minutes, are consumed by one conditional update, and never work as a token.
 */
export const LOGIN_LINK_LABEL = 'login-link'
export const SESSION_LABEL = 'dashboard'
/** The dashboard's session cookie: HttpOnly, SameSite=Strict. */
export const SESSION_COOKIE = 'gongyou_session'

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex')
}

function randomSecret(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(32).toString('base64url')}`
}

export async function issueToken(db: Tx, personId: number, opts: { label?: string; expiresAt?: Date } = {}): Promise<string> {
  return (await createToken(db, personId, opts)).token
}

/** Issues a token and also answers its row id (for listing and revoking). */
export async function createToken(db: Tx, personId: number, opts: { label?: string; expiresAt?: Date } = {}): Promise<{ token: string; id: number }> {
  if (opts.label === LOGIN_LINK_LABEL) throw new Error('a sign-in link is made by issueLoginLink')
  const token = randomSecret('gy')
  const row = await db.apiToken.create({ data: { tokenHash: hashToken(token), personId, label: opts.label ?? null, expiresAt: opts.expiresAt ?? null } })
  return { token, id: row.id }
}

declare module 'fastify' {
  interface FastifyRequest {
    asker?: Asker
    /** The ApiToken row the request was admitted with. */
    apiTokenId?: number
    /** How the token came: a bearer header, or the dashboard's cookie. */
    authVia?: 'bearer' | 'cookie'
  }
}

// ------------------------------------------------------------------------------ sign-in links

/** A one-time sign-in code for a person, valid for `minutes` from `now`. Runs in the caller's transaction. */
export async function issueLoginLink(tx: Tx, personId: number, now: Date, minutes: number): Promise<{ code: string; expiresAt: Date }> {
  const code = randomSecret('gyl')
  const expiresAt = new Date(now.getTime() + minutes * 60_000)
  await tx.apiToken.create({ data: { tokenHash: hashToken(code), personId, label: LOGIN_LINK_LABEL, expiresAt } })
  return { code, expiresAt }
}

export type RedeemOutcome =
  | { ok: true; token: string; expiresAt: Date; personId: number }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'not_allowed' | 'demo' }

/**
 * Exchanges a sign-in code for a dashboard session token. The code is consumed by a conditional
 * update (not revoked, not expired), so of two attempts at once exactly one succeeds.
 */
/**
 * Demo people (the playground's demo organisation) may sign in only while the playground is on:
 * `demo: true` admits them. Everywhere else their tokens, sessions and sign-in links are refused.
 */
export interface DemoAdmission {
  demo: boolean
}

export async function redeemLoginLink(db: Db, code: string, now: Date, sessionHours: number, admit: DemoAdmission = { demo: false }): Promise<RedeemOutcome> {
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(code) } })
  if (!row || row.label !== LOGIN_LINK_LABEL) return { ok: false, reason: 'unknown' }
  if (row.revokedAt) return { ok: false, reason: 'used' }
  if (!row.expiresAt || row.expiresAt <= now) return { ok: false, reason: 'expired' }
  return db.$transaction(async (tx) => {
    const consumed = await tx.apiToken.updateMany({ where: { id: row.id, revokedAt: null, expiresAt: { gt: now } }, data: { revokedAt: now, lastUsedAt: now } })
    if (consumed.count !== 1) return { ok: false as const, reason: 'used' as const }
    const person = await tx.person.findUnique({ where: { id: row.personId } })
    if (person?.demo && (!admit.demo || !person.active)) return { ok: false as const, reason: 'demo' as const }
    if (!person?.active || (person.role !== 'officer' && person.role !== 'admin')) return { ok: false as const, reason: 'not_allowed' as const }
    const expiresAt = new Date(now.getTime() + sessionHours * 3_600_000)
    const token = await issueToken(tx, person.id, { label: SESSION_LABEL, expiresAt })
    return { ok: true as const, token, expiresAt, personId: person.id }
  })
}

// ------------------------------------------------------------------------------ authentication

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=')
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim())
  }
  return undefined
}

/** The token a request carries: `Authorization: Bearer …` first, else the dashboard's session cookie. */
export function presentedToken(req: Pick<FastifyRequest, 'headers'>): { token: string; via: 'bearer' | 'cookie' } | null {
  const header = req.headers.authorization
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    return match ? { token: match[1]!, via: 'bearer' } : null
  }
  const cookie = cookieValue(req.headers.cookie, SESSION_COOKIE)
  return cookie ? { token: cookie, via: 'cookie' } : null
}

/** A key for per-client limits: the token's hash when one is presented, else the address. */
export function rateLimitKey(req: FastifyRequest): string {
  const presented = presentedToken(req)
  return presented ? `t:${hashToken(presented.token).slice(0, 32)}` : `ip:${req.ip}`
}

export type AuthFailure = { status: 401 | 403; code: string; message: string }
export type AuthOutcome = { ok: true; asker: Asker; tokenId: number; via: 'bearer' | 'cookie' } | ({ ok: false } & AuthFailure)

const LAST_USED_EVERY_MS = 60_000

/** Who a request's token belongs to, and whether their role is one of `roles`. */
export async function authenticate(
  db: Db,
  req: Pick<FastifyRequest, 'headers'>,
  roles: readonly AskerRole[],
  now: Date,
  admit: DemoAdmission = { demo: false },
): Promise<AuthOutcome> {
  const presented = presentedToken(req)
  if (!presented)
    return { ok: false, status: 401, code: 'unauthorized', message: '需要登录：请在 Authorization 头中提供 Bearer 令牌，或在聊天中发送“登录后台”获取登录链接' }
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(presented.token) } })
  if (!row || row.label === LOGIN_LINK_LABEL || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) {
    return { ok: false, status: 401, code: 'invalid_token', message: '令牌无效、已过期或已被吊销，请重新登录' }
  }
  const person = await db.person.findUnique({ where: { id: row.personId }, include: { unit: true } })
  if (!person?.active) return { ok: false, status: 401, code: 'invalid_token', message: '令牌对应的人员已停用' }
  if (person.demo && !admit.demo) return { ok: false, status: 401, code: 'invalid_token', message: zhCN.playground.demoTokenRefused }
  if (!roles.includes(person.role as AskerRole)) return { ok: false, status: 403, code: 'forbidden', message: '您的身份无权进行此操作' }
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
    void db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } }).catch(() => {})
  }
  return { ok: true, asker: person, tokenId: row.id, via: presented.via }
}

function deny(reply: FastifyReply, failure: AuthFailure) {
  return reply.code(failure.status).send({ error: { code: failure.code, message: failure.message } })
}

/**
 * A preHandler that admits a token's person (bearer header or dashboard cookie) when their role
 * is one of `roles`. The person (with their unit, for scope checks) is on `request.asker`.
 */
export function requireRoles(db: Db, roles: readonly AskerRole[], now: () => Date = () => new Date(), admit: DemoAdmission = { demo: false }) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const outcome = await authenticate(db, req, roles, now(), admit)
    if (!outcome.ok) return deny(reply, outcome)
    req.asker = outcome.asker
    req.apiTokenId = outcome.tokenId
    req.authVia = outcome.via
  }
}

// ------------------------------------------------------------------------------ scope

/** What a token's person may see: everything (administrators, or an officer at the company root) or a unit subtree. */
export function scopeRoot(asker: Asker): string | null {
  if (asker.role === 'admin') return null
  return asker.unit.path === '' ? null : asker.unit.path
}

/** Whether a unit path is within the asker's part of the organisation. */
export function inScope(asker: Asker, unitPath: string): boolean {
  const root = scopeRoot(asker)
  return root === null || isUnitWithin(unitPath, root)
}

// ------------------------------------------------------------------------------ listing, revocation

export type TokenKind = 'session' | 'api'

export function tokenKind(label: string | null): TokenKind {
  return label === SESSION_LABEL ? 'session' : 'api'
}

/** Tokens (not sign-in links) a person may see: their own, or everyone's for an administrator. */
export async function listTokens(db: Db, viewer: Asker) {
  return db.apiToken.findMany({
    where: { OR: [{ label: null }, { label: { not: LOGIN_LINK_LABEL } }], ...(viewer.role === 'admin' ? {} : { personId: viewer.id }) },
    orderBy: { id: 'desc' },
    take: 500,
  })
}

/** Revokes a token the viewer may see; false when there is no such token (or it is not theirs). */
export async function revokeToken(db: Db, viewer: Asker, id: number, now: Date): Promise<'revoked' | 'already' | 'not_found'> {
  const row = await db.apiToken.findUnique({ where: { id } })
  if (!row || row.label === LOGIN_LINK_LABEL || (viewer.role !== 'admin' && row.personId !== viewer.id)) return 'not_found'
  const updated = await db.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } })
  return updated.count === 1 ? 'revoked' : 'already'
}
