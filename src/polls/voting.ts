/**
 * Announcements (公告): casting and changing a vote (keyed hash for anonymous votes)
 */
import type { Asker } from '../core/commands.js'
import { heldRows, holdBack, type RowWriter, writeHeld } from '../db/held-writes.js'
import { insertRows } from '../db/direct-writes.js'
import type { Tx } from '../db/client.js'
import { primeRead } from '../db/read-memo.js'
import type { Messages } from '../messages/index.js'
import { unitLabel } from '../organisation/scope.js'
import { findPoll, refuse, targetUnits, voterKey, withinTargets, type PollContext, type PollRow } from './service.js'
import { sameLabel } from './create.js'

// ---------------------------------------------------------------------------------------------
// Voting

export function parseChoices(choices: string): number[] {
  return choices
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0)
}

export interface VoteInput {
  number: string
  /** Option numbers (1-based) or labels as written. */
  choices: (number | string)[]
  /** Card buttons of a multiple-choice poll: add each option, or take it away when already chosen. */
  toggle?: boolean
  /** When the person pressed or wrote it, by the platform's clock (default: now). */
  at?: Date
}

export interface VoteResult {
  poll: PollRow
  /** The choices now recorded (empty when a toggle took the last one away: no vote any more). */
  choices: { position: number; label: string }[]
  /**
   * new: first vote; changed; same: nothing changed; withdrawn: the vote was taken back;
   * later: a later press of theirs is already recorded, and stands (`choices` are its).
   */
  outcome: 'new' | 'changed' | 'same' | 'withdrawn' | 'later'
}

/** Maps written choices (numbers or labels) to option positions, refusing unknown ones. */
function positionsOf(t: Messages, options: { position: number; label: string }[], choices: (number | string)[]): number[] {
  const positions: number[] = []
  for (const c of choices) {
    const written = String(c).trim()
    const asNumber = typeof c === 'number' ? c : /^\d+$/.test(written.normalize('NFKC')) ? Number(written.normalize('NFKC')) : null
    const option = asNumber !== null ? options.find((o) => o.position === asNumber) : options.find((o) => sameLabel(o.label, written))
    if (!option) refuse(t.polls.unknownOption(written, options.length))
    if (!positions.includes(option!.position)) positions.push(option!.position)
  }
  return positions
}

/** The read of a person's vote on a poll (by its unique key): what castVote asks, and prefetchVotes answers ahead. */
const voteRead = (pollId: number, key: string) => ({ where: { pollId_voterKey: { pollId, voterKey: key } }, select: { choices: true, updatedAt: true } })

/**
 * For votes handled together (a burst of button presses): each voter's earlier vote on the poll
 * they press, read in one query a poll and remembered as the answer to castVote's read of it
 * (db/read-memo.ts). A vote written meanwhile makes castVote read its row again.
 */
export async function prefetchVotes(db: Tx, secret: string, calls: { number: string; personId: number }[]): Promise<void> {
  const byNumber = new Map<string, number[]>()
  for (const c of calls) byNumber.set(c.number, [...(byNumber.get(c.number) ?? []), c.personId])
  for (const [number, people] of byNumber) {
    const poll = await db.poll.findUnique({ where: { number } })
    if (!poll) continue
    const keys = [...new Set(people)].map((id) => voterKey(secret, poll.id, id))
    const found = await db.pollVote.findMany({ where: { pollId: poll.id, voterKey: { in: keys } }, select: { voterKey: true, choices: true, updatedAt: true } })
    const earlier = new Map(found.map(({ voterKey, ...vote }) => [voterKey, vote]))
    for (const key of keys) primeRead('PollVote', 'findUnique', voteRead(poll.id, key), earlier.get(key) ?? null)
  }
}

type NewVote = { pollId: number; voterKey: string; personId: number | null; choices: string; unitId: number; createdAt: Date; updatedAt: Date }

/**
 * First votes of presses handled together (a burst on one poll card) are written as one insert
 * when the batch ends (db/held-writes.ts), not one each. A read of a poll's votes in the batch
 * writes them first (`votesWritten`), as does a second press of the same person.
 */
const firstVotes: RowWriter<NewVote> = {
  async write(tx, rows) {
    // In a batch of events by the driver (direct-writes.ts), elsewhere through Prisma.
    if (!(await insertRows(tx, 'PollVote', rows))) await tx.pollVote.createMany({ data: rows })
    // The insert made the batch forget these votes' reads (read-memo.ts); they are known, so a later
    // transaction of the batch need not ask again.
    for (const v of rows) primeRead('PollVote', 'findUnique', voteRead(v.pollId, v.voterKey), { choices: v.choices, updatedAt: v.updatedAt })
  },
}

/** Before reading a poll's votes while handling: the batch's held first votes are written. */
export function votesWritten(tx: Tx): Promise<void> {
  return writeHeld(firstVotes, tx)
}

/**
 * Records a person's vote: one per person per poll, whichever group or platform it comes from
 * (unique poll + voter key), changeable until the poll closes unless the creator said 不可改.
 * Only people in the target units may vote. A first vote is held back and written with the batch's
 * others (`firstVotes`); a change is one conditional update.
 */
export async function castVote(ctx: PollContext, voter: Asker, input: VoteInput): Promise<VoteResult> {
  const { tx, t } = ctx
  const poll = await findPoll(ctx, input.number)
  if (poll.kind !== 'poll') refuse(t.polls.isSurvey(poll.number))
  if (poll.status !== 'open' || poll.deadline.getTime() <= ctx.now.getTime()) refuse(t.polls.closed(poll.number))
  const targets = await targetUnits(tx, poll.id)
  if (!withinTargets(voter.unit, targets)) refuse(t.polls.notEligible(poll.number, targets.map(unitLabel).join('、')))
  const options = await tx.pollOption.findMany({ where: { pollId: poll.id }, orderBy: { position: 'asc' } })
  if (input.choices.length === 0) refuse(t.polls.noChoice(poll.number, options.length))
  const picked = positionsOf(t, options, input.choices)
  const key = voterKey(ctx.secret, poll.id, voter.id)
  const at = input.at ?? ctx.now
  const label = (positions: number[]) => positions.map((p) => ({ position: p, label: options.find((o) => o.position === p)?.label ?? String(p) }))
  // A second press of theirs in this batch, after a first vote held back: that vote is written first.
  if (heldRows(firstVotes, tx).some((v) => v.pollId === poll.id && v.voterKey === key)) await votesWritten(tx)
  const existing = await tx.pollVote.findUnique(voteRead(poll.id, key))
  // One person's presses may be handled out of order (instances sharing the database, a retry):
  // the later press wins, whichever is handled last.
  if (existing && existing.updatedAt.getTime() > at.getTime()) return { poll, choices: label(parseChoices(existing.choices)), outcome: 'later' }
  const before = existing ? parseChoices(existing.choices) : []
  let chosen = picked
  if (input.toggle) {
    chosen = [...before]
    for (const p of picked) chosen = chosen.includes(p) ? chosen.filter((x) => x !== p) : [...chosen, p]
  }
  chosen.sort((a, b) => a - b)
  const labelled = label(chosen)
  const same = existing !== null && before.join(',') === chosen.join(',')
  if (existing && !poll.allowChange && !same) refuse(t.polls.noChange(poll.number))
  if (chosen.length > poll.maxChoices)
    refuse(poll.maxChoices === 1 ? t.polls.singleChoice(poll.number) : t.polls.tooManyChoices(poll.maxChoices, chosen.length))
  if (same) return { poll, choices: labelled, outcome: 'same' }
  // Written only over a vote from before this press (another instance may have recorded a later one since it was read).
  const older = { pollId: poll.id, voterKey: key, updatedAt: { lte: at } }
  if (chosen.length === 0) {
    // A toggle took away the only choice: the vote is withdrawn (only while changes are allowed).
    await tx.pollVote.deleteMany({ where: older })
    return { poll, choices: [], outcome: 'withdrawn' }
  }
  const choices = chosen.join(',')
  const personId = poll.anonymous ? null : voter.id
  if (!existing) {
    // A first vote (held back to be written with the batch's others). Should another instance have
    // recorded one since it was read, the unique key refuses the write: the events are then handled
    // again each on its own, and this one reads that vote.
    const vote = { pollId: poll.id, voterKey: key, personId, choices, unitId: voter.unitId, createdAt: ctx.now, updatedAt: at }
    if (!holdBack(firstVotes, tx, [vote])) await tx.pollVote.create({ data: vote })
    return { poll, choices: labelled, outcome: 'new' }
  }
  const { count } = await tx.pollVote.updateMany({ where: older, data: { choices, personId, unitId: voter.unitId, updatedAt: at } })
  if (count === 0) {
    const now = await tx.pollVote.findUnique(voteRead(poll.id, key))
    return { poll, choices: now ? label(parseChoices(now.choices)) : [], outcome: 'later' }
  }
  return { poll, choices: labelled, outcome: existing ? 'changed' : 'new' }
}
