/**
 * The one definition of an announcement's reach (issue #17): who it is for, who has read it
 * (已阅), who has not answered. The bot's `公告进度`, the reminders, the admin API (and so the
 * dashboard) and the monthly report all count with it, so they cannot disagree.
 *
 * - **Audience:** the active people of its target units' subtrees (everyone when it is for all
 *   units), its creator aside.
 * - **Read (已阅):** an audience member who acknowledged it (when it asks for that) or signed up
 *   for it (who signs up has read it; a place on the waiting list counts too). A person counts
 *   once, at the time of their first such answer.
 * - Platform read receipts (a group's read count) are a different figure, shown as such.
 */
import type { UnitRow } from '../core/commands.js'
import type { Tx } from '../db/client.js'
import { audience, type AnnouncementRow, type AudienceMember } from './service.js'

type ReachAnnouncement = Pick<AnnouncementRow, 'id' | 'allUnits' | 'createdById' | 'requireAck' | 'signup'>

/** Who has answered: acknowledgements, and sign-ups (confirmed or waitlisted) by person. */
export async function responses(
  tx: Tx,
  announcementId: number,
): Promise<{ acked: Map<number, Date>; signups: Map<number, { status: string; createdAt: Date; id: number }> }> {
  const rows = await tx.announcementResponse.findMany({
    where: { announcementId, status: { in: ['confirmed', 'waitlisted'] } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  })
  const acked = new Map<number, Date>()
  const signups = new Map<number, { status: string; createdAt: Date; id: number }>()
  for (const r of rows) {
    if (r.kind === 'ack') {
      if (!acked.has(r.personId)) acked.set(r.personId, r.createdAt)
    } else signups.set(r.personId, { status: r.status, createdAt: r.createdAt, id: r.id })
  }
  return { acked, signups }
}

export type Responses = Awaited<ReturnType<typeof responses>>

/** When a person first answered what the announcement asks (read it), or null when they have not. */
export function readAt(ann: Pick<AnnouncementRow, 'requireAck' | 'signup'>, r: Responses, personId: number): Date | null {
  const ack = ann.requireAck ? (r.acked.get(personId) ?? null) : null
  const signup = r.signups.get(personId)?.createdAt ?? null
  if (ack && signup) return new Date(Math.min(ack.getTime(), signup.getTime()))
  return ack ?? signup
}

export interface Reach {
  /** The audience in view (all of it, or the part `within` keeps). */
  people: AudienceMember[]
  responses: Responses
  /** Audience members in view who have read it (within the period when one was given). */
  read: AudienceMember[]
  /** Audience members in view who have not answered at all. */
  pending: AudienceMember[]
}

/**
 * The reach of one announcement. `within` narrows the audience to a viewer's part of the
 * organisation; `period` counts only the reads that happened in it (the monthly report).
 */
export async function announcementReach(
  tx: Tx,
  ann: ReachAnnouncement,
  opts: { within?: (unit: UnitRow) => boolean; period?: { from: Date; to: Date } } = {},
): Promise<Reach> {
  const [everyone, r] = await Promise.all([audience(tx, ann), responses(tx, ann.id)])
  const people = opts.within ? everyone.filter((p) => opts.within!(p.unit)) : everyone
  const read: AudienceMember[] = []
  const pending: AudienceMember[] = []
  for (const p of people) {
    const at = readAt(ann, r, p.id)
    if (at === null) pending.push(p)
    else if (!opts.period || (at >= opts.period.from && at < opts.period.to)) read.push(p)
  }
  return { people, responses: r, read, pending }
}
