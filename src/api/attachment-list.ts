/**
 * A request's photos and files as the API lists them (issue #18): never their bytes (routes in
 * attachments.ts serve those); an anonymous request's carry no uploader.
 */
import { z } from 'zod'
import type { Db } from '../db/client.js'
import type { RequestRow } from '../requests/service.js'

export const attachmentOut = z.object({
  id: z.number(),
  kind: z.enum(['image', 'file']),
  name: z.string().nullable(),
  mime: z.string(),
  size: z.number(),
  sha256: z.string(),
  createdAt: z.string(),
  uploader: z.string().nullable().describe('上传人姓名；匿名诉求的附件永远为 null'),
  url: z.string().describe('取内容的地址（同样需要登录，同样的范围规则）'),
})

/** The attachments of a request, without bytes; an anonymous request's carry no uploader. */
export async function attachmentsOf(db: Db, r: Pick<RequestRow, 'id' | 'number' | 'anonymous'>): Promise<z.infer<typeof attachmentOut>[]> {
  const rows = await db.attachment.findMany({
    where: { requestId: r.id },
    orderBy: { id: 'asc' },
    select: { id: true, kind: true, name: true, mime: true, size: true, sha256: true, createdAt: true, uploaderId: true },
  })
  const ids = r.anonymous ? [] : [...new Set(rows.map((a) => a.uploaderId).filter((x): x is number => x !== null))]
  const people = ids.length ? await db.person.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : []
  return rows.map((a) => ({
    id: a.id,
    kind: a.kind === 'image' ? 'image' : 'file',
    name: a.name,
    mime: a.mime,
    size: a.size,
    sha256: a.sha256,
    createdAt: a.createdAt.toISOString(),
    uploader: r.anonymous || a.uploaderId === null ? null : (people.find((p) => p.id === a.uploaderId)?.name ?? null),
    url: `/api/v1/requests/${r.number}/attachments/${a.id}`,
  }))
}
