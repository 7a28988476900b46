import path from 'node:path'
import { issueToken } from './auth/tokens.js'
import { enabledPlatforms } from '../adapters/index.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { decidePlayground } from './playground.js'
import { openDatabase, type Db } from './db/client.js'
import { migrate } from './db/migrate.js'
import { seedDemoOrganisation } from './organisation/demo.js'
import { importRosterFile } from './organisation/roster.js'

const usage = `Usage: npm run cli -- <command>
  migrate                     apply pending database migrations (also done at every start)
  import-roster <file>        import or update people from a .csv or .xlsx roster
  seed-demo                   add the demo organisation (示例集团（演示）)
  issue-token <工号> [label]   issue an admin API token for an administrator (shown once)
The database is DATABASE_URL (default file:./data/gongyou.db).`

type Command = (db: Db, args: string[], config: Config) => Promise<number>

const commands: Record<string, Command> = {
  async 'import-roster'(db, [file]) {
    if (!file) {
      console.error('import-roster needs a file: npm run cli -- import-roster roster.xlsx')
      return 2
    }
    const outcome = await importRosterFile(db, path.resolve(file))
    if (!outcome.ok) {
      console.error(`Nothing was imported: ${outcome.rejected.length} row(s) rejected.`)
      for (const r of outcome.rejected) console.error(`  line ${r.line}: ${r.reason}`)
      return 1
    }
    const r = outcome.result
    console.log(`Imported: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.unitsCreated} new units.`)
    if (r.demoRetired)
      console.log(`The demo organisation (示例集团（演示）) was retired: ${r.demoRetired} demo people deactivated, their bindings and tokens removed.`)
    return 0
  },
  async 'seed-demo'(db, _args, config) {
    // The demo belongs with the playground only: never beside a configured platform or PUBLIC_URL.
    const playground = decidePlayground({ ...config, GONGYOU_PLAYGROUND: 'auto' }, enabledPlatforms(config))
    if (!playground.on) {
      console.error(`Not seeding the demo organisation: ${playground.reason}. The demo and its playground are for a machine with no platform configured.`)
      return 1
    }
    await seedDemoOrganisation(db)
    console.log('Demo organisation is in place.')
    return 0
  },
  async 'issue-token'(db, [employeeNo, label]) {
    if (!employeeNo) {
      console.error('issue-token needs an employee number: npm run cli -- issue-token D9000')
      return 2
    }
    const person = await db.person.findUnique({ where: { employeeNo } })
    if (!person?.active) {
      console.error(`No active person with employee number ${employeeNo}.`)
      return 1
    }
    if (person.role !== 'admin') {
      console.error(`${person.name} (${employeeNo}) is not an administrator; the CLI issues tokens to administrators only.`)
      return 1
    }
    console.log(await issueToken(db, person.id, { label: label ?? 'cli' }))
    return 0
  },
}

async function main([name, ...args]: string[]): Promise<number> {
  const config = loadConfig()
  const { applied } = await migrate(config.DATABASE_URL)
  if (name === 'migrate') {
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.')
    return 0
  }
  const command = name ? commands[name] : undefined
  if (!command) {
    console.error(usage)
    return name ? 2 : 0
  }
  const db = openDatabase(config.DATABASE_URL)
  try {
    return await command(db, args, config)
  } finally {
    await db.$disconnect()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ConfigError ? error.message : `Failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
