import fs from 'node:fs'
import { createService } from './app.js'
import { ConfigError, loadConfig } from './config.js'

async function main(): Promise<void> {
  // A .env file in the working directory, if present, fills variables not already set.
  if (fs.existsSync('.env')) process.loadEnvFile('.env')
  let config
  let service
  try {
    config = loadConfig()
    service = await createService(config)
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(78)
    }
    throw error
  }
  service.startWorkers()
  const address = await service.listen()
  service.app.log.info(`工友 is ready at ${address}${service.playground.on ? ` — playground: ${address}/playground` : ''}`)

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    service.app.log.info({ signal }, 'shutting down: finishing in-flight work')
    const force = setTimeout(() => {
      service.app.log.error('graceful shutdown took too long; exiting')
      process.exit(1)
    }, config.SHUTDOWN_GRACE_MS)
    force.unref()
    await service.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

main().catch((error) => {
  console.error(`工友 failed to start: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
