/** The categories a new organisation starts with, their deadlines in minutes, and creating the missing ones. */
import type { Tx } from '../db/client.js'
import type { CategoryRow } from './categories.js'

const H = 60
const D = 24 * H

/** The categories a new organisation starts with; administrators can change them. Minutes. */
export const defaultCategories: Omit<CategoryRow, 'id' | 'createdAt' | 'active'>[] = [
  {
    name: '工资待遇',
    keywords: '工资,薪资,加班费,欠薪,拖欠,奖金,绩效,津贴,补贴,扣钱,克扣,社保,公积金',
    urgentByDefault: false,
    sensitive: false,
    answerMinutes: 1 * D,
    resultMinutes: 7 * D,
    urgentAnswerMinutes: 30,
    urgentResultMinutes: 2 * D,
    sortOrder: 1,
  },
  {
    name: '劳动保护',
    keywords: '劳保,手套,安全帽,防护,口罩,工作服,劳动保护,高温,噪音,粉尘,防暑',
    urgentByDefault: false,
    sensitive: false,
    answerMinutes: 1 * D,
    resultMinutes: 5 * D,
    urgentAnswerMinutes: 30,
    urgentResultMinutes: 1 * D,
    sortOrder: 2,
  },
  {
    name: '安全隐患',
    keywords: '隐患,安全,漏电,漏油,泄漏,着火,冒烟,松动,坍塌,护栏,防护罩,违章,危险,消防',
    urgentByDefault: true,
    sensitive: false,
    answerMinutes: 4 * H,
    resultMinutes: 2 * D,
    urgentAnswerMinutes: 30,
    urgentResultMinutes: 1 * D,
    sortOrder: 3,
  },
  {
    name: '工伤',
    keywords: '工伤,受伤,骨折,划伤,烫伤,砸伤,摔伤,职业病,伤了',
    urgentByDefault: true,
    sensitive: false,
    answerMinutes: 4 * H,
    resultMinutes: 3 * D,
    urgentAnswerMinutes: 30,
    urgentResultMinutes: 2 * D,
    sortOrder: 4,
  },
  {
    name: '食堂餐饮',
    keywords: '食堂,饭,菜,餐,伙食,热饭,早餐,午餐,晚饭,夜宵,饭菜',
    urgentByDefault: false,
    sensitive: false,
    answerMinutes: 2 * D,
    resultMinutes: 7 * D,
    urgentAnswerMinutes: 30,
    urgentResultMinutes: 2 * D,
    sortOrder: 5,
  },
  {
    name: '通勤',
    keywords: '班车,通勤,交通,停车,车位,公交,路灯,上下班',
    urgentByDefault: false,
    sensitive: false,
    answerMinutes: 2 * D,
    resultMinutes: 10 * D,
    urgentAnswerMinutes: 30,
    urgentResultMinutes: 2 * D,
    sortOrder: 6,
  },
  {
    name: '困难帮扶',
    keywords: '困难,帮扶,生病,住院,大病,救助,家里,孩子上学,困难户',
    urgentByDefault: false,
    sensitive: true,
    answerMinutes: 1 * D,
    resultMinutes: 10 * D,
    urgentAnswerMinutes: 30,
    urgentResultMinutes: 3 * D,
    sortOrder: 7,
  },
  {
    name: '法律援助',
    keywords: '法律,合同,律师,劳动合同,仲裁,起诉,纠纷,辞退,解除',
    urgentByDefault: false,
    sensitive: true,
    answerMinutes: 2 * D,
    resultMinutes: 14 * D,
    urgentAnswerMinutes: 30,
    urgentResultMinutes: 3 * D,
    sortOrder: 8,
  },
  {
    name: '心理关怀',
    keywords: '心理,压力,焦虑,失眠,抑郁,情绪,心情',
    urgentByDefault: false,
    sensitive: true,
    answerMinutes: 1 * D,
    resultMinutes: 7 * D,
    urgentAnswerMinutes: 30,
    urgentResultMinutes: 1 * D,
    sortOrder: 9,
  },
  {
    name: '合理化建议',
    keywords: '建议,改进,优化,合理化,提议,点子',
    urgentByDefault: false,
    sensitive: false,
    answerMinutes: 3 * D,
    resultMinutes: 30 * D,
    urgentAnswerMinutes: 30,
    urgentResultMinutes: 3 * D,
    sortOrder: 10,
  },
  {
    name: '其他',
    keywords: '',
    urgentByDefault: false,
    sensitive: false,
    answerMinutes: 2 * D,
    resultMinutes: 10 * D,
    urgentAnswerMinutes: 30,
    urgentResultMinutes: 2 * D,
    sortOrder: 99,
  },
]

export const FALLBACK_CATEGORY = '其他'

/** Creates the default categories that are missing (by name); leaves edited ones alone. */
export async function ensureDefaultCategories(tx: Tx): Promise<void> {
  const existing = new Set((await tx.requestCategory.findMany({ select: { name: true } })).map((c) => c.name))
  for (const c of defaultCategories) if (!existing.has(c.name)) await tx.requestCategory.create({ data: c })
}
