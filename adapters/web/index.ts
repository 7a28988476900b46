import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { AdapterPorts } from '../../src/core/adapter-ports.js'
import type { ChatCore } from '../../src/core/chat-core.js'
import type { Transcript } from '../../src/core/transcript.js'
import type { Card } from '../../src/core/types.js'
import type { Adapter, Delivery, InboundMessage, SendResult } from '../../src/core/types.js'
import { zhCN } from '../../src/messages/zh-CN.js'
import { roleLabels } from '../../src/organisation/roster.js'
import type { PlaygroundRoster } from '../../src/playground.js'

const here = path.dirname(fileURLToPath(import.meta.url))

/**
 * The web platform: the playground at /playground, where a person can speak as any demo person
 * (示例集团（演示）) — never as a real one. It runs only where src/app.ts decidePlayground allows. Sending to it stores the message for the page to show; the message's outbox
 * key is unique there, so a retried send is stored once.
 */
export class WebAdapter implements Adapter {
  readonly platform = 'web' as const
  readonly limits = {}
  constructor(private readonly transcript: Transcript) {}

  async send(d: Delivery): Promise<SendResult> {
    const id = await this.transcript.sent({
      key: d.key,
      chatId: d.targetKind === 'chat' ? d.target : null,
      personNo: d.targetKind === 'user' ? d.target : null,
      text: d.text,
      ...(d.card ? { card: d.card } : {}),
    })
    return { platformMessageId: String(id) }
  }

  status() {
    return { connected: true }
  }
}

/** A required short string whose every failure (missing, wrong type, empty) says the same thing. */
const required = (message: string, max: number) => z.string({ error: message }).trim().min(1, message).max(max, message)

const messageBody = z
  .object(
    {
      from: required('请填写 from（发言人的工号）', 64),
      chat: required('请填写 chat（群的 id，或 dm 表示私聊）', 200),
      text: z.string({ error: 'text 应为文字' }).max(10_000, '消息太长，最多 10000 字').optional(),
      action: z.object({ command: required('action.command 应为按钮携带的命令文字', 2000) }, { error: 'action 应为 {"command": "…"}' }).optional(),
    },
    { error: '请求体应为 JSON 对象' },
  )
  .refine((b) => (b.text !== undefined) !== (b.action !== undefined), { message: '请提供 text（要发送的文字）或 action（按钮动作），二者选一' })

const historyQuery = z.object({
  from: required('请填写 from（工号）', 64),
  chat: required('请填写 chat（群的 id，或 dm）', 200),
  after: z.coerce.number().int().min(0).optional(),
})

type Reply = { chat: string; to?: string; platform?: string; text: string; card?: Card }

function apiError(code: string, message: string) {
  return { error: { code, message } }
}

/**
 * Whether a Host header names this machine: localhost, 127.0.0.0/8 or [::1], with or without a
 * port. Anything else (a DNS name pointing at 127.0.0.1 — DNS rebinding —, a proxy, a LAN address)
 * is not the playground's business.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false
  const h = host.trim().toLowerCase()
  const name = h.startsWith('[') ? /^(\[[^\]]*\])(:\d{1,5})?$/.exec(h)?.[1] : /^([^:]+)(:\d{1,5})?$/.exec(h)?.[1]
  if (!name) return false
  if (name === 'localhost' || name === '[::1]') return true
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name)
  return octets?.slice(1).every((o) => Number(o) <= 255) === true
}

/** Registers /playground and its API. */
export async function playgroundRoutes(
  app: FastifyInstance,
  opts: { roster: PlaygroundRoster; transcript: Transcript; core: ChatCore; ports: AdapterPorts; botName: string; timeZone: string },
): Promise<void> {
  const { roster, transcript, core, ports } = opts
  const page = fs
    .readFileSync(path.join(here, 'playground.html'), 'utf8')
    .replace('<meta charset="utf-8">', `<meta charset="utf-8">\n<meta name="gongyou-timezone" content="${opts.timeZone.replace(/[^A-Za-z0-9_/+-]/g, '')}">`)

  const t = zhCN.playground
  // Every playground route: this machine only, and only while there are demo people to speak as.
  app.addHook('onRequest', async (req, reply) => {
    if (!isLoopbackHost(req.headers.host)) return reply.code(421).send(apiError('misdirected', t.wrongHost))
    if (!(await roster.open())) return reply.code(410).send(apiError('playground_closed', t.closed))
  })

  app.get('/playground', async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page))

  app.get('/playground/api/people', async () => ({
    people: (await roster.people()).map((p) => ({
      employeeNo: p.employeeNo,
      name: p.name,
      role: p.role,
      roleLabel: roleLabels[p.role as keyof typeof roleLabels] ?? p.role,
      unit: p.unit,
    })),
  }))

  app.get('/playground/api/chats', async () => ({ chats: await roster.chats() }))

  app.post('/playground/api/messages', async (req, reply) => {
    const parsed = messageBody.safeParse(req.body ?? {})
    if (!parsed.success) return reply.code(400).send(apiError('invalid_body', parsed.error.issues.map((i) => i.message).join('；')))
    const body = parsed.data
    const person = await roster.person(body.from)
    if (!person?.active) return reply.code(404).send(apiError('unknown_person', `没有工号为“${body.from}”的人员`))
    if (!person.demo) return reply.code(403).send(apiError('not_demo_person', t.notDemoPerson(body.from)))
    const chatId = body.chat === 'dm' ? null : body.chat
    let chatName: string | undefined
    if (chatId !== null) {
      const chat = await roster.chat(chatId)
      if (!chat?.demo) return reply.code(404).send(apiError('unknown_chat', `没有 id 为“${chatId}”的群；私聊请用 "dm"`))
      chatName = chat.name
    }
    const typed = body.text ?? `[按钮] ${body.action!.command}`
    await transcript.typed({ key: `in:${crypto.randomUUID()}`, chatId, personNo: person.employeeNo, text: typed })
    const msg = toInbound(body.text ?? '', opts.botName, { from: person.employeeNo, name: person.name, chatId, chatName, action: body.action })
    const { id, duplicate } = await core.receive(msg)
    if (!duplicate) await core.handleNow(id)
    const sent = await ports.settled(id)
    const replies: Reply[] = sent
      .filter((d) => d.status === 'sent')
      .map((d) => {
        // A private message on another platform is shown without its address (it could be an
        // anonymous requester's account); on the playground's own platform it is an employee number.
        const base = d.targetKind === 'chat' ? { chat: d.target } : d.platform === 'web' ? { chat: 'dm', to: d.target } : { chat: 'dm' }
        return { ...base, ...(d.platform !== 'web' ? { platform: d.platform } : {}), text: d.text, ...(d.card ? { card: d.card } : {}) }
      })
    return { replies }
  })

  app.get('/playground/api/history', async (req, reply) => {
    const parsed = historyQuery.safeParse(req.query ?? {})
    if (!parsed.success) return reply.code(400).send(apiError('invalid_query', parsed.error.issues.map((i) => i.message).join('；')))
    const { from, chat, after } = parsed.data
    const lines = await transcript.lines(chat === 'dm' ? { personNo: from } : { chatId: chat }, after)
    const names = await roster.names(lines.map((l) => l.personNo).filter((x): x is string => !!x))
    return {
      messages: lines.map((r) => ({
        id: r.id,
        direction: r.direction,
        chat: r.chatId ?? 'dm',
        ...(r.direction === 'in' ? { from: r.personNo, fromName: names.get(r.personNo ?? '') } : r.personNo ? { to: r.personNo } : {}),
        text: r.text,
        ...(r.card ? { card: r.card } : {}),
        at: r.at.toISOString(),
      })),
    }
  })
}

/** Builds the neutral inbound message for something typed (or a button pressed) in the playground. */
export function toInbound(
  text: string,
  botName: string,
  o: { from: string; name: string; chatId: string | null; chatName?: string; action?: { command: string } },
): InboundMessage {
  const mentionRe = /[@＠]([^\s@＠]+)/g
  const mentions = [...text.matchAll(mentionRe)].map((m) => ({ name: m[1]!, ids: [], isBot: m[1] === botName }))
  const mentionsBot = mentions.some((m) => m.isBot)
  const stripped = mentionsBot ? text.replace(new RegExp(`[@＠]${botName}\\s*`, 'g'), '').trim() : text
  return {
    platform: 'web',
    eventId: crypto.randomUUID(),
    chatId: o.chatId,
    ...(o.chatName ? { chatName: o.chatName } : {}),
    sender: { ids: [{ kind: 'employeeNo', id: o.from }], name: o.name },
    text: stripped,
    mentions: mentions.filter((m) => !m.isBot),
    mentionsBot,
    ...(o.action ? { action: o.action } : {}),
    sentAt: new Date().toISOString(),
  }
}
