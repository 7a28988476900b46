/** The admin API's request categories and their deadlines (minutes): list, add, change (administrators). */
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { FALLBACK_CATEGORY } from '../requests/categories.js'
import { ApiError, notFound, requireAdmin, type ApiDeps } from './context.js'
import { errors, idParam } from './schemas.js'

const tags = ['诉求']

const categoryOut = z.object({
  id: z.number(),
  name: z.string(),
  keywords: z.string(),
  urgentByDefault: z.boolean(),
  sensitive: z.boolean().describe('敏感类别：工会干部群只看到编号、类别和单位，不见姓名和内容'),
  answerMinutes: z.number(),
  resultMinutes: z.number(),
  urgentAnswerMinutes: z.number(),
  urgentResultMinutes: z.number(),
  sortOrder: z.number(),
  active: z.boolean(),
})

const minutes = (what: string) =>
  z
    .number({ error: `${what}应为分钟数` })
    .int(`${what}应为整数分钟`)
    .min(1, `${what}至少 1 分钟`)
    .max(366 * 24 * 60, `${what}最多一年`)
const categoryFields = z.object({
  name: z.string().trim().min(1, '请填写类别名称').max(20, '类别名称最多 20 字'),
  keywords: z.string().max(1000, '关键词最多 1000 字').default(''),
  urgentByDefault: z.boolean().default(false),
  sensitive: z.boolean({ error: 'sensitive 应为 true 或 false' }).default(false),
  answerMinutes: minutes('首次答复时限'),
  resultMinutes: minutes('办结时限'),
  urgentAnswerMinutes: minutes('紧急首次答复时限').default(30),
  urgentResultMinutes: minutes('紧急办结时限'),
  sortOrder: z.number().int().min(0).max(10_000).default(50),
  active: z.boolean().default(true),
})
const categoryPatch = z
  .object({
    name: categoryFields.shape.name,
    keywords: z.string().max(1000, '关键词最多 1000 字'),
    urgentByDefault: z.boolean(),
    sensitive: z.boolean({ error: 'sensitive 应为 true 或 false' }),
    answerMinutes: minutes('首次答复时限'),
    resultMinutes: minutes('办结时限'),
    urgentAnswerMinutes: minutes('紧急首次答复时限'),
    urgentResultMinutes: minutes('紧急办结时限'),
    sortOrder: z.number().int().min(0).max(10_000),
    active: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, '请至少修改一项')

function checkDeadlines(c: { answerMinutes: number; resultMinutes: number; urgentAnswerMinutes: number; urgentResultMinutes: number }): void {
  if (c.answerMinutes > c.resultMinutes) throw new ApiError(400, 'invalid_request', '首次答复时限不能长于办结时限')
  if (c.urgentAnswerMinutes > c.urgentResultMinutes) throw new ApiError(400, 'invalid_request', '紧急首次答复时限不能长于紧急办结时限')
}

export async function categoryRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { db } = deps

  r.get('/api/v1/categories', {
    schema: { tags, summary: '诉求类别与办理时限（分钟）', response: { 200: z.object({ categories: z.array(categoryOut) }), ...errors } },
    handler: async () => ({ categories: (await db.requestCategory.findMany({ orderBy: [{ sortOrder: 'asc' }, { id: 'asc' }] })).map(categoryFieldsOf) }),
  })

  r.post('/api/v1/categories', {
    schema: { tags, summary: '新增类别（管理员）', body: categoryFields, response: { 201: categoryOut, ...errors, 409: errors[400] } },
    handler: async (req, reply) => {
      requireAdmin(req)
      checkDeadlines(req.body)
      if (await db.requestCategory.findUnique({ where: { name: req.body.name } })) throw new ApiError(409, 'exists', `已有类别“${req.body.name}”`)
      return reply.code(201).send(categoryFieldsOf(await db.requestCategory.create({ data: req.body })))
    },
  })

  r.patch('/api/v1/categories/:id', {
    schema: {
      tags,
      summary: '修改类别与时限（管理员）',
      description: '新时限用于之后提交的诉求；已有诉求的期限不变。',
      params: idParam,
      body: categoryPatch,
      response: { 200: categoryOut, ...errors, 409: errors[400] },
    },
    handler: async (req) => {
      requireAdmin(req)
      const current = await db.requestCategory.findUnique({ where: { id: req.params.id } })
      if (!current) throw notFound(`编号为 ${req.params.id} 的类别`)
      const next = { ...current, ...req.body }
      checkDeadlines(next)
      if (req.body.name && req.body.name !== current.name && (await db.requestCategory.findUnique({ where: { name: req.body.name } })))
        throw new ApiError(409, 'exists', `已有类别“${req.body.name}”`)
      if (req.body.active === false && current.name === FALLBACK_CATEGORY) throw new ApiError(409, 'fallback_category', `“${current.name}”是兜底类别，不能停用`)
      return categoryFieldsOf(await db.requestCategory.update({ where: { id: current.id }, data: req.body }))
    },
  })
}

function categoryFieldsOf(c: z.infer<typeof categoryOut> & { createdAt?: Date }): z.infer<typeof categoryOut> {
  return {
    id: c.id,
    name: c.name,
    keywords: c.keywords,
    urgentByDefault: c.urgentByDefault,
    sensitive: c.sensitive,
    answerMinutes: c.answerMinutes,
    resultMinutes: c.resultMinutes,
    urgentAnswerMinutes: c.urgentAnswerMinutes,
    urgentResultMinutes: c.urgentResultMinutes,
    sortOrder: c.sortOrder,
    active: c.active,
  }
}
