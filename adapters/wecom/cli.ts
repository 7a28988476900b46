/**
 * Binding WeCom group robots from the command line (the same as POST /api/v1/wecom/robots):
 *
 *   npx tsx adapters/wecom/cli.ts robot-add <webhook URL or key> <unit> <group name> [--officers]
 *   npx tsx adapters/wecom/cli.ts robot-list
 *   npx tsx adapters/wecom/cli.ts robot-remove <id>
 *
 * The database is DATABASE_URL (default file:./data/gongyou.db).
 */
import fs from 'node:fs'
import { ConfigError, loadConfig } from '../../src/config.js'
import { openPlatformRecords } from '../../src/core/adapter-ports.js'
import { bindRobot, listRobots, unbindRobot } from './robots.js'

const usage = `Usage: npx tsx adapters/wecom/cli.ts <command>
  robot-add <webhook URL or key> <unit> <group name> [--officers]
                     bind a group robot to a unit ("" for the company): its team group, or with
                     --officers its officers' group (new requests are announced there)
  robot-list         list bound robots (keys masked)
  robot-remove <id>  unbind a robot`

async function main(argv: string[]): Promise<number> {
  if (fs.existsSync('.env')) process.loadEnvFile('.env')
  const [command, ...rest] = argv
  const officers = rest.includes('--officers')
  const args = rest.filter((a) => a !== '--officers')
  if (!command || !['robot-add', 'robot-list', 'robot-remove'].includes(command)) {
    console.error(usage)
    return command ? 2 : 0
  }
  const config = loadConfig()
  const { records, close } = await openPlatformRecords(config.DATABASE_URL, 'wecom')
  try {
    if (command === 'robot-list') {
      const robots = await listRobots(records)
      if (robots.length === 0) console.log('No group robots are bound.')
      for (const r of robots) console.log(`#${r.id}  ${r.name}  ${r.unit ?? '(no unit)'}  ${r.purpose}  key ${r.key}`)
      return 0
    }
    if (command === 'robot-remove') {
      const id = Number(args[0])
      if (!Number.isInteger(id) || id <= 0) {
        console.error("robot-remove needs the robot's id (see robot-list).")
        return 2
      }
      if (!(await unbindRobot(records, id))) {
        console.error(`No group robot #${id}.`)
        return 1
      }
      console.log(`Unbound group robot #${id}.`)
      return 0
    }
    const [webhook, unit, name] = args
    if (!webhook || unit === undefined || !name) {
      console.error(usage)
      return 2
    }
    const outcome = await bindRobot(records, { webhook, unit, name, purpose: officers ? 'officers' : 'team' })
    if (!outcome.ok) {
      console.error(outcome.message)
      return 1
    }
    const r = outcome.robot
    console.log(
      `${outcome.created ? 'Bound' : 'Updated'} group robot #${r.id} "${r.name}" to ${r.unit} as its ${r.purpose === 'officers' ? "officers'" : 'team'} group (key ${r.key}).`,
    )
    return 0
  } finally {
    await close()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ConfigError ? error.message : `Failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
