/** A request's timeline: one event per step, with who took it and between which units it moved. */
import { holdBack, type RowWriter, writeHeldOf } from '../db/held-writes.js'
import { insertRows } from '../db/direct-writes.js'
import type { RequestContext, RequestRow } from './model.js'

interface Entry {
  requestId: number
  at: Date
  actorId: number | null
  kind: string
  text: string | null
  fromUnitId: number | null
  toUnitId: number | null
}

/**
 * Entries made while events are handled together are written with the batch's other rows, one
 * insert for all of them (by the driver, direct-writes.ts); any other query of the timeline in the
 * batch writes them first, so it reads them and what it adds comes after them.
 */
const entries: RowWriter<Entry> = {
  model: 'RequestEvent',
  async write(tx, rows) {
    // The batch's new requests first, which the entries refer to (requests/file.ts).
    await writeHeldOf('WorkerRequest')
    if (!(await insertRows(tx, 'RequestEvent', rows))) await tx.requestEvent.createMany({ data: rows })
  },
}

/** Adds a step to a request's timeline. */
export async function event(
  ctx: RequestContext,
  request: RequestRow,
  kind: string,
  actorId: number | null,
  text?: string | null,
  units?: { from?: number; to?: number },
): Promise<void> {
  const entry = { requestId: request.id, at: ctx.now, actorId, kind, text: text ?? null, fromUnitId: units?.from ?? null, toUnitId: units?.to ?? null }
  if (!holdBack(entries, ctx.tx, [entry])) await ctx.tx.requestEvent.create({ data: entry, select: { id: true } })
}
