import { z } from 'zod'
import { commandBuilder, parseArgs, Refusal, type CommandContext, type CommandDefinition } from '../core/commands.js'
import type { Platform } from '../core/types.js'
import { confirmBindings, issueCode, listBindings, platformOf, unbind, CODE_HOURS } from './binding.js'

const command = commandBuilder('binding')
const LIST_LIMIT = 30

/** `工号 [平台]` → the person and the platform (null: every platform). */
async function personAndPlatform(ctx: CommandContext, self: CommandDefinition) {
  const args = parseArgs(ctx, z.tuple([z.string().regex(/^[A-Za-z0-9_-]{1,32}$/)]).rest(z.string()), self)
  if (!args) return null
  const [employeeNo, ...rest] = args
  const word = rest.join('')
  let platform: Platform | null = null
  if (word) {
    platform = platformOf(word)
    if (!platform) throw new Refusal(ctx.t.binding.badPlatform(word))
  }
  const person =
    (await ctx.tx.person.findUnique({ where: { employeeNo: employeeNo.toUpperCase() } })) ?? (await ctx.tx.person.findUnique({ where: { employeeNo } }))
  if (!person) throw new Refusal(ctx.t.binding.notFound(employeeNo))
  return { person, platform }
}

const platformsLabel = (ctx: CommandContext, platforms: Platform[]) => platforms.map((p) => ctx.t.binding.platforms[p] ?? p).join('、')

/** `确认绑定 工号 [平台]`: an administrator vouches for a claimed binding; the person is told. */
export const confirmBindingCommand = command(
  'confirmBinding',
  ['确认绑定'],
  ['confirmbind'],
  ['admin'],
  'confirm',
  'confirm',
  async (ctx, self) => {
    const found = await personAndPlatform(ctx, self)
    if (!found) return
    const { person, platform } = found
    const confirmed = await confirmBindings(ctx.tx, person.id, platform, ctx.person!.id, ctx.now)
    if (confirmed.length === 0) return ctx.reply(ctx.t.binding.nothingToConfirm(person.name))
    ctx.reply(ctx.t.binding.confirmed(person.name, platformsLabel(ctx, confirmed)))
    ctx.send({ to: { kind: 'person', personId: person.id }, text: ctx.t.binding.confirmedTold(platformsLabel(ctx, confirmed)) })
  },
  'confirmExample',
)

/** `绑定码 工号`: a one-time code for a person, shown only in the administrator's private chat. */
export const bindingCodeCommand = command(
  'bindingCode',
  ['绑定码'],
  ['bindcode'],
  ['admin'],
  'code',
  'code',
  async (ctx, self) => {
    if (ctx.chat) return ctx.reply(ctx.t.binding.codeOnlyPrivate)
    const found = await personAndPlatform(ctx, self)
    if (!found) return
    const { person } = found
    if (!person.active) return ctx.reply(ctx.t.binding.codeInactive(person.name))
    const code = await issueCode(ctx.tx, person.id, ctx.person!.id, ctx.now)
    ctx.reply(ctx.t.binding.codeIssued(person.name, person.employeeNo, code, CODE_HOURS))
  },
  'codeExample',
)

/** `绑定列表 [待确认]`: bindings, newest first. */
export const bindingListCommand = command('bindingList', ['绑定列表'], ['bindings'], ['admin'], 'list', 'list', async (ctx) => {
  const { t } = ctx
  const pendingOnly = /待确认|待|pending/i.test(ctx.args)
  const rows = await listBindings(ctx.tx, { status: pendingOnly ? 'pending' : 'all' })
  if (rows.length === 0) return ctx.reply(t.binding.listEmpty(pendingOnly))
  const day = (d: Date) => d.toLocaleDateString('sv-SE', { timeZone: ctx.settings.timeZone })
  const lines = rows
    .slice(0, LIST_LIMIT)
    .map((b) =>
      t.binding.listLine(
        b.person.name,
        b.person.employeeNo,
        t.roles[b.person.role] ?? b.person.role,
        t.binding.platforms[b.platform] ?? b.platform,
        b.pending ? t.binding.vouched.claim! : (t.binding.vouched[b.vouchedBy] ?? b.vouchedBy),
        day(b.createdAt),
      ),
    )
  if (rows.length > LIST_LIMIT) lines.push(t.binding.listMore(rows.length - LIST_LIMIT))
  ctx.reply(`${t.binding.listTitle(rows.length, pendingOnly)}\n${lines.join('\n')}`)
})

/** `解除绑定 工号 [平台]`: undoes a binding; the account that was bound is told. */
export const unbindCommand = command(
  'unbind',
  ['解除绑定'],
  ['unbind'],
  ['admin'],
  'unbind',
  'unbind',
  async (ctx, self) => {
    const found = await personAndPlatform(ctx, self)
    if (!found) return
    const { person, platform } = found
    const undone = await unbind(ctx.tx, person.id, platform)
    if (undone.length === 0) return ctx.reply(ctx.t.binding.nothingToUnbind(person.name))
    ctx.reply(
      ctx.t.binding.unbound(
        person.name,
        platformsLabel(
          ctx,
          undone.map((u) => u.platform),
        ),
      ),
    )
    for (const u of undone)
      ctx.send({
        to: { kind: 'user', platform: u.platform, userId: u.userId },
        text: ctx.t.binding.unboundTold(ctx.t.binding.platforms[u.platform] ?? u.platform),
      })
  },
  'unbindExample',
)

export const bindingCommands: CommandDefinition[] = [confirmBindingCommand, bindingCodeCommand, bindingListCommand, unbindCommand]
