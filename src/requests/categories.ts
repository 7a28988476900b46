import { readingForm } from '../core/intent/text.js'
import type { Tx } from '../db/client.js'

export type CategoryRow = Awaited<ReturnType<Tx['requestCategory']['findFirstOrThrow']>>

const H = 60
const D = 24 * H

/** The categories a new organisation starts with; administrators can change them. Minutes. */
export const defaultCategories: Omit<CategoryRow, 'id' | 'createdAt' | 'active'>[] = [
  { name: '工资待遇', keywords: '工资,薪资,加班费,欠薪,拖欠,奖金,绩效,津贴,补贴,扣钱,克扣,社保,公积金', urgentByDefault: false, sensitive: false, answerMinutes: 1 * D, resultMinutes: 7 * D, urgentAnswerMinutes: 30, urgentResultMinutes: 2 * D, sortOrder: 1 },
  { name: '劳动保护', keywords: '劳保,手套,安全帽,防护,口罩,工作服,劳动保护,高温,噪音,粉尘,防暑', urgentByDefault: false, sensitive: false, answerMinutes: 1 * D, resultMinutes: 5 * D, urgentAnswerMinutes: 30, urgentResultMinutes: 1 * D, sortOrder: 2 },
  { name: '安全隐患', keywords: '隐患,安全,漏电,漏油,泄漏,着火,冒烟,松动,坍塌,护栏,防护罩,违章,危险,消防', urgentByDefault: true, sensitive: false, answerMinutes: 4 * H, resultMinutes: 2 * D, urgentAnswerMinutes: 30, urgentResultMinutes: 1 * D, sortOrder: 3 },
  { name: '工伤', keywords: '工伤,受伤,骨折,划伤,烫伤,砸伤,摔伤,职业病,伤了', urgentByDefault: true, sensitive: false, answerMinutes: 4 * H, resultMinutes: 3 * D, urgentAnswerMinutes: 30, urgentResultMinutes: 2 * D, sortOrder: 4 },
  { name: '食堂餐饮', keywords: '食堂,饭,菜,餐,伙食,热饭,早餐,午餐,晚饭,夜宵,饭菜', urgentByDefault: false, sensitive: false, answerMinutes: 2 * D, resultMinutes: 7 * D, urgentAnswerMinutes: 30, urgentResultMinutes: 2 * D, sortOrder: 5 },
  { name: '通勤', keywords: '班车,通勤,交通,停车,车位,公交,路灯,上下班', urgentByDefault: false, sensitive: false, answerMinutes: 2 * D, resultMinutes: 10 * D, urgentAnswerMinutes: 30, urgentResultMinutes: 2 * D, sortOrder: 6 },
  { name: '困难帮扶', keywords: '困难,帮扶,生病,住院,大病,救助,家里,孩子上学,困难户', urgentByDefault: false, sensitive: true, answerMinutes: 1 * D, resultMinutes: 10 * D, urgentAnswerMinutes: 30, urgentResultMinutes: 3 * D, sortOrder: 7 },
  { name: '法律援助', keywords: '法律,合同,律师,劳动合同,仲裁,起诉,纠纷,辞退,解除', urgentByDefault: false, sensitive: true, answerMinutes: 2 * D, resultMinutes: 14 * D, urgentAnswerMinutes: 30, urgentResultMinutes: 3 * D, sortOrder: 8 },
  { name: '心理关怀', keywords: '心理,压力,焦虑,失眠,抑郁,情绪,心情', urgentByDefault: false, sensitive: true, answerMinutes: 1 * D, resultMinutes: 7 * D, urgentAnswerMinutes: 30, urgentResultMinutes: 1 * D, sortOrder: 9 },
  { name: '合理化建议', keywords: '建议,改进,优化,合理化,提议,点子', urgentByDefault: false, sensitive: false, answerMinutes: 3 * D, resultMinutes: 30 * D, urgentAnswerMinutes: 30, urgentResultMinutes: 3 * D, sortOrder: 10 },
  { name: '其他', keywords: '', urgentByDefault: false, sensitive: false, answerMinutes: 2 * D, resultMinutes: 10 * D, urgentAnswerMinutes: 30, urgentResultMinutes: 2 * D, sortOrder: 99 },
]

export const FALLBACK_CATEGORY = '其他'

/** Creates the default categories that are missing (by name); leaves edited ones alone. */
export async function ensureDefaultCategories(tx: Tx): Promise<void> {
  const existing = new Set((await tx.requestCategory.findMany({ select: { name: true } })).map((c) => c.name))
  for (const c of defaultCategories) if (!existing.has(c.name)) await tx.requestCategory.create({ data: c })
}

/**
 * Words people use for each default category, besides the keywords kept in the database (which
 * administrators edit): both count, so existing databases gain these without a migration. `strong`
 * words settle the matter on their own (a burning smell is a hazard whatever else is said).
 */
export const builtInSynonyms: Record<string, { words: string[]; strong?: string[] }> = {
  工资待遇: {
    words: ['工资', '薪水', '薪资', '薪酬', '工钱', '加班费', '加班工资', '夜班费', '夜班补贴', '奖金', '年终奖', '绩效', '津贴', '补贴', '高温补贴', '扣钱', '扣了', '克扣', '少发', '没发', '晚发', '发工资', '工资条', '社保', '五险', '公积金', '年假', '带薪', '调休', '加班', '倒班', '值班费', '计件', '单价', '涨工资', '调薪', '评级', '职称', '岗位工资', '福利', '过节费', '报销', '餐补', '交通补'],
    strong: ['欠薪', '拖欠工资', '工资没发', '加班费', '克扣'],
  },
  劳动保护: {
    words: ['劳保', '手套', '安全帽', '防护', '口罩', '耳塞', '护目镜', '工作服', '劳保鞋', '工鞋', '防护服', '高温', '太热', '闷热', '热死', '中暑', '防暑', '降温', '空调', '风扇', '通风', '排风', '冷', '取暖', '暖气', '噪音', '噪声', '太吵', '粉尘', '灰尘', '烟尘', '异味', '有毒', '化学品', '油烟', '照明', '太暗', '站着', '休息室', '饮水', '喝水', '厕所', '更衣室', '淋浴', '澡堂', '体检', '职业健康', '劳动强度', '连续上班', '休息时间'],
    strong: ['劳保用品', '劳动保护', '防暑降温', '职业病防护'],
  },
  安全隐患: {
    words: ['隐患', '安全', '漏电', '触电', '电线', '裸露', '老化', '跳闸', '打火', '火花', '漏油', '漏气', '泄漏', '煤气', '燃气', '着火', '起火', '冒烟', '焦味', '糊味', '烧焦', '焦糊', '松动', '坍塌', '塌', '裂缝', '护栏', '栏杆', '扶手', '防护罩', '违章', '危险', '消防', '灭火器', '消防通道', '安全出口', '堵死', '堆放', '滑', '地面湿', '吊装', '行车', '叉车', '脚手架', '高处', '坠落', '掉下来', '开关柜', '配电', '电柜', '电箱', '压力容器', '气瓶', '急停', '失灵', '刹车', '压力表', '抽烟', '吸烟', '明火', '反光镜', '盖板', '电缆', '井盖'],
    strong: ['安全隐患', '冒烟', '焦糊味', '烧焦味', '漏电', '着火', '起火', '燃气泄漏', '煤气味'],
  },
  工伤: {
    words: ['工伤', '受伤', '骨折', '划伤', '割伤', '烫伤', '砸伤', '摔伤', '扭伤', '压伤', '夹伤', '伤了', '伤口', '缝针', '流血', '职业病', '尘肺', '工伤认定', '工伤鉴定', '伤残', '医药费', '医疗费', '住院费', '被砸', '摔倒', '摔了', '夹到', '烫到', '砸到', '割到', '碰伤', '缝了', '缝针', '划了一下', '划破'],
    strong: ['工伤', '工伤认定', '伤残鉴定'],
  },
  食堂餐饮: {
    words: ['食堂', '饭', '菜', '餐', '伙食', '热饭', '早餐', '午餐', '晚饭', '晚餐', '夜宵', '饭菜', '打饭', '窗口', '馒头', '汤', '太咸', '太辣', '太油', '难吃', '不新鲜', '变质', '馊', '凉了', '分量', '饭卡', '餐费', '餐厅', '外卖', '吃饭', '开饭', '供应', '头发', '虫子', '卫生', '臭', '鱼', '肉'],
    strong: ['食堂', '饭菜', '伙食'],
  },
  通勤: {
    words: ['班车', '通勤', '交通', '停车', '车位', '停车场', '公交', '路灯', '上下班', '接送', '车站', '站点', '发车', '末班', '早班车', '晚班车', '电动车', '充电桩', '自行车', '车棚', '门禁', '打卡', '路太远', '堵车', '厂门口', '大门'],
    strong: ['班车', '通勤'],
  },
  困难帮扶: {
    words: ['困难', '帮扶', '生病', '住院', '大病', '重病', '癌', '手术', '救助', '补助', '家里', '孩子上学', '学费', '困难户', '低保', '单亲', '残疾', '老人', '父母', '去世', '丧事', '灾', '房子塌', '借钱', '凑不齐', '没钱', '经济困难', '慰问', '送温暖', '看病', '医药费太贵'],
    strong: ['困难帮扶', '困难补助', '帮扶', '大病救助', '困难职工'],
  },
  法律援助: {
    words: ['法律', '合同', '律师', '劳动合同', '仲裁', '起诉', '纠纷', '辞退', '开除', '解除', '解聘', '裁员', '违约金', '竞业', '赔偿', '经济补偿', '试用期', '续签', '劳务派遣', '派遣', '外包', '合法', '违法', '不合法', '是否合法', '合不合法', '法院', '判决', '条款', '签字', '霸王条款', '维权', '劳动监察', '法规', '劳动法'],
    strong: ['合法吗', '违法吗', '合不合法', '是否合法', '合法不', '劳动仲裁', '律师', '法律援助', '条款', '霸王条款', '劳动法', '违法'],
  },
  心理关怀: {
    words: ['心理', '压力', '焦虑', '失眠', '睡不着', '抑郁', '情绪', '心情', '崩溃', '想不开', '难受', '烦', '累', '孤独', '想家', '吵架', '离婚', '家庭矛盾', '心理咨询', '倾诉', '郁闷', '精神', '想哭', '哭'],
    strong: ['心理', '抑郁', '想不开', '心理咨询', '焦虑'],
  },
  合理化建议: {
    words: ['建议', '改进', '优化', '合理化', '提议', '点子', '金点子', '创新', '改造', '改善', '提高效率', '节能', '降耗', '节约', '流程', '能不能增加', '可以增设', '增设', '希望增加', '加装', '搞个'],
    strong: ['合理化建议', '金点子', '建议', '提议'],
  },
}

function keywordsOf(c: CategoryRow): string[] {
  return c.keywords.split(/[,，、\s]+/).filter(Boolean)
}

/**
 * Guesses a category from the request's words (traditional and full-width read as simplified):
 * each keyword found — the database's and the built-in words — scores its length, a strong word
 * three times that; the highest score wins; ties go to the more urgent, then the earlier category.
 */
export function guessCategory(text: string, categories: CategoryRow[]): CategoryRow {
  const s = readingForm(text)
  let best: { c: CategoryRow; score: number } | null = null
  for (const c of categories) {
    if (!c.active) continue
    const builtIn = builtInSynonyms[c.name]
    const words = new Set([...keywordsOf(c), ...(builtIn?.words ?? [])])
    let score = 0
    for (const k of words) if (s.includes(k)) score += Array.from(k).length
    for (const k of builtIn?.strong ?? []) if (s.includes(k)) score += 3 * Array.from(k).length
    if (score === 0) continue
    if (!best || score > best.score || (score === best.score && c.urgentByDefault && !best.c.urgentByDefault)) best = { c, score }
  }
  return best?.c ?? categories.find((c) => c.name === FALLBACK_CATEGORY) ?? categories[0]!
}

/** Finds a category by name, forgiving a missing or extra character at the end (劳保 → 劳动保护 by keyword). */
export function findCategory(name: string, categories: CategoryRow[]): CategoryRow | null {
  const n = name.trim()
  return (
    categories.find((c) => c.active && c.name === n) ??
    categories.find((c) => c.active && (c.name.startsWith(n) || n.startsWith(c.name))) ??
    categories.find((c) => c.active && c.keywords.split(/[,，、\s]+/).includes(n)) ??
    null
  )
}
