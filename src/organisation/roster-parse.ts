/**
 * Reading a roster file (CSV in UTF-8 or GB18030, or .xlsx): its columns found by their headers,
 * every row checked, every problem reported with the file's own line number.
 */
import type ExcelJS from 'exceljs'
import { parse as parseCsv } from 'csv-parse/sync'
import { zhCN } from '../messages/zh-CN.js'
import { MAX_ROSTER_ROWS } from './roster-limits.js'
import { rowSchema, type RosterFormat, type RosterParse, type RosterRejection, type RosterRow } from './roster-rows.js'

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
