import { z } from 'zod'
import { parseArgs, type CommandDefinition } from '../core/commands.js'
import type { Messages } from '../messages/index.js'

/**
 * How a failed message's recipient is shown to administrators: a group by its chat id, a person
 * never by their platform address (it could be the author of an anonymous request), and a
 * group robot without its webhook key (the key is what lets anyone post there).
 */
export function recipientLabel(t: Messages, row: { targetKind: string; target: string }): string {
  if (row.targetKind !== 'chat') return t.deadLetters.privateRecipient
  const robot = /^robot:(.*)$/.exec(row.target)
  return robot ? `robot:…${robot[1]!.slice(-4)}` : row.target
}

/** `发送失败`: administrators see the outbox's dead letters. */
export const deadLettersCommand: CommandDefinition = {
  name: 'deadLetters',
  words: ['发送失败', '死信'],
  aliases: ['deadletters'],
  roles: ['admin'],
  usage: () => '发送失败',
  summary: (t) => t.commands.deadLetters,
  async run(ctx) {
    const { tx, t } = ctx
    const [count, rows] = await Promise.all([
      tx.outboxMessage.count({ where: { status: 'dead' } }),
      tx.outboxMessage.findMany({ where: { status: 'dead' }, orderBy: { id: 'desc' }, take: 10 }),
    ])
    if (count === 0) return ctx.reply(t.deadLetters.none)
    const lines = rows.map((r) => t.deadLetters.line(r.id, r.platform, recipientLabel(t, r), (r.lastError ?? '').slice(0, 120)))
    ctx.reply(`${t.deadLetters.title(count)}\n${lines.join('\n')}\n${t.deadLetters.hint}`)
  },
}

/** `重发 编号`: puts a dead letter back in the queue with fresh attempts. */
export const retryCommand: CommandDefinition = {
  name: 'retryDeadLetter',
  words: ['重发'],
  aliases: ['retry'],
  roles: ['admin'],
  usage: (t) => t.deadLetters.usage,
  example: () => '重发 12',
  summary: (t) => t.commands.retry,
  async run(ctx) {
    const { tx, t } = ctx
    const id = parseArgs(ctx, z.coerce.number().int().positive(), retryCommand, ctx.tokens[0]?.replace(/^#/, ''))
    if (id === null) return
    const updated = await tx.outboxMessage.updateMany({
      where: { id, status: 'dead' },
      data: { status: 'pending', attempts: 0, nextAttemptAt: ctx.now, lastError: null },
    })
    ctx.reply(updated.count === 1 ? t.deadLetters.requeued(id) : t.deadLetters.notFound(String(id)))
  },
}

export const operationsCommands: CommandDefinition[] = [deadLettersCommand, retryCommand]
