import type { FastifyInstance } from 'fastify'
import type { Db } from '../db/client.js'

/** Organisation API. The admin API (issue: admin API) adds token auth and the rest. */
export async function organisationRoutes(_app: FastifyInstance, _opts: { db: Db }): Promise<void> {}
