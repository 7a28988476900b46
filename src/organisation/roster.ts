/**
 * The roster (花名册): who works where, in which role. An administrator uploads it as CSV or Excel;
 * it is parsed and checked row by row (every problem reported in Chinese with the file's own line
 * number), then imported in one transaction — all rows or none.
 *
 * Over 400 lines: not yet split (issue #15: parsing and checking rows, the 176-line import, retiring
 * the demo are the seams); left for a later round.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import type ExcelJS from 'exceljs'
import { parse as parseCsv } from 'csv-parse/sync'
import { zhCN } from '../messages/zh-CN.js'
import { MAX_ROSTER_ROWS, rosterTooLarge } from './roster-limits.js'
import { z } from 'zod'
import { personSubject } from '../core/state.js'
import type { Db, Tx } from '../db/client.js'

export type Role = 'worker' | 'collector' | 'officer' | 'admin'

/** The roles in the roster's (zh-CN) words, as the messages name them. */
export const roleLabels = Object.fromEntries((['worker', 'collector', 'officer', 'admin'] as const).map((r) => [r, zhCN.roles[r] ?? r])) as Record<Role, string>

export type UnitLevel = 'company' | 'branch' | 'workshop' | 'team'

/** One valid roster row. */
export interface RosterRow {
  /** The row's line in the file it came from (header is line 1), when it came from a file. */
  line?: number
  employeeNo: string
  name: string
  /**
   * The unit path, segments joined with "/", e.g. `一分厂/机修车间/电工班`. The first segment may be
   * the company's own name (or `公司`); `公司` alone (or the company name alone) is the company level.
   */
  unit: string
  role: Role
  /** Normalised phone (digits, optional leading +). null clears it; undefined (no column) keeps it. */
  phone?: string | null
  /** Grid (网格) name; for workers and collectors, the person's unit is put into this grid. */
  grid?: string | null
  /** Birthday as MM-DD (for 生日慰问). null clears it; undefined (no column) keeps it. */
  birthday?: string | null
}

export interface RosterRejection {
  line: number
  reason: string
}

export interface RosterParse {
  rows: RosterRow[]
  rejected: RosterRejection[]
}

export interface RosterImportResult {
  created: number
  updated: number
  unchanged: number
  unitsCreated: number
  /** Demo people retired by this import (a real roster replaces the demo organisation). */
  demoRetired?: number
}

export type RosterImportOutcome = { ok: true; result: RosterImportResult } | { ok: false; rejected: RosterRejection[] }

export interface RosterImportOptions {
  /** Mark everything created as demo data. */
  demo?: boolean
  /** The company (root unit) name when the root does not exist yet; default `公司`. */
  companyName?: string
}

export type RosterFormat = 'csv' | 'xlsx'

// ------------------------------------------------------------------------------------ columns

type Field = 'employeeNo' | 'name' | 'unit' | 'role' | 'phone' | 'grid' | 'birthday'

const columnLabels: Record<Field, string> = {
  employeeNo: '工号',
  name: '姓名',
  unit: '单位',
  role: '角色',
  phone: '手机',
  grid: '网格',
  birthday: '生日',
}

const requiredFields: Field[] = ['employeeNo', 'name', 'unit', 'role']

/** Header names per field, the documented ones first; later ones are used only when no earlier one is present. */
const headerAliases: Record<Field, string[]> = {
  employeeNo: ['工号', 'employeeno'],
  name: ['姓名', 'name'],
  unit: ['单位', 'unit', '部门'],
  role: ['角色', 'role'],
  phone: ['手机', 'phone', '手机号', '手机号码', 'mobile', '电话'],
  grid: ['网格', 'grid'],
  birthday: ['生日', 'birthday', '出生日期', '生日月日'],
}

/** `* 工号 (必填)` → `工号`; `Employee No` → `employeeno`. */
function normaliseHeader(cell: string): string {
  return cell
    .trim()
    .replace(/[(（][^)）]*(必填|选填|可选|required|optional)[^)）]*[)）]/gi, '')
    .replace(/[*＊\s_-]/g, '')
    .toLowerCase()
}

function mapColumns(header: string[]): { columns: Partial<Record<Field, number>>; missing: Field[] } {
  const normalised = header.map(normaliseHeader)
  const columns: Partial<Record<Field, number>> = {}
  for (const field of Object.keys(headerAliases) as Field[]) {
    for (const alias of headerAliases[field]) {
      const index = normalised.indexOf(alias)
      if (index >= 0) {
        columns[field] = index
        break
      }
    }
  }
  return { columns, missing: requiredFields.filter((f) => columns[f] === undefined) }
}

// ------------------------------------------------------------------------------------ values

const roleWords: Record<string, Role> = {
  职工: 'worker',
  工人: 'worker',
  worker: 'worker',
  网格员: 'collector',
  collector: 'collector',
  工会干部: 'officer',
  干部: 'officer',
  officer: 'officer',
  管理员: 'admin',
  admin: 'admin',
}

const roleHint = `应为 ${Object.values(roleLabels).join('/')}`

/** The role a roster cell names, or null. */
export function parseRole(text: string): Role | null {
  return roleWords[text.trim().toLowerCase()] ?? null
}

/**
 * Splits a unit path (`/`, `／` or `\` between segments) into trimmed segments; null when a
 * segment is empty. An empty path gives no segments.
 */
export function splitUnitPath(text: string): string[] | null {
  const trimmed = text.trim()
  if (trimmed === '') return []
  const segments = trimmed.split(/[/／\\]/).map((s) => s.trim())
  return segments.some((s) => s === '') ? null : segments
}

/**
 * The level of a unit from its name and depth below the company: 班/班组/组/队 → team; 车间 →
 * workshop and 分厂/分公司 → branch at any depth; otherwise branch right under the company and
 * workshop deeper.
 */
export function unitLevel(name: string, depth: number): UnitLevel {
  if (depth === 0) return 'company'
  if (/(班|班组|组|队)$/.test(name)) return 'team'
  if (/车间$/.test(name)) return 'workshop'
  if (/(分厂|分公司)$/.test(name)) return 'branch'
  return depth === 1 ? 'branch' : 'workshop'
}

const length = (s: string): number => [...s].length

/**
 * A birthday cell as MM-DD: `03-15`, `3/15`, `3月15日`, or a full date (`1990-03-15`,
 * `1990/3/15`, `1990年3月15日`, `19900315`) whose year is dropped. Null when it is no date.
 */
export function parseBirthday(text: string): string | null {
  const s = text.trim().normalize('NFKC')
  const full = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s)
  const short = full ? null : /^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(s)
  const [year, month, day] = full ? [Number(full[1]), Number(full[2]), Number(full[3])] : short ? [2000, Number(short[1]), Number(short[2])] : [NaN, NaN, NaN]
  // A leap year stands in when the year is not given, so 02-29 is a birthday.
  const probe = new Date(Date.UTC(2000, month - 1, day))
  probe.setUTCFullYear(year)
  if (!(year >= 1900 && year <= 2100) || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null
  return `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

const rowSchema = z.object({
  employeeNo: z.string().transform((v, ctx) => {
    if (v === '') ctx.addIssue({ code: 'custom', message: '工号不能为空' })
    else if (length(v) > 32) ctx.addIssue({ code: 'custom', message: `工号“${v}”超过 32 个字符` })
    else if (!/^[A-Za-z0-9_-]+$/.test(v)) ctx.addIssue({ code: 'custom', message: `工号“${v}”只能包含字母、数字、- 和 _` })
    return v
  }),
  name: z.string().transform((v, ctx) => {
    if (v === '') ctx.addIssue({ code: 'custom', message: '姓名不能为空' })
    else if (length(v) > 40) ctx.addIssue({ code: 'custom', message: '姓名超过 40 个字' })
    return v
  }),
  unit: z.string().transform((v, ctx) => {
    const segments = splitUnitPath(v)
    if (v === '') ctx.addIssue({ code: 'custom', message: '单位不能为空' })
    else if (segments === null) ctx.addIssue({ code: 'custom', message: `单位“${v}”中有空的层级，应写成 一分厂/机修车间/电工班 这样` })
    else if (segments.some((s) => length(s) > 40)) ctx.addIssue({ code: 'custom', message: `单位“${v}”中有超过 40 个字的名称` })
    return (segments ?? []).join('/')
  }),
  role: z.string().transform((v, ctx): Role => {
    const role = parseRole(v)
    if (role) return role
    ctx.addIssue({ code: 'custom', message: v === '' ? `角色不能为空，${roleHint}` : `角色“${v}”无法识别，${roleHint}` })
    return 'worker'
  }),
  phone: z
    .string()
    .optional()
    .transform((v, ctx): string | null | undefined => {
      if (v === undefined) return undefined
      if (v === '') return null
      const digits = v.replace(/[\s-]/g, '')
      if (/^\+?\d{5,20}$/.test(digits)) return digits
      ctx.addIssue({ code: 'custom', message: `手机“${v}”格式不对，应为 5–20 位数字` })
      return null
    }),
  grid: z
    .string()
    .optional()
    .transform((v, ctx): string | null | undefined => {
      if (v === undefined) return undefined
      if (v === '') return null
      if (length(v) > 40) ctx.addIssue({ code: 'custom', message: '网格名称超过 40 个字' })
      return v
    }),
  birthday: z
    .string()
    .optional()
    .transform((v, ctx): string | null | undefined => {
      if (v === undefined) return undefined
      if (v === '') return null
      const birthday = parseBirthday(v)
      if (birthday) return birthday
      ctx.addIssue({ code: 'custom', message: `生日“${v}”格式不对，应为 月-日（如 03-15）或 年-月-日（如 1990-03-15）` })
      return null
    }),
})

// ------------------------------------------------------------------------------------ parsing

interface RawRecord {
  line: number
  cells: string[]
}

const fileRejection = (reason: string): RosterParse => ({ rows: [], rejected: [{ line: 1, reason: `第 1 行：${reason}` }] })

/** UTF-8 when the bytes are valid UTF-8, else GB18030 (what Excel on Chinese Windows saves CSV as). */
function decodeText(data: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data)
  } catch {
    return new TextDecoder('gb18030').decode(data)
  }
}

const lineBreaks = /\r\n|\r|\n/g

function csvRecords(data: Buffer): RawRecord[] {
  let text = decodeText(data)
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const firstLine = text.split(/\r\n|\r|\n/, 1)[0] ?? ''
  const delimiter = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ','
  const parsed = parseCsv(text, {
    delimiter,
    raw: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
  }) as unknown as { record: string[]; raw: string }[]
  // Line numbers counted from the raw text, so quoted fields spanning lines keep them right.
  const records: RawRecord[] = []
  let consumed = 0
  for (const { record, raw } of parsed) {
    const leading = /^(?:\r\n|\r|\n)*/.exec(raw)?.[0] ?? ''
    const line = consumed + (leading.match(lineBreaks)?.length ?? 0) + 1
    consumed += raw.match(lineBreaks)?.length ?? 0
    records.push({ line, cells: record })
  }
  return records
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if ('richText' in value) return value.richText.map((r) => r.text).join('')
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result as ExcelJS.CellValue)
  if ('hyperlink' in value) return cellText(value.text as ExcelJS.CellValue)
  return ''
}

async function xlsxRecords(data: Buffer): Promise<RawRecord[] | null> {
  const workbook = new (await import('exceljs')).default.Workbook()
  try {
    await workbook.xlsx.load(data as unknown as ExcelJS.Buffer)
  } catch {
    return null
  }
  const sheet = workbook.worksheets[0]
  const records: RawRecord[] = []
  sheet?.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = []
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value))
    records.push({ line: row.number, cells })
  })
  return records
}

/**
 * Parses a roster file. Never throws on bad input: an unreadable file or a missing column is one
 * rejection at line 1, every bad row a rejection at its own line.
 */
export async function parseRoster(data: Buffer, format: RosterFormat): Promise<RosterParse> {
  let records: RawRecord[]
  if (format === 'csv') {
    try {
      records = csvRecords(data)
    } catch (error) {
      const line = (error as { lines?: number }).lines
      return { rows: [], rejected: [{ line: line ?? 1, reason: `${line ? `第 ${line} 行：` : ''}CSV 格式有误，请检查引号是否成对` }] }
    }
  } else {
    const read = await xlsxRecords(data)
    if (!read) return fileRejection('无法读取这个 Excel 文件，请另存为 .xlsx 格式后再试')
    records = read
  }
  records = records.filter((r) => r.cells.some((c) => c.trim() !== ''))
  if (records.length > MAX_ROSTER_ROWS + 1) return fileRejection(zhCN.limits.importTooManyRows(MAX_ROSTER_ROWS))

  const [headerRecord, ...dataRecords] = records
  if (!headerRecord) return fileRejection('文件是空的，第一行应为表头 工号,姓名,单位,角色,手机')
  const { columns, missing } = mapColumns(headerRecord.cells)
  if (missing.length > 0) {
    return {
      rows: [],
      rejected: [
        {
          line: headerRecord.line,
          reason: `第 ${headerRecord.line} 行：缺少列 ${missing.map((f) => columnLabels[f]).join('、')}（表头应为 工号,姓名,单位,角色,手机）`,
        },
      ],
    }
  }

  const rows: RosterRow[] = []
  const rejected: RosterRejection[] = []
  const firstLineOf = new Map<string, number>()
  const gridOfUnit = new Map<string, { grid: string; line: number }>()
  for (const { line, cells } of dataRecords) {
    const cell = (field: Field): string | undefined => {
      const index = columns[field]
      return index === undefined ? undefined : (cells[index] ?? '').trim()
    }
    const input = {
      employeeNo: cell('employeeNo') ?? '',
      name: cell('name') ?? '',
      unit: cell('unit') ?? '',
      role: cell('role') ?? '',
      phone: cell('phone'),
      grid: cell('grid'),
      birthday: cell('birthday'),
    }
    const parsed = rowSchema.safeParse(input)
    const reasons = parsed.success ? [] : parsed.error.issues.map((i) => i.message)

    if (/^[A-Za-z0-9_-]{1,32}$/.test(input.employeeNo)) {
      const first = firstLineOf.get(input.employeeNo)
      if (first === undefined) firstLineOf.set(input.employeeNo, line)
      else reasons.push(`工号 ${input.employeeNo} 与第 ${first} 行重复`)
    }
    if (parsed.success && parsed.data.grid && (parsed.data.role === 'worker' || parsed.data.role === 'collector')) {
      const earlier = gridOfUnit.get(parsed.data.unit)
      if (!earlier) gridOfUnit.set(parsed.data.unit, { grid: parsed.data.grid, line })
      else if (earlier.grid !== parsed.data.grid) {
        reasons.push(`单位“${parsed.data.unit}”在第 ${earlier.line} 行已归入网格“${earlier.grid}”，这里又写了“${parsed.data.grid}”`)
      }
    }

    if (reasons.length > 0 || !parsed.success) {
      rejected.push({ line, reason: `第 ${line} 行：${reasons.join('；')}` })
      continue
    }
    const row: RosterRow = { line, employeeNo: parsed.data.employeeNo, name: parsed.data.name, unit: parsed.data.unit, role: parsed.data.role }
    if (parsed.data.phone !== undefined) row.phone = parsed.data.phone
    if (parsed.data.grid !== undefined) row.grid = parsed.data.grid
    if (parsed.data.birthday !== undefined) row.birthday = parsed.data.birthday
    rows.push(row)
  }
  return { rows, rejected }
}

// ------------------------------------------------------------------------------------ import

interface CachedUnit {
  id: number
  name: string
  path: string
  gridId: number | null
}

interface ExistingPerson {
  id: number
  employeeNo: string
  name: string
  phone: string | null
  role: string
  unitId: number
  active: boolean
  birthday: string | null
}

interface PersonUpdate {
  name?: string
  unitId?: number
  role?: Role
  phone?: string | null
  active?: boolean
  birthday?: string | null
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Imports valid roster rows in one transaction: creates the company root and every missing unit,
 * upserts people by employee number, puts collectors into their grids. Re-importing the same rows
 * changes nothing.
 */
export async function importRoster(db: Db, rows: RosterRow[], opts: RosterImportOptions = {}): Promise<RosterImportResult> {
  const seen = new Set<string>()
  for (const row of rows) {
    if (seen.has(row.employeeNo)) throw new Error(`duplicate employeeNo in roster rows: ${row.employeeNo}`)
    seen.add(row.employeeNo)
  }
  return db.$transaction(async (tx) => importInTransaction(tx, rows, opts), { timeout: 60_000 })
}

async function importInTransaction(tx: Tx, rows: RosterRow[], opts: RosterImportOptions): Promise<RosterImportResult> {
  const demo = opts.demo ?? false
  let unitsCreated = 0
  // A real roster replaces the demo organisation, in this same transaction: all or nothing.
  const demoRetired = demo ? 0 : await retireDemo(tx)

  // Units, cached by path.
  const byPath = new Map<string, CachedUnit>()
  const byId = new Map<number, CachedUnit>()
  const remember = (u: CachedUnit): CachedUnit => {
    byPath.set(u.path, u)
    byId.set(u.id, u)
    return u
  }
  const unitSelect = { id: true, name: true, path: true, gridId: true } as const
  for (const u of await tx.unit.findMany({ select: unitSelect })) remember(u)
  let root = byPath.get('')
  if (!root) {
    root = remember(await tx.unit.create({ data: { name: opts.companyName ?? '公司', path: '', level: 'company', demo }, select: unitSelect }))
    unitsCreated++
  }
  const rootNames = new Set([root.name, '公司', ...(opts.companyName ? [opts.companyName] : [])])

  const ensureUnit = async (segments: string[]): Promise<CachedUnit> => {
    let parent = root
    for (let depth = 1; depth <= segments.length; depth++) {
      const unitPath = segments.slice(0, depth).join('/')
      let unit = byPath.get(unitPath)
      if (!unit) {
        const name = segments[depth - 1]!
        unit = remember(
          await tx.unit.create({
            data: { name, path: unitPath, level: unitLevel(name, depth), parentId: parent.id, demo },
            select: unitSelect,
          }),
        )
        unitsCreated++
      }
      parent = unit
    }
    return parent
  }

  const rowUnits: CachedUnit[] = []
  for (const row of rows) {
    const segments = splitUnitPath(row.unit)
    if (segments === null) throw new Error(`invalid unit path: ${row.unit}`)
    if (segments.length > 0 && rootNames.has(segments[0]!)) segments.shift()
    rowUnits.push(await ensureUnit(segments))
  }

  // Grids: the 网格 column first, then each collector's unit's grid (made when missing).
  const gridsByName = new Map<string, number>()
  for (const g of await tx.grid.findMany({ select: { id: true, name: true } })) gridsByName.set(g.name, g.id)
  const gridNamed = async (name: string): Promise<number> => {
    let id = gridsByName.get(name)
    if (id === undefined) {
      id = (await tx.grid.create({ data: { name }, select: { id: true } })).id
      gridsByName.set(name, id)
    }
    return id
  }
  const unitGrid = new Map<number, number>()
  const collectorGrid = new Map<number, number>() // row index → grid id
  for (const [i, row] of rows.entries()) {
    if (row.grid && (row.role === 'worker' || row.role === 'collector')) {
      const gridId = await gridNamed(row.grid)
      unitGrid.set(rowUnits[i]!.id, gridId)
      if (row.role === 'collector') collectorGrid.set(i, gridId)
    }
  }
  for (const [i, row] of rows.entries()) {
    if (row.role !== 'collector' || collectorGrid.has(i)) continue
    const unit = rowUnits[i]!
    let gridId = unitGrid.get(unit.id) ?? unit.gridId
    if (gridId === null) {
      gridId = await gridNamed(unit.path === '' ? root.name : unit.path)
      unitGrid.set(unit.id, gridId)
    }
    collectorGrid.set(i, gridId)
  }
  for (const [unitId, gridId] of unitGrid) {
    const unit = byId.get(unitId)!
    if (unit.gridId !== gridId) {
      await tx.unit.update({ where: { id: unitId }, data: { gridId } })
      unit.gridId = gridId
    }
  }

  // People.
  const existing = new Map<string, ExistingPerson>()
  const memberships = new Map<number, Set<number>>() // person id → grid ids they collect for
  for (const part of chunks(rows, 1000)) {
    const people = await tx.person.findMany({
      where: { employeeNo: { in: part.map((r) => r.employeeNo) } },
      select: { id: true, employeeNo: true, name: true, phone: true, role: true, unitId: true, active: true, birthday: true },
    })
    for (const p of people) existing.set(p.employeeNo, p)
    const links = await tx.gridCollector.findMany({ where: { personId: { in: people.map((p) => p.id) } } })
    for (const l of links) {
      let set = memberships.get(l.personId)
      if (!set) memberships.set(l.personId, (set = new Set()))
      set.add(l.gridId)
    }
  }

  let updated = 0
  let unchanged = 0
  const toCreate: { index: number; row: RosterRow }[] = []
  const addLinks: { gridId: number; personId: number }[] = []
  const removeLinks = new Map<number, number[]>() // grid id → person ids
  const updates = new Map<string, { data: PersonUpdate; ids: number[] }>() // same change, one updateMany
  for (const [i, row] of rows.entries()) {
    const person = existing.get(row.employeeNo)
    if (!person) {
      toCreate.push({ index: i, row })
      continue
    }
    const unitId = rowUnits[i]!.id
    const data: PersonUpdate = {}
    if (person.name !== row.name) data.name = row.name
    if (person.unitId !== unitId) data.unitId = unitId
    if (person.role !== row.role) data.role = row.role
    if (row.phone !== undefined && person.phone !== row.phone) data.phone = row.phone
    if (row.birthday !== undefined && person.birthday !== row.birthday) data.birthday = row.birthday
    if (!person.active) data.active = true

    const current = memberships.get(person.id) ?? new Set<number>()
    const wanted = collectorGrid.get(i)
    const stale = [...current].filter((g) => g !== wanted)
    const missingLink = wanted !== undefined && !current.has(wanted)
    for (const gridId of stale) {
      const ids = removeLinks.get(gridId)
      if (ids) ids.push(person.id)
      else removeLinks.set(gridId, [person.id])
    }
    if (missingLink) addLinks.push({ gridId: wanted, personId: person.id })

    const changed = Object.keys(data).length > 0
    if (changed) {
      const key = JSON.stringify(data)
      const group = updates.get(key)
      if (group) group.ids.push(person.id)
      else updates.set(key, { data, ids: [person.id] })
    }
    if (changed || stale.length > 0 || missingLink) updated++
    else unchanged++
  }

  for (const part of chunks(toCreate, 500)) {
    const created = await tx.person.createManyAndReturn({
      data: part.map(({ index, row }) => ({
        employeeNo: row.employeeNo,
        name: row.name,
        phone: row.phone ?? null,
        birthday: row.birthday ?? null,
        role: row.role,
        unitId: rowUnits[index]!.id,
        demo,
      })),
      select: { id: true, employeeNo: true },
    })
    const idOf = new Map(created.map((p) => [p.employeeNo, p.id]))
    for (const { index, row } of part) {
      const gridId = collectorGrid.get(index)
      if (gridId !== undefined) addLinks.push({ gridId, personId: idOf.get(row.employeeNo)! })
    }
  }
  for (const { data, ids } of updates.values()) {
    if (ids.length === 1) await tx.person.updateMany({ where: { id: ids[0]! }, data })
    else for (const part of chunks(ids, 1000)) await tx.person.updateMany({ where: { id: { in: part } }, data })
  }
  for (const [gridId, personIds] of removeLinks) {
    for (const part of chunks(personIds, 1000)) await tx.gridCollector.deleteMany({ where: { gridId, personId: { in: part } } })
  }
  for (const part of chunks(addLinks, 1000)) await tx.gridCollector.createMany({ data: part })

  return { created: toCreate.length, updated, unchanged, unitsCreated, ...(demoRetired > 0 ? { demoRetired } : {}) }
}

// ------------------------------------------------------------------------------------ the demo

/** Marks a retired demo person's employee number; the roster's numbers (ASCII only) can never take this form. */
export const RETIRED_DEMO_SUFFIX = '（演示）'
/** Retired demo units hang under a path that starts with "/", which no roster unit can have. */
export const RETIRED_DEMO_PREFIX = '/'

/**
 * Retires the demo organisation (示例集团（演示）) so that nothing of it can act or be acted as once
 * a real roster is in: demo people become inactive, their employee numbers move out of the
 * roster's way (a real D9000 is a new person, never the demo administrator), and their platform
 * identities, API tokens, dashboard sessions, sign-in links and conversations are removed; demo
 * chat groups are unbound; demo units leave the company root (path '') and the roster's paths
 * (their paths move under "/示例集团（演示）"), so the real import makes its own root and units.
 * Requests and polls of demo people stay, attached to the retired people and units, for history.
 * Answers how many demo people were retired (0 when there was no active demo).
 */
export async function retireDemo(tx: Tx): Promise<number> {
  const people = await tx.person.findMany({ where: { demo: true }, select: { id: true, employeeNo: true, active: true } })
  const units = await tx.unit.findMany({
    where: { demo: true, NOT: { path: { startsWith: RETIRED_DEMO_PREFIX } } },
    select: { id: true, path: true, name: true, gridId: true },
  })
  const chats = await tx.chatGroup.count({ where: { demo: true, unitId: { not: null } } })
  const retiring = people.filter((p) => p.active || !p.employeeNo.endsWith(RETIRED_DEMO_SUFFIX))
  if (retiring.length === 0 && units.length === 0 && chats === 0) return 0

  const ids = people.map((p) => p.id)
  for (const part of chunks(ids, 1000)) {
    await tx.platformIdentity.deleteMany({ where: { personId: { in: part } } })
    await tx.apiToken.deleteMany({ where: { personId: { in: part } } })
    await tx.conversation.deleteMany({ where: { subject: { in: part.map(personSubject) } } })
    await tx.gridCollector.deleteMany({ where: { personId: { in: part } } })
  }
  for (const p of retiring) {
    const employeeNo = p.employeeNo.endsWith(RETIRED_DEMO_SUFFIX) ? p.employeeNo : `${p.employeeNo}${RETIRED_DEMO_SUFFIX}`
    await tx.person.update({ where: { id: p.id }, data: { active: false, employeeNo } })
  }
  await tx.chatGroup.updateMany({ where: { demo: true }, data: { unitId: null } })

  // Units: out of the company root's place and out of the roster's paths; their grids go with them.
  const root = units.find((u) => u.path === '')
  const base = `${RETIRED_DEMO_PREFIX}${root?.name ?? '演示'}`
  const grids = new Set(units.map((u) => u.gridId).filter((g): g is number => g !== null))
  for (const u of units) await tx.unit.update({ where: { id: u.id }, data: { path: u.path === '' ? base : `${base}/${u.path}`, gridId: null } })
  for (const gridId of grids) {
    const [inUse, collectors] = await Promise.all([tx.unit.count({ where: { gridId } }), tx.gridCollector.count({ where: { gridId } })])
    if (inUse === 0 && collectors === 0) await tx.grid.delete({ where: { id: gridId } })
  }
  return retiring.length
}

// ------------------------------------------------------------------------------------ wrappers

/** Parses and imports a roster; when any row is rejected nothing is imported and every rejection is returned. */
export async function importRosterBuffer(db: Db, data: Buffer, format: RosterFormat, opts?: RosterImportOptions): Promise<RosterImportOutcome> {
  const tooLarge = rosterTooLarge(data, format)
  if (tooLarge) return { ok: false, rejected: [{ line: 1, reason: tooLarge.message }] }
  const { rows, rejected } = await parseRoster(data, format)
  if (rejected.length > 0) return { ok: false, rejected }
  return { ok: true, result: await importRoster(db, rows, opts) }
}

/** The roster format a file name implies, or null. */
export function rosterFormatOf(filePath: string): RosterFormat | null {
  const ext = path.extname(filePath).toLowerCase()
  return ext === '.csv' || ext === '.txt' ? 'csv' : ext === '.xlsx' ? 'xlsx' : null
}

/** Reads a .csv or .xlsx roster file and imports it (see importRosterBuffer). */
export async function importRosterFile(db: Db, filePath: string, opts?: RosterImportOptions): Promise<RosterImportOutcome> {
  const format = rosterFormatOf(filePath)
  if (!format) return { ok: false, rejected: [{ line: 1, reason: '只支持 .csv 或 .xlsx 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）' }] }
  let data: Buffer
  try {
    data = await fs.readFile(filePath)
  } catch {
    return { ok: false, rejected: [{ line: 1, reason: `无法读取文件 ${filePath}` }] }
  }
  return importRosterBuffer(db, data, format, opts)
}
