import { z } from 'zod'
import { allRoles, parseArgs, staffRoles, type CommandDefinition } from '../core/commands.js'
import { conversationState, stateSlot } from '../core/state.js'
import { bindIdentities, needsVouching, redeemCode } from './binding.js'
import { bindingCommands } from './binding-commands.js'
import { canActOnUnit, findUnits, unitLabel } from './scope.js'

const MAX_BIND_FAILURES = 5
const BIND_WINDOW_MS = 60 * 60 * 1000
/** When a sender's recent failed binding attempts happened (ms), kept for the window. */
const bindFailures = stateSlot('bindFailures', z.array(z.number()))

/** Words a person may put before a binding code: `绑定 D2001 何平 验证码 ABCD-2345`. */
const CODE_WORDS = new Set(['验证码', '绑定码', '码', 'code', '：', ':'])

/**
 * `绑定 工号 姓名 [绑定码]`: links the sender's platform identity to a person of the roster. Without a
 * code it is a claim: a staff role (collector, officer, admin) then acts as a worker until an
 * administrator confirms it. With a valid one-time code the binding is vouched for (and a claim by
 * another account on this platform gives way to it); a bound person may also send it later.
 */
export const bindCommand: CommandDefinition = {
  name: 'bind',
  words: ['绑定'],
  aliases: ['bind'],
  roles: ['guest', ...allRoles],
  listedFor: ['guest'],
  usage: (t) => t.bind.usage,
  example: (t) => t.bind.example,
  summary: (t) => t.commands.bind,
  async run(ctx) {
    const { tx, t, msg } = ctx
    if (msg.platform === 'web') return ctx.reply(t.bind.notOnPlatform)
    const tokens = ctx.tokens.filter((x) => !CODE_WORDS.has(x.toLowerCase()))
    const code = tokens.slice(2).join('')
    if (ctx.person && !code)
      return ctx.reply(
        ctx.pendingRole
          ? `${t.bind.already(ctx.person.name)}\n${t.binding.pending(t.roles[ctx.pendingRole] ?? ctx.pendingRole)}`
          : t.bind.already(ctx.person.name),
      )
    const args = parseArgs(ctx, z.tuple([z.string().regex(/^[A-Za-z0-9_-]{1,32}$/), z.string().min(1).max(40), z.string().max(40)]), bindCommand, [
      ...tokens.slice(0, 2),
      code,
    ])
    if (!args) return
    const [employeeNo, name] = args
    // Guessing employee numbers, names and codes is bounded per sender.
    const subject = msg.sender.ids
      .map((i) => `${i.kind}:${i.id}`)
      .join('|')
      .slice(0, 500)
    const key = { platform: msg.platform, subject }
    const recent = ((await conversationState.get(tx, bindFailures, key, ctx.now)) ?? []).filter((at) => at > ctx.now.getTime() - BIND_WINDOW_MS)
    if (recent.length >= MAX_BIND_FAILURES) return ctx.reply(t.bind.tooMany)
    const fail = async (text: string) => {
      await conversationState.set(tx, bindFailures, key, [...recent, ctx.now.getTime()], new Date(ctx.now.getTime() + BIND_WINDOW_MS), ctx.now)
      ctx.reply(text)
    }
    const person =
      (await tx.person.findUnique({ where: { employeeNo: employeeNo.toUpperCase() }, include: { unit: true } })) ??
      (await tx.person.findUnique({ where: { employeeNo }, include: { unit: true } }))
    // Demo people live in the playground only: nobody on a real platform can become one.
    if (person?.demo) return fail(t.playground.demoNotBindable)
    if (!person || person.name !== name) return fail(t.bind.mismatch)
    if (!person.active) return fail(t.bind.inactive)
    if (ctx.person && ctx.person.id !== person.id) return ctx.reply(t.bind.already(ctx.person.name))
    const redeemed = code ? await redeemCode(tx, person.id, code, ctx.now) : null
    if (code && !redeemed) return fail(t.binding.codeInvalid)
    const existing = await tx.platformIdentity.findMany({ where: { platform: msg.platform, personId: person.id } })
    const others = existing.filter((e) => !msg.sender.ids.some((i) => i.kind === e.kind && i.id === e.externalId))
    if (others.length) {
      // A code outweighs another account's claim; nothing else moves a binding.
      if (!redeemed || others.some((o) => o.vouchedBy !== 'claim')) return fail(t.bind.takenByOther)
      await tx.platformIdentity.deleteMany({ where: { id: { in: others.map((o) => o.id) } } })
    }
    const notices = await bindIdentities(tx, t, {
      platform: msg.platform,
      ids: msg.sender.ids,
      displayName: msg.sender.name ?? null,
      person,
      vouchedBy: redeemed ? 'code' : 'claim',
      confirmedById: redeemed?.issuedById ?? null,
      now: ctx.now,
    })
    await conversationState.clear(tx, bindFailures, key, ctx.now)
    const roleLabel = t.roles[person.role] ?? person.role
    if (redeemed)
      ctx.reply(
        ctx.person
          ? t.binding.codeRedeemed(person.name, roleLabel)
          : `${t.bind.done(person.name, unitLabel(person.unit), roleLabel)}\n${t.binding.codeRedeemed(person.name, roleLabel)}`,
      )
    else
      ctx.reply(
        needsVouching(person.role)
          ? `${t.bind.done(person.name, unitLabel(person.unit), roleLabel)}\n${t.binding.pending(roleLabel)}`
          : t.bind.done(person.name, unitLabel(person.unit), roleLabel),
      )
    // Notices go to the person's other accounts and the administrators, never back to this sender.
    for (const n of notices) ctx.send(n)
  },
}

/** `我的信息`: who the bot thinks you are. */
export const whoamiCommand: CommandDefinition = {
  name: 'whoami',
  words: ['我的信息', '我是谁'],
  aliases: ['whoami', 'me'],
  roles: allRoles,
  usage: (t) => (t.botName === '工友' ? '我的信息' : 'whoami'),
  summary: (t) => t.commands.whoami,
  async run(ctx) {
    const { tx, t } = ctx
    const p = ctx.person!
    const [identities, grids] = await Promise.all([
      tx.platformIdentity.findMany({ where: { personId: p.id }, select: { platform: true }, distinct: ['platform'] }),
      tx.grid.findMany({ where: { OR: [{ units: { some: { id: p.unitId } } }, { collectors: { some: { personId: p.id } } }] }, select: { name: true } }),
    ])
    const f = t.whoami.fields
    const fields = [
      { label: f.name, value: p.name },
      { label: f.employeeNo, value: p.employeeNo },
      { label: f.role, value: ctx.pendingRole ? t.binding.pendingShort(t.roles[ctx.pendingRole] ?? ctx.pendingRole) : (t.roles[p.role] ?? p.role) },
      { label: p.role === 'officer' ? f.scope : f.unit, value: unitLabel(p.unit) },
      { label: f.grid, value: grids.map((g) => g.name).join('、') || t.whoami.none },
      { label: f.platforms, value: identities.map((i) => i.platform).join('、') || t.whoami.none },
    ]
    ctx.reply(`${t.whoami.title}\n${fields.map((x) => `${x.label}：${x.value}`).join('\n')}`, { card: { title: t.whoami.title, fields, tone: 'info' } })
  },
}

/** `网格成员`: a collector's people. */
export const gridMembersCommand: CommandDefinition = {
  name: 'gridMembers',
  words: ['网格成员', '我的网格'],
  aliases: ['grid'],
  roles: ['collector'],
  usage: () => '网格成员',
  summary: (t) => t.commands.gridMembers,
  async run(ctx) {
    const { tx, t } = ctx
    const grids = await tx.grid.findMany({ where: { collectors: { some: { personId: ctx.person!.id } } }, include: { units: true } })
    if (grids.length === 0) return ctx.reply(t.grid.notCollector)
    const parts: string[] = []
    for (const grid of grids) {
      const people = await tx.person.findMany({
        where: { active: true, unitId: { in: grid.units.map((u) => u.id) } },
        orderBy: { employeeNo: 'asc' },
        take: 200,
      })
      parts.push(`${t.grid.members(grid.name, people.length)}\n${people.map((p) => `${p.name}（${p.employeeNo}，${t.roles[p.role] ?? p.role}）`).join('\n')}`)
    }
    ctx.reply(parts.join('\n\n'))
  },
}

function bindGroupCommand(purpose: 'team' | 'officers'): CommandDefinition {
  const self: CommandDefinition = {
    name: purpose === 'team' ? 'bindGroup' : 'bindOfficersGroup',
    words: purpose === 'team' ? ['绑定班组', '绑定群'] : ['绑定干部群'],
    aliases: purpose === 'team' ? ['bindgroup'] : ['bindofficers'],
    roles: staffRoles,
    usage: (t) => (purpose === 'team' ? t.bindGroup.usage : '绑定干部群 单位名称或路径'),
    example: (t) => (purpose === 'team' ? t.bindGroup.example : '绑定干部群 一车间'),
    summary: (t) => (purpose === 'team' ? t.commands.bindGroup : t.commands.bindOfficersGroup),
    async run(ctx) {
      const { tx, t } = ctx
      if (!ctx.chat) return ctx.reply(t.bindGroup.onlyInGroup)
      const query = parseArgs(ctx, z.string().trim().min(1).max(200), self, ctx.args)
      if (query === null) return
      const units = await findUnits(tx, query)
      if (units.length === 0) return ctx.reply(t.bindGroup.notFound(query))
      if (units.length > 1) return ctx.reply(t.bindGroup.ambiguous(query, units.map(unitLabel)))
      const unit = units[0]!
      if (!canActOnUnit(ctx.person!, unit)) return ctx.reply(t.bindGroup.outOfScope(unitLabel(unit)))
      await tx.chatGroup.update({ where: { id: ctx.chat.id }, data: { unitId: unit.id, purpose } })
      ctx.reply(purpose === 'team' ? t.bindGroup.done(ctx.chat.name, unitLabel(unit)) : t.bindGroup.officersDone(ctx.chat.name, unitLabel(unit)))
    },
  }
  return self
}

export const organisationCommands: CommandDefinition[] = [
  bindCommand,
  whoamiCommand,
  gridMembersCommand,
  bindGroupCommand('team'),
  bindGroupCommand('officers'),
  ...bindingCommands,
]
