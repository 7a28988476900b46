/**
 * The roster (花名册): who works where, in which role. An administrator uploads it as CSV or Excel;
 * it is parsed and checked row by row (every problem reported in Chinese with the file's own line
 * number), then imported in one transaction — all rows or none.
 *
 * One part per file: roster-rows (the row, roles, value checks), roster-parse (CSV/XLSX to rows),
 * roster-import (the transaction), roster-demo (retiring the demo organisation), roster-limits
 * (what a file may be before it is parsed); this file re-exports them and reads files.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Db } from '../db/client.js'
import { rosterTooLarge } from './roster-limits.js'
import { importRoster } from './roster-import.js'
import { parseRoster } from './roster-parse.js'
import type { RosterFormat, RosterImportOptions, RosterImportOutcome } from './roster-rows.js'

export { RETIRED_DEMO_PREFIX, RETIRED_DEMO_SUFFIX, retireDemo } from './roster-demo.js'
export { importRoster } from './roster-import.js'
export { parseRoster } from './roster-parse.js'
export {
  parseBirthday,
  parseRole,
  type Role,
  roleLabels,
  type RosterFormat,
  type RosterImportOptions,
  type RosterImportOutcome,
  type RosterImportResult,
  type RosterParse,
  type RosterRejection,
  type RosterRow,
  splitUnitPath,
  type UnitLevel,
  unitLevel,
} from './roster-rows.js'

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
