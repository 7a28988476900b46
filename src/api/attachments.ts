/**
 * A request's photos and files (issue #18): listed in the request's detail (never their bytes) and
 * served one by one to those who may see the request (the same scope rule), with their own type,
 * as a download unless an image, never sniffed, never run (a sandbox CSP).
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { asker, loadScope, notFound, outOfScope, type ApiDeps } from './context.js'
import { visible } from './requests.js'
import { errors, requestNumberParam } from './schemas.js'

/** Content-Disposition with the name (RFC 6266 / 5987: an ASCII fallback and the UTF-8 name). */
export function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'application/pdf': 'pdf' }

export async function attachmentRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.get('/api/v1/requests/:number/attachments/:id', {
    schema: {
      tags: ['诉求'],
      summary: '诉求附件的内容',
      description: '照片原样返回（inline），PDF 作为下载（attachment）。能看到该诉求的人才能取。',
      params: requestNumberParam.extend({ id: z.coerce.number({ error: '编号应为数字' }).int().positive() }),
      response: { ...errors },
    },
    handler: async (req, reply) => {
      const scope = await loadScope(deps.db, asker(req))
      const request = await deps.db.workerRequest.findUnique({ where: { number: req.params.number } })
      if (!request) throw notFound(`诉求 ${req.params.number}`)
      if (!visible(scope, request)) throw outOfScope(`诉求 ${req.params.number} `)
      const a = await deps.db.attachment.findFirst({ where: { id: req.params.id, requestId: request.id } })
      if (!a) throw notFound(`诉求 ${request.number} 的附件 ${req.params.id}`)
      const name = a.name ?? `${request.number}-${a.id}.${EXTENSIONS[a.mime] ?? 'bin'}`
      // The bytes as stored (a Buffer is sent as it is, not through the JSON serializer).
      return (reply as FastifyReply)
        .header('content-type', a.mime)
        .header('content-disposition', disposition(a.mime.startsWith('image/') ? 'inline' : 'attachment', name))
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, no-store')
        .send(Buffer.from(a.bytes))
    },
  })
}
