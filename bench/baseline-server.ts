// The baseline for start-up and memory: bare fastify answering /readyz, nothing else.
import Fastify from 'fastify'

const app = Fastify()
app.get('/readyz', async () => ({ ready: true }))
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
