/**
 * A test-only chat platform for services where the playground is off (a platform configured by
 * the environment, PUBLIC_URL set): real (non-demo) people speak through it the way they would on
 * a platform whose accounts are bound in the database. It takes the web platform's place (free
 * when the playground is off), so replies read exactly like the playground's: sending goes
 * through the WebAdapter (stored as WebMessage rows), and a person's account is a
 * PlatformIdentity (platform web, kind `test`, their employee number) vouched for by the
 * directory — never the playground's employee-number shortcut, which speaks only as demo people.
 */
import { WebAdapter, toInbound } from '../../adapters/web/index.js'
import { Transcript } from '../../src/core/transcript.js'
import type { Service } from '../../src/app.js'
import type { Adapter, Card, Delivery, SendResult } from '../../src/core/types.js'
import type { Db } from '../../src/db/client.js'
import { DEMO_COMPANY_NAME, demoChatGroups, demoRoster } from '../../src/organisation/demo.js'
import { importRoster, type RosterRow } from '../../src/organisation/roster.js'

export interface Reply {
  chat: string
  to?: string
  platform?: string
  text: string
  card?: { title: string; buttons?: { label: string; action: { command: string } }[] }
}

/** The company the sample roster belongs to. */
export const SAMPLE_COMPANY = '示例集团'

/**
 * A real roster with the demo's people, units and grids (same employee numbers and names), for
 * tests that need an organisation where the playground is off. Imported as real: nobody is demo.
 */
export const sampleRoster: RosterRow[] = demoRoster.map((r) => ({ ...r, unit: r.unit === DEMO_COMPANY_NAME ? SAMPLE_COMPANY : r.unit }))

/** The test chat's group chats: the demo's group ids, real and bound to the sample units. */
export async function importSampleOrganisation(db: Db): Promise<void> {
  await importRoster(db, sampleRoster, { companyName: SAMPLE_COMPANY })
  for (const group of demoChatGroups) {
    const unit = await db.unit.findUnique({ where: { path: group.unit }, select: { id: true } })
    await db.chatGroup.create({ data: { platform: 'web', externalId: group.externalId, name: group.name, purpose: group.purpose, unitId: unit?.id ?? null } })
  }
}

/** The test chat's sending side: the web platform's adapter, on the service's database once it is open. */
export class TestChatAdapter implements Adapter {
  readonly platform = 'web' as const
  readonly limits = {}
  private web: WebAdapter | undefined
  attach(db: Db): void {
    this.web = new WebAdapter(new Transcript(db))
  }
  send(d: Delivery): Promise<SendResult> {
    if (!this.web) throw new Error('the test chat is not attached to a database')
    return this.web.send(d)
  }
  status() {
    return { connected: true }
  }
}

/** Says something as a (real) person through the test chat; answers every reply once it passed the outbox. */
export async function sayInTestChat(svc: Service, from: string, chat: string, text: string, action?: { command: string }): Promise<Reply[]> {
  const person = await svc.db.person.findUnique({ where: { employeeNo: from } })
  if (!person) throw new Error(`no person ${from}`)
  await svc.db.platformIdentity.upsert({
    where: { platform_kind_externalId: { platform: 'web', kind: 'test', externalId: from } },
    create: { platform: 'web', kind: 'test', externalId: from, personId: person.id, vouchedBy: 'directory' },
    update: {},
  })
  const chatId = chat === 'dm' ? null : chat
  const group = chatId === null ? null : await svc.db.chatGroup.findUnique({ where: { platform_externalId: { platform: 'web', externalId: chatId } } })
  const msg = toInbound(text, svc.core.t.botName, {
    from,
    name: person.name,
    chatId,
    ...(group ? { chatName: group.name } : {}),
    ...(action ? { action } : {}),
  })
  msg.sender.ids = [{ kind: 'test', id: from }]
  const { id, duplicate } = await svc.core.receive(msg)
  if (!duplicate) await svc.core.handleNow(id)
  const rows = await svc.outbox.settled(id)
  return rows
    .filter((r) => r.status === 'sent')
    .map((r) => {
      const payload = JSON.parse(r.payload) as { text: string; card?: Card }
      const base = r.targetKind === 'chat' ? { chat: r.target } : r.platform === 'web' ? { chat: 'dm', to: r.target } : { chat: 'dm' }
      return {
        ...base,
        ...(r.platform !== 'web' ? { platform: r.platform } : {}),
        text: payload.text,
        ...(payload.card ? { card: payload.card as Reply['card'] } : {}),
      }
    })
}
