import type ExcelJS from 'exceljs'
import { roleLabels, type Role } from '../organisation/roster.js'

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export interface RosterExportRow {
  employeeNo: string
  name: string
  /** As the import reads it: the unit's path, or the company's name for the company level. */
  unit: string
  role: string
  phone?: string | null
  grid?: string | null
  active: boolean
  platforms: string[]
}

const headerStyle = (row: ExcelJS.Row) => {
  row.font = { bold: true, color: { argb: 'FFFFFFFF' } }
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFB91C1C' } }
  row.alignment = { vertical: 'middle' }
}

/** Header labels the roster import reads (src/organisation/roster-parse.ts). */
function columns(withPhone: boolean): Partial<ExcelJS.Column>[] {
  return [
    { header: '工号', key: 'employeeNo', width: 12 },
    { header: '姓名', key: 'name', width: 12 },
    { header: '单位', key: 'unit', width: 28 },
    { header: '角色', key: 'role', width: 10 },
    ...(withPhone ? [{ header: '手机', key: 'phone', width: 16 }] : []),
    { header: '网格', key: 'grid', width: 16 },
  ]
}

/**
 * The roster as an XLSX the import takes back unchanged: 工号,姓名,单位,角色[,手机],网格 on the first
 * sheet (the phone column only for administrators — without it an import keeps phones as they are),
 * and who has bound which platform on a second sheet.
 */
export async function rosterWorkbook(rows: RosterExportRow[], opts: { withPhone: boolean; scope: string }): Promise<Buffer> {
  const wb = new (await import('exceljs')).default.Workbook()
  wb.creator = '工友'
  const ws = wb.addWorksheet('花名册', { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.columns = columns(opts.withPhone)
  headerStyle(ws.getRow(1))
  for (const r of rows.filter((x) => x.active)) {
    ws.addRow({
      employeeNo: r.employeeNo,
      name: r.name,
      unit: r.unit,
      role: roleLabels[r.role as Role] ?? r.role,
      ...(opts.withPhone ? { phone: r.phone ?? '' } : {}),
      grid: r.grid ?? '',
    })
  }
  ws.getColumn('employeeNo').numFmt = '@'
  const bound = wb.addWorksheet('绑定情况', { views: [{ state: 'frozen', ySplit: 1 }] })
  bound.columns = [
    { header: '工号', key: 'employeeNo', width: 12 },
    { header: '姓名', key: 'name', width: 12 },
    { header: '单位', key: 'unit', width: 28 },
    { header: '状态', key: 'active', width: 8 },
    { header: '已绑定平台', key: 'platforms', width: 24 },
  ]
  headerStyle(bound.getRow(1))
  for (const r of rows)
    bound.addRow({
      employeeNo: r.employeeNo,
      name: r.name,
      unit: r.unit,
      active: r.active ? '在册' : '停用',
      platforms: r.platforms.map(platformLabel).join('、') || '未绑定',
    })
  bound.addRow([])
  bound.addRow([`范围：${opts.scope}`])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** An empty roster with the documented columns, two example rows and a sheet of notes. */
export async function rosterTemplate(): Promise<Buffer> {
  const wb = new (await import('exceljs')).default.Workbook()
  wb.creator = '工友'
  const ws = wb.addWorksheet('花名册', { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.columns = columns(true)
  headerStyle(ws.getRow(1))
  ws.addRow({ employeeNo: 'A0001', name: '张三', unit: '一分厂/机修车间/电工班', role: '职工', phone: '13800000000', grid: '机修网格' })
  ws.addRow({ employeeNo: 'A0002', name: '李四', unit: '一分厂/机修车间', role: '工会干部', phone: '', grid: '' })
  ws.getColumn('employeeNo').numFmt = '@'
  ws.getColumn('phone').numFmt = '@'
  const notes = wb.addWorksheet('填写说明')
  notes.getColumn(1).width = 100
  for (const line of [
    '第一张表第一行是表头：工号、姓名、单位、角色为必填，手机、网格可不填。请删除示例行后填写。',
    '单位写完整路径，用 / 分隔，例如 一分厂/机修车间/电工班；公司层级写“公司”或公司名称。不存在的单位会自动建立。',
    '角色：职工、网格员、工会干部、管理员。工会干部负责其所在单位及下级单位。',
    '网格：把一个或几个班组归为一个网格，网格员收集本网格职工的诉求。',
    '再次导入同一工号会更新该人员，不会重复；只要有一行不正确，整份文件都不会导入，并列出每一行的问题。',
    '没有“手机”列时，导入不会改动已有的手机号。',
  ])
    notes.addRow([line])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

export function platformLabel(p: string): string {
  return ({ feishu: '飞书', wecom: '企业微信', wechaty: '微信', web: '演示平台' } as Record<string, string>)[p] ?? p
}
