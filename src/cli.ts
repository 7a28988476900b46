import path from 'node:path'
import { ConfigError, loadConfig } from './config.js'
import { openDatabase } from './db/client.js'
import { migrate } from './db/migrate.js'
import { importRosterFile } from './organisation/roster.js'
import { seedDemoOrganisation } from './organisation/demo.js'
import { issueToken } from './auth/tokens.js'

const usage = `Usage: npm run cli -- <command>
  migrate                 apply pending database migrations (also done at every start)
  import-roster <file>    import or update people from a .csv or .xlsx roster
  seed-demo               add the demo organisation (示例集团（演示）)
  issue-token <工号> [label]  issue an admin API token for an administrator (shown once)
The database is DATABASE_URL (default file:./data/gongyou.db).`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const config = loadConfig()
  switch (command) {
    case 'migrate': {
      const { applied } = await migrate(config.DATABASE_URL)
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.')
      return 0
    }
    case 'import-roster': {
      const file = rest[0]
      if (!file) {
        console.error('import-roster needs a file: npm run cli -- import-roster roster.xlsx')
        return 2
      }
      await migrate(config.DATABASE_URL)
      const db = openDatabase(config.DATABASE_URL)
      try {
        const outcome = await importRosterFile(db, path.resolve(file))
        if (!outcome.ok) {
          console.error(`Nothing was imported: ${outcome.rejected.length} row(s) rejected.`)
          for (const r of outcome.rejected) console.error(`  line ${r.line}: ${r.reason}`)
          return 1
        }
        const r = outcome.result
        console.log(`Imported: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.unitsCreated} new units.`)
        return 0
      } finally {
        await db.$disconnect()
      }
    }
    case 'seed-demo': {
      await migrate(config.DATABASE_URL)
      const db = openDatabase(config.DATABASE_URL)
      try {
        await seedDemoOrganisation(db)
        console.log('Demo organisation is in place.')
        return 0
      } finally {
        await db.$disconnect()
      }
    }
    case 'issue-token': {
      const [employeeNo, label] = rest
      if (!employeeNo) {
        console.error('issue-token needs an employee number: npm run cli -- issue-token D9000')
        return 2
      }
      await migrate(config.DATABASE_URL)
      const db = openDatabase(config.DATABASE_URL)
      try {
        const person = await db.person.findUnique({ where: { employeeNo } })
        if (!person || !person.active) {
          console.error(`No active person with employee number ${employeeNo}.`)
          return 1
        }
        if (person.role !== 'admin') {
          console.error(`${person.name} (${employeeNo}) is not an administrator; the CLI issues tokens to administrators only.`)
          return 1
        }
        console.log(await issueToken(db, person.id, { label: label ?? 'cli' }))
        return 0
      } finally {
        await db.$disconnect()
      }
    }
    default:
      console.error(usage)
      return command ? 2 : 0
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ConfigError ? error.message : `Failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
