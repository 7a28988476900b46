/** One roster row: its shape, the roles and unit levels, and the check of every value (in Chinese, for the administrator). */
import { z } from 'zod'
import { zhCN } from '../messages/zh-CN.js'

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

export const rowSchema = z.object({
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

/** Items in batches of `size` (so no query lists more ids than a database takes at once). */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
