import { reachablePrivately, type CommandContext } from '../core/commands.js'
import type { RequestContext } from './service.js'

/** What the request service needs from a chat command's context. */
export function requestContext(ctx: CommandContext): RequestContext {
  return {
    tx: ctx.tx,
    now: ctx.now,
    t: ctx.t,
    timeZone: ctx.settings.timeZone,
    ...(ctx.settings.minGroup !== undefined ? { minGroup: ctx.settings.minGroup } : {}),
  }
}

/**
 * The acknowledgement of a request filed in a group: a group is a public place, so the asker gets
 * it privately and the group hears only the number (the ack itself never repeats the words). When
 * nobody can be reached privately, the ack is said in the group — unless the matter is sensitive.
 */
export async function acknowledge(ctx: CommandContext, ack: string, number: string, discreet: boolean): Promise<void> {
  if (ctx.msg.chatId === null) return ctx.reply(ack)
  if (await reachablePrivately(ctx, ctx.person!.id)) {
    ctx.reply(ctx.t.privacy.filedInGroup(number))
    return ctx.send({ to: { kind: 'person', personId: ctx.person!.id }, text: ack })
  }
  ctx.reply(discreet ? ctx.t.privacy.filedInGroup(number) : ack)
}
