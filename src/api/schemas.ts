import { zhCN } from '../messages/zh-CN.js'
import { z } from 'zod'
import { isRequestNumber, normaliseNumber } from '../requests/service.js'

/** A yes/no query parameter: true/false (or 1/0). */
export const queryBool = z.enum(['true', 'false', '1', '0'], { error: '应为 true 或 false' }).transform((v) => v === 'true' || v === '1')

export const page = z.coerce.number({ error: '页码应为数字' }).int('页码应为整数').min(1, '页码从 1 开始').default(1)
export const pageSize = z.coerce.number({ error: '每页条数应为数字' }).int('每页条数应为整数').min(1, '每页至少 1 条').max(100, '每页最多 100 条').default(20)

export const idParam = z.object({ id: z.coerce.number({ error: '编号应为数字' }).int('编号应为整数').positive('编号应为正整数') })

export const requestNumberParam = z.object({
  number: z
    .string()
    .refine(isRequestNumber, '诉求编号应形如 SQ-2026-0042')
    .transform((s) => normaliseNumber(s))
    .describe('诉求编号，如 SQ-2026-0042'),
})

/** A calendar month, `2026-03`. */
/** A report month: YYYY-MM, years 2000–2100 (a year 0 or 9999 would reach dates the database cannot hold). */
export const monthString = z.string().regex(/^(20\d\d|2100)-(0[1-9]|1[0-2])$/, zhCN.limits.badMonth)

export const personRef = z.object({ id: z.number(), employeeNo: z.string(), name: z.string(), role: z.string() })
export const unitRef = z.object({ id: z.number(), path: z.string(), label: z.string() })

export const errorBody = z.object({ error: z.looseObject({ code: z.string(), message: z.string() }) }).describe('错误：code 稳定不变，message 为中文说明')

/** Standard error responses for the OpenAPI document. */
export const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 429: errorBody } as const

/** Free text from a person: trimmed, not empty, bounded; kept exactly as written otherwise. */
export const text = (what: string, max = 2000) =>
  z
    .string({ error: `请填写${what}` })
    .trim()
    .min(1, `请填写${what}`)
    .max(max, `${what}最多 ${max} 字`)
