import crypto from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { campaignsView } from '../../../src/announcements/views.js'
import { issueToken } from '../../../src/auth/tokens.js'
import { messagesFor } from '../../../src/messages/index.js'
import { messageEvent, type Keys, type Person } from './events.js'
import { addResource } from './fake-resources.js'
import { texts, useFeishu } from './kit.js'

// Photos and files on requests through Feishu (issue #18): a person sends them privately; the service
// fetches them from Feishu's message resources, checks them, joins them to a request, and the
// dashboard serves them to those who may see the request.
const keys: Keys = { appId: 'cli_a77ac4e7a1b2c3d4', encryptKey: 'attachEncryptKeyForTests', verificationToken: 'vtok-attach' }
const SECRET = 'attach-app-secret'
const MAX = 64 * 1024

const feishu = useFeishu({ keys, secret: SECRET, env: { ATTACHMENT_MAX_BYTES: String(MAX), PUBLIC_URL: 'https://gongyou.example.com' } })
const { after, say } = feishu

const zhang: Person = { open_id: 'ou_attach_zhangwei' }
const wang: Person = { open_id: 'ou_attach_wangfang' }
const he: Person = { open_id: 'ou_attach_heping' }

/** A PNG of `size` bytes: the signature, then noise. */
const png = (size = 2000) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(size - 8)])
const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(500)])
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex')

let seq = 0
/** A person sends a message of another type privately, its resources put in Feishu first. */
function send(from: Person, type: string, content: object, resources: [string, 'image' | 'file', Buffer, string][]) {
  const messageId = `om_attach_${++seq}_${crypto.randomBytes(3).toString('hex')}`
  for (const [key, kind, bytes, mime] of resources) addResource(feishu.fake, messageId, key, { type: kind, bytes, mime })
  return after(messageEvent(keys, { from, chatId: `oc_p2p_${from.open_id}`, chatType: 'p2p', other: { type, content }, messageId }))
}
const sendImage = (from: Person, bytes: Buffer) => send(from, 'image', { image_key: `img_${++seq}` }, [[`img_${seq}`, 'image', bytes, 'image/png']])

async function tokenOf(employeeNo: string): Promise<string> {
  const person = await feishu.svc.db.person.findUniqueOrThrow({ where: { employeeNo } })
  return issueToken(feishu.svc.db, person.id)
}
const get = (url: string, token: string) => feishu.svc.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })

describe('photos and files on requests through Feishu', () => {
  it('a photo sent right after a request joins it; the officer is told with a link; the dashboard serves the bytes to those in scope only', async () => {
    expect(texts(await say(zhang, '绑定 D1002 张伟'))).toContain('绑定成功')
    expect(texts(await say(he, '绑定 D2001 何平'))).toContain('绑定成功')
    const filed = texts(await say(zhang, '诉求 二号配电箱门关不上，电线外露'))
    const number = /SQ-\d{4}-\d{4}/.exec(filed)![0]

    const photo = png()
    const shown = await sendImage(zhang, photo)
    expect(texts(shown.filter((m) => m.receive_id === zhang.open_id))).toContain(`已把 1 个附件加入诉求 ${number}`)
    expect(feishu.fake.resourceDownloads.at(-1)).toMatchObject({ type: 'image' })
    const toOfficer = texts(shown.filter((m) => m.receive_id === he.open_id))
    expect(toOfficer).toContain(`诉求 ${number}：张伟发来附件 1 个`)
    expect(toOfficer).toContain(`https://gongyou.example.com/dashboard/#/requests/${number}`)

    const stored = await feishu.svc.db.attachment.findMany({ where: { request: { number } } })
    const zhangId = (await feishu.svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D1002' } })).id
    expect(stored.map((a) => ({ kind: a.kind, mime: a.mime, size: a.size, sha256: a.sha256, uploaderId: a.uploaderId }))).toEqual([
      { kind: 'image', mime: 'image/png', size: photo.length, sha256: sha(photo), uploaderId: zhangId },
    ])

    // The API lists it (no bytes), with its uploader; the link serves the bytes as they were sent.
    const officer = await tokenOf('D2001')
    const detail = (await get(`/api/v1/requests/${number}`, officer)).json()
    expect(detail.attachments).toEqual([expect.objectContaining({ kind: 'image', mime: 'image/png', size: photo.length, uploader: '张伟' })])
    expect(JSON.stringify(detail)).not.toContain(photo.subarray(8, 40).toString('base64'))
    expect(detail.timeline.map((e: { kind: string }) => e.kind)).toContain('attached')
    const res = await get(detail.attachments[0].url, officer)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('image/png')
    expect(res.headers['content-disposition']).toMatch(/^inline; filename=/)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.rawPayload.equals(photo)).toBe(true)

    // An officer of another workshop may not see the request, nor its photo; nobody without a token.
    expect((await get(detail.attachments[0].url, await tokenOf('D3002'))).statusCode).toBe(403)
    expect((await feishu.svc.app.inject({ method: 'GET', url: detail.attachments[0].url })).statusCode).toBe(401)
  })

  it('an anonymous request’s file carries no uploader, in the table, the API and the timeline', async () => {
    const filed = texts(await say(zhang, '匿名诉求 班长克扣加班费'))
    const number = /SQ-\d{4}-\d{4}/.exec(filed)![0]
    const file = pdf()
    const shown = await send(zhang, 'file', { file_key: 'file_v2_payslip', file_name: '工资条.pdf' }, [['file_v2_payslip', 'file', file, 'application/pdf']])
    expect(texts(shown)).toContain(`已把 1 个附件加入诉求 ${number}`)
    expect(texts(shown)).not.toContain('张伟发来')
    const [stored] = await feishu.svc.db.attachment.findMany({ where: { request: { number } } })
    expect(stored).toMatchObject({ kind: 'file', mime: 'application/pdf', name: '工资条.pdf', uploaderId: null })

    const detail = (await get(`/api/v1/requests/${number}`, await tokenOf('D2001'))).json()
    expect(detail.attachments).toEqual([expect.objectContaining({ name: '工资条.pdf', uploader: null })])
    const step = detail.timeline.find((e: { kind: string }) => e.kind === 'attached')
    expect(step).toMatchObject({ actor: null, actorLabel: '匿名职工' })
    expect(JSON.stringify(detail)).not.toContain('张伟')
    const res = await get(detail.attachments[0].url, await tokenOf('D2001'))
    expect(res.headers['content-type']).toBe('application/pdf')
    expect(res.headers['content-disposition']).toContain(`attachment; filename="___.pdf"; filename*=UTF-8''${encodeURIComponent('工资条.pdf')}`)
  })

  it('refuses what is not an image or a PDF, and what is too large, in Chinese, storing nothing', async () => {
    const before = await feishu.svc.db.attachment.count()
    const notAnImage = await send(zhang, 'file', { file_key: 'file_v2_txt', file_name: 'notes.pdf' }, [
      ['file_v2_txt', 'file', Buffer.from('just text pretending to be a PDF'), 'application/pdf'],
    ])
    expect(texts(notAnImage)).toContain('文件“notes.pdf”不是图片或 PDF，没有收下')
    const tooLarge = await sendImage(zhang, png(MAX + 1))
    expect(texts(tooLarge)).toContain('这张图片太大，没有收下（最大 64 KB）')
    expect(await feishu.svc.db.attachment.count()).toBe(before)
  })

  it('`补充 SQ-…` with a photo joins the request it names, not the newest', async () => {
    const first = /SQ-\d{4}-\d{4}/.exec(texts(await say(wang, '绑定 D1003 王芳').then(() => say(wang, '诉求 车间东门地面有油'))))![0]
    const second = /SQ-\d{4}-\d{4}/.exec(texts(await say(wang, '诉求 食堂晚班没有热饭')))![0]
    const post = { title: '', content: [[{ tag: 'text', text: `补充 ${first}` }], [{ tag: 'img', image_key: 'img_post_1' }]] }
    const shown = await send(wang, 'post', post, [['img_post_1', 'image', png(), 'image/png']])
    expect(texts(shown)).toContain(`已把 1 个附件加入诉求 ${first}`)
    expect(await feishu.svc.db.attachment.count({ where: { request: { number: first } } })).toBe(1)
    expect(await feishu.svc.db.attachment.count({ where: { request: { number: second } } })).toBe(0)
  })

  it('a photo sent alone is answered with an offer; 随手拍 files it as an urgent hazard report with the photo, counted in the campaign', async () => {
    const campaign = await feishu.svc.db.campaign.create({ data: { name: '安康杯（测试）', kind: 'safety', createdAt: new Date(Date.now() - 60_000) } })
    const liu: Person = { open_id: 'ou_attach_liuyang' }
    await say(liu, '绑定 D1004 刘洋')
    const shown = await sendImage(liu, png())
    expect(texts(shown)).toContain('收到 1 个附件')
    const card = shown.find((m) => m.msg_type === 'interactive')!
    const hazard = JSON.stringify(card.content).match(/随手拍 ([0-9a-f]{8})/)
    expect(hazard).not.toBeNull()
    expect(await feishu.svc.db.attachment.count({ where: { requestId: null } })).toBe(1)

    const filed = texts(await say(liu, `随手拍 ${hazard![1]}`))
    const number = /SQ-\d{4}-\d{4}/.exec(filed)![0]
    expect(filed).toContain(`已把 1 个附件加入诉求 ${number}`)
    const request = await feishu.svc.db.workerRequest.findUniqueOrThrow({ where: { number }, include: { attachments: true } })
    expect(request.urgent).toBe(true)
    expect(request.attachments).toHaveLength(1)
    expect((await feishu.svc.db.requestCategory.findUniqueOrThrow({ where: { id: request.categoryId } })).name).toBe('安全隐患')
    expect(request.campaignId).toBe(campaign.id)
    const t = messagesFor('zh-CN')
    const view = await campaignsView({ tx: feishu.svc.db, now: new Date(), t, settings: { timeZone: 'Asia/Shanghai' } as never, deliver: async () => {} })
    expect(view).toContain('隐患上报 1 件（照片 1 张）')
    // The same answer twice files nothing more.
    expect(texts(await say(liu, `随手拍 ${hazard![1]}`))).toContain('已过期')
  })

  it("the offer's other answers: 不要附件 drops the photo, 附件诉求 files an ordinary request with it", async () => {
    const yang: Person = { open_id: 'ou_attach_yangfan' }
    await say(yang, '绑定 D1006 杨帆')
    const tokenIn = (shown: Awaited<ReturnType<typeof sendImage>>, word: string) =>
      new RegExp(`${word} ([0-9a-f]{8})`).exec(JSON.stringify(shown.find((m) => m.msg_type === 'interactive')!.content))![1]
    const person = await feishu.svc.db.person.findUniqueOrThrow({ where: { employeeNo: 'D1006' } })
    const kept = () => feishu.svc.db.attachment.count({ where: { uploaderId: person.id, requestId: null } })

    const dropped = tokenIn(await sendImage(yang, png()), '不要附件')
    expect(await kept()).toBe(1)
    expect(texts(await say(yang, `不要附件 ${dropped}`))).toContain('好的，附件没有保存。')
    expect(await kept()).toBe(0)

    const offered = tokenIn(await sendImage(yang, png()), '附件诉求')
    const filed = texts(await say(yang, `附件诉求 ${offered}`))
    const number = /SQ-\d{4}-\d{4}/.exec(filed)![0]
    expect(filed).toContain(`已把 1 个附件加入诉求 ${number}`)
    const request = await feishu.svc.db.workerRequest.findUniqueOrThrow({ where: { number }, include: { attachments: true } })
    expect(request).toMatchObject({ content: '（详见附件）', urgent: false, campaignId: null, requesterId: person.id })
    expect(request.attachments).toHaveLength(1)
    expect(await kept()).toBe(0)
  })
})
