/** A request's timeline: one event per step, with who took it and between which units it moved. */
import type { RequestContext, RequestRow } from './model.js'

export async function event(
  ctx: RequestContext,
  request: RequestRow,
  kind: string,
  actorId: number | null,
  text?: string | null,
  units?: { from?: number; to?: number },
): Promise<void> {
  await ctx.tx.requestEvent.create({
    data: { requestId: request.id, at: ctx.now, actorId, kind, text: text ?? null, fromUnitId: units?.from ?? null, toUnitId: units?.to ?? null },
    select: { id: true },
  })
}
