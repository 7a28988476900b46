import { isUniqueViolation, type Db } from '../db/client.js'
import type { Card } from './types.js'

/** One line of the playground's transcript. */
export interface TranscriptLine {
  id: number
  direction: 'in' | 'out'
  /** The group's id, or null for a private chat. */
  chatId: string | null
  /** Who wrote it (in) or whom it went to privately (out), by employee number. */
  personNo: string | null
  text: string
  card?: Card
  at: Date
}

/**
 * The web platform's transcript: what was typed in the playground and what the bot sent there,
 * kept for the page to show. A line sent has its outbox key, unique here, so a retried send is
 * stored once.
 */
export class Transcript {
  constructor(private readonly db: Db) {}

  /** Stores a line the bot sent (once per key); answers its id. */
  async sent(o: { key: string; chatId: string | null; personNo: string | null; text: string; card?: Card }): Promise<number> {
    try {
      const row = await this.db.webMessage.create({
        data: { key: o.key, direction: 'out', chatId: o.chatId, personNo: o.personNo, text: o.text, card: o.card ? JSON.stringify(o.card) : null },
      })
      return row.id
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      return (await this.db.webMessage.findUniqueOrThrow({ where: { key: o.key } })).id
    }
  }

  /** Stores a line typed by a person. */
  async typed(o: { key: string; chatId: string | null; personNo: string; text: string }): Promise<void> {
    await this.db.webMessage.create({ data: { ...o, direction: 'in' } })
  }

  /** A chat's lines (a group's, or one person's private chat) after `afterId`, the last 200, oldest first. */
  async lines(where: { chatId: string } | { personNo: string }, afterId?: number): Promise<TranscriptLine[]> {
    const chat = 'chatId' in where ? { chatId: where.chatId } : { chatId: null, personNo: where.personNo }
    const rows = await this.db.webMessage.findMany({ where: { ...chat, ...(afterId ? { id: { gt: afterId } } : {}) }, orderBy: { id: 'desc' }, take: 200 })
    return rows.reverse().map((r) => ({
      id: r.id,
      direction: r.direction as 'in' | 'out',
      chatId: r.chatId,
      personNo: r.personNo,
      text: r.text,
      ...(r.card ? { card: JSON.parse(r.card) as Card } : {}),
      at: r.createdAt,
    }))
  }
}
