/**
 * The request ledger (诉求台账): one row per request filed in a period, in the asker's scope,
 * for Excel and WPS (frozen header, sensible widths). Anonymous requests carry no author fields.
 */
import type { Tx as Db } from '../db/client.js'
import { formatLocal } from '../core/time/zone.js'
import { unitLabel } from '../organisation/scope.js'
import { requestWhere, type ReportScope } from './monthly.js'
import { answeredOnTime, firstAnswerDue } from './stats.js'

export async function ledgerWorkbook(
  db: Db,
  scope: ReportScope,
  from: Date,
  to: Date,
  opts: { now: Date; timeZone: string; statusLabels: Record<string, string> },
): Promise<Buffer> {
  const rows = await db.workerRequest.findMany({ where: { AND: [requestWhere(scope), { createdAt: { gte: from, lt: to } }] }, orderBy: { id: 'asc' } })
  const [categories, people] = await Promise.all([
    db.requestCategory.findMany({ select: { id: true, name: true } }),
    // Only the people named on non-anonymous requests (and their officers) are looked up.
    db.person.findMany({
      where: {
        id: { in: rows.flatMap((r) => (r.anonymous ? [r.assigneeId] : [r.requesterId, r.filedById, r.assigneeId])).filter((x): x is number => x !== null) },
      },
    }),
  ])
  const cat = new Map(categories.map((c) => [c.id, c.name]))
  const person = new Map(people.map((p) => [p.id, p]))
  const units = new Map(scope.units.map((u) => [u.id, u]))
  const at = (d: Date | null) => (d ? formatLocal(d, opts.timeZone) : '')
  const wb = new (await import('exceljs')).default.Workbook()
  wb.created = opts.now
  const ws = wb.addWorksheet('诉求台账', { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.columns = [
    { header: '编号', key: 'number', width: 15 },
    { header: '提交时间', key: 'createdAt', width: 18 },
    { header: '类别', key: 'category', width: 12 },
    { header: '紧急', key: 'urgent', width: 6 },
    { header: '匿名', key: 'anonymous', width: 6 },
    { header: '诉求人', key: 'requester', width: 10 },
    { header: '工号', key: 'employeeNo', width: 10 },
    { header: '代报人', key: 'filedBy', width: 10 },
    { header: '单位', key: 'unit', width: 22 },
    { header: '当前办理', key: 'level', width: 22 },
    { header: '承办人', key: 'assignee', width: 10 },
    { header: '状态', key: 'status', width: 8 },
    { header: '督办', key: 'supervised', width: 6 },
    { header: '内容', key: 'content', width: 50 },
    { header: '答复期限（提交时定）', key: 'firstDue', width: 18 },
    { header: '首次答复', key: 'firstAnsweredAt', width: 18 },
    { header: '按时答复', key: 'onTime', width: 9 },
    { header: '办结时间', key: 'resolvedAt', width: 18 },
    { header: '处理结果或驳回理由', key: 'result', width: 40 },
    { header: '评价', key: 'rating', width: 6 },
    { header: '评价意见', key: 'ratingComment', width: 30 },
  ]
  const header = ws.getRow(1)
  header.font = { bold: true }
  header.alignment = { vertical: 'middle', horizontal: 'center' }
  for (const r of rows) {
    const name = (id: number | null) => (id === null ? '' : (person.get(id)?.name ?? ''))
    const requester = r.anonymous || r.requesterId === null ? null : person.get(r.requesterId)
    const due = firstAnswerDue(r)
    ws.addRow({
      number: r.number,
      createdAt: at(r.createdAt),
      category: cat.get(r.categoryId) ?? '',
      urgent: r.urgent ? '是' : '',
      anonymous: r.anonymous ? '是' : '',
      requester: requester?.name ?? '',
      employeeNo: requester?.employeeNo ?? '',
      filedBy: r.anonymous ? '' : name(r.filedById),
      unit: units.get(r.unitId) ? unitLabel(units.get(r.unitId)!) : '',
      level: units.get(r.levelUnitId) ? unitLabel(units.get(r.levelUnitId)!) : '',
      assignee: name(r.assigneeId),
      status: opts.statusLabels[r.status] ?? r.status,
      supervised: r.supervised ? '是' : '',
      content: r.content,
      firstDue: at(due),
      firstAnsweredAt: at(r.firstAnsweredAt),
      onTime: answeredOnTime(r) ? '是' : r.firstAnsweredAt || (due && due < opts.now) ? '否' : '未到期',
      resolvedAt: at(r.resolvedAt ?? (r.status === 'rejected' ? r.closedAt : null)),
      result: r.result ?? r.rejectReason ?? '',
      rating: r.rating ?? '',
      ratingComment: r.ratingComment ?? '',
    })
  }
  ws.getColumn('content').alignment = { wrapText: true, vertical: 'top' }
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: ws.columnCount } }
  return Buffer.from(await wb.xlsx.writeBuffer())
}
