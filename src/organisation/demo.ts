/**
 * A small, clearly labelled demo organisation (示例集团（演示）) so a fresh install can be tried at
 * once in the web playground. It is imported through importRoster, exactly like a real roster.
 */
import { isUniqueViolation, type Db } from '../db/client.js'
import { importRoster, type Role, type RosterRow } from './roster.js'

export const DEMO_COMPANY_NAME = '示例集团（演示）'

const DG = '一车间/电工班'
const QG = '一车间/钳工班'
const ZP1 = '二车间/装配一班'
const ZP2 = '二车间/装配二班'
/** 一车间's two teams share one grid, to show a grid of several teams; 二车间's teams get one each. */
const SHARED_GRID = '一车间网格'

/** The demo roster, as an administrator would upload it. */
export const demoRoster: RosterRow[] = [
  { employeeNo: 'D9001', name: '王建国', role: 'officer', unit: DEMO_COMPANY_NAME }, // 公司工会主席
  { employeeNo: 'D9000', name: '韩梅', role: 'admin', unit: DEMO_COMPANY_NAME },
  { employeeNo: 'D3001', name: '梁秀英', role: 'officer', unit: '一车间' },
  { employeeNo: 'D3002', name: '宋建华', role: 'officer', unit: '二车间' },

  { employeeNo: 'D2001', name: '何平', role: 'officer', unit: DG },
  { employeeNo: 'D1001', name: '李明', role: 'collector', unit: DG, grid: SHARED_GRID },
  { employeeNo: 'D1002', name: '张伟', role: 'worker', unit: DG, grid: SHARED_GRID },
  { employeeNo: 'D1003', name: '王芳', role: 'worker', unit: DG, grid: SHARED_GRID },
  { employeeNo: 'D1004', name: '刘洋', role: 'worker', unit: DG, grid: SHARED_GRID },

  { employeeNo: 'D2002', name: '高峰', role: 'officer', unit: QG },
  { employeeNo: 'D1005', name: '陈静', role: 'collector', unit: QG, grid: SHARED_GRID },
  { employeeNo: 'D1006', name: '杨帆', role: 'worker', unit: QG, grid: SHARED_GRID },
  { employeeNo: 'D1007', name: '赵磊', role: 'worker', unit: QG, grid: SHARED_GRID },
  { employeeNo: 'D1008', name: '黄丽', role: 'worker', unit: QG, grid: SHARED_GRID },

  { employeeNo: 'D2003', name: '林娟', role: 'officer', unit: ZP1 },
  { employeeNo: 'D1009', name: '周涛', role: 'collector', unit: ZP1 },
  { employeeNo: 'D1010', name: '吴霞', role: 'worker', unit: ZP1 },
  { employeeNo: 'D1011', name: '徐强', role: 'worker', unit: ZP1 },
  { employeeNo: 'D1012', name: '孙燕', role: 'worker', unit: ZP1 },

  { employeeNo: 'D2004', name: '罗斌', role: 'officer', unit: ZP2 },
  { employeeNo: 'D1013', name: '马超', role: 'collector', unit: ZP2 },
  { employeeNo: 'D1014', name: '朱红', role: 'worker', unit: ZP2 },
  { employeeNo: 'D1015', name: '胡军', role: 'worker', unit: ZP2 },
  { employeeNo: 'D1016', name: '郭静', role: 'worker', unit: ZP2 },
]

export interface DemoPerson {
  employeeNo: string
  name: string
  role: Role
  /** The unit as written in the roster (the company's name for company level). */
  unit: string
}

const advertised = ['D1002', 'D1001', 'D2001', 'D3001', 'D9001', 'D9000']

/** Demo people to advertise (README, playground): a worker, a collector, a team officer, a workshop officer, the company chair, the admin. */
export const demoPeople: DemoPerson[] = advertised.map((no) => {
  const row = demoRoster.find((r) => r.employeeNo === no)!
  return { employeeNo: row.employeeNo, name: row.name, role: row.role, unit: row.unit }
})

export interface DemoChatGroup {
  externalId: string
  name: string
  purpose: 'team' | 'officers'
  /** Unit path ('' for the company). */
  unit: string
}

/** The demo's group chats on the web playground. */
export const demoChatGroups: DemoChatGroup[] = [
  { externalId: 'web-team-dg', name: '电工班工作群', purpose: 'team', unit: DG },
  { externalId: 'web-team-qg', name: '钳工班工作群', purpose: 'team', unit: QG },
  { externalId: 'web-team-zp1', name: '装配一班工作群', purpose: 'team', unit: ZP1 },
  { externalId: 'web-team-zp2', name: '装配二班工作群', purpose: 'team', unit: ZP2 },
  { externalId: 'web-officers', name: '工会干部群', purpose: 'officers', unit: '' },
]

/** True while there are active demo people: the playground has someone to speak as. */
export async function hasActiveDemo(db: Db): Promise<boolean> {
  return (await db.person.count({ where: { demo: true, active: true } })) > 0
}

/** True when there is no organisation yet: no people and no units. */
export async function isOrganisationEmpty(db: Db): Promise<boolean> {
  const [people, units] = await Promise.all([db.person.count(), db.unit.count()])
  return people === 0 && units === 0
}

/**
 * Seeds the demo organisation and its web group chats. Idempotent: a second call changes nothing.
 * Refuses (throws) when a real, non-demo organisation is already there, so demo employee numbers
 * can never overwrite real people.
 */
export async function seedDemoOrganisation(db: Db): Promise<void> {
  try {
    await seed(db)
  } catch (error) {
    // Another instance seeding at the same moment: by now its rows are there, so seeding again is a no-op.
    if (!isUniqueViolation(error)) throw error
    await seed(db)
  }
}

async function seed(db: Db): Promise<void> {
  if (!(await isOrganisationEmpty(db))) {
    const root = await db.unit.findUnique({ where: { path: '' }, select: { demo: true } })
    if (!root?.demo) throw new Error('组织架构中已有真实数据，不能再导入演示组织')
  }
  await importRoster(db, demoRoster, { demo: true, companyName: DEMO_COMPANY_NAME })

  for (const group of demoChatGroups) {
    const where = { platform_externalId: { platform: 'web', externalId: group.externalId } }
    if (await db.chatGroup.findUnique({ where, select: { id: true } })) continue
    const unit = await db.unit.findUnique({ where: { path: group.unit }, select: { id: true } })
    await db.chatGroup.create({
      data: { platform: 'web', externalId: group.externalId, name: group.name, purpose: group.purpose, unitId: unit?.id ?? null, demo: true },
    })
  }
}
