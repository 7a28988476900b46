/**
 * The words people use, as data: the intent reader (read.ts) only combines them. Everything here
 * is in the reading form (simplified, half-width, lower case). Extend the lists, not the code.
 */

/** Said before the point and meaning nothing: greetings, fillers, addressing the bot. */
export const OPENERS = ['你好', '您好', '在吗', '在不在', '喂', '那个', '嗯', '请问', '麻烦', '劳驾', '工友', '小工友', '师傅', 'hi', 'hello', '哈喽', '嗨', '哎', '诶', '唉', '哥', '姐']

/** A whole message that is only small talk (after its punctuation and repeats are gone). */
export const SMALL_TALK: Record<string, string[]> = {
  greeting: ['你好', '您好', '在吗', '在不在', '在么', 'hi', 'hello', '早', '早上好', '上午好', '中午好', '下午好', '晚上好', '嗨', '哈喽', '喂', '有人吗', '工友', '小工友', '你是谁', '你是机器人吗'],
  thanks: ['谢谢', '谢谢你', '谢谢工友', '多谢', '感谢', '辛苦了', '辛苦', '谢了', 'thanks', 'thx', '太感谢了', '麻烦你了', '谢谢啦', '好的谢谢', '好的,谢谢', '收到谢谢'],
  ok: ['好', '好的', '好滴', '行', '可以', '收到', '知道了', '明白', '明白了', 'ok', 'okk', '嗯', '嗯嗯', '哦', '噢', '哦哦', '了解', '没事了', '没事', '好吧', '👍', '🙏', '[强]', '[抱拳]', '[微笑]'],
  bye: ['再见', '拜拜', 'bye', '晚安', '下班了'],
  laugh: ['哈', '哈哈', '哈哈哈', '呵呵', '嘿嘿', '嘻嘻', '😂', '[捂脸]'],
}

/** Asking what the bot can do. Matched anywhere in a short message. */
export const HELP_PHRASES = ['怎么用', '咋用', '如何使用', '怎么使用', '使用说明', '能干啥', '能干什么', '能做什么', '能做啥', '会什么', '会干啥', '有什么功能', '有啥功能', '什么功能', '怎么提诉求', '怎么反映', '怎么投诉', '怎么提建议', '怎么报', '如何反映', '如何提', '怎么操作', '教教我', '不会用', '命令有哪些', '有哪些命令', '怎么查进度', '功能列表', '帮帮我', '支持什么']

/** Asking how their matter is going. */
export const STATUS_PHRASES = ['进度', '进展', '怎么样了', '咋样了', '如何了', '怎么样啦', '有结果', '有回音', '有回复', '有消息', '有下文', '处理了吗', '处理了没', '办了没', '办了吗', '解决了没', '解决了吗', '到哪一步', '办到哪', '弄到哪', '管了没', '有人管吗', '有人管没', '回复了吗', '结果呢', '处理到哪']
/** Pointing back at something already filed ("上次说的事"), which makes a status phrase a status question. */
export const BACK_REFERENCES = ['上次', '之前', '前几天', '昨天', '上周', '我提的', '我反映的', '我报的', '我说的', '我的诉求', '我那个', '那个事', '那件事', '那事', '我的事', '查一下', '查下', '查查', '帮我查', '看看', '看一下', '问一下', '问下']
/** All of one's requests. */
export const LIST_PHRASES = ['我的诉求', '我提的诉求', '我提过的', '我反映过的', '我所有的', '全部诉求', '诉求列表', '我的所有诉求', '我都提了啥', '我提了哪些']

/** Saying they want to file, at the start (after an optional 我想/我要/帮我…): the request follows. */
export const FILING_VERBS = [
  '困难帮扶申请', '申请困难帮扶', '申请帮扶', '申请困难补助', '申请补助', '申请救助', '合理化建议',
  '投诉', '申诉', '求助', '反映', '反应', '举报', '建议', '提议', '诉求',
  '提个诉求', '提一个诉求', '提诉求', '提个建议', '提一个建议', '提条建议', '提点建议', '提建议', '提个意见', '提点意见', '提意见', '提一下意见',
  '提个问题', '提一个问题', '报一下', '报个问题', '报一个问题', '报个事', '报修', '登记一下', '反馈一下', '反馈个问题', '反馈',
  '有个问题要反映', '有个事要反映', '有件事要反映', '有个情况要反映', '有个问题想反映', '有个事想反映', '有件事想反映', '有个情况反映', '有问题要反映', '有事要反映', '有个困难',
  '说个事', '说个问题',
]
/** Said before a filing verb and meaning "I want to": 我想 提个…, 帮我 报一下…. */
export const WANTING = ['我想要', '我想', '我要', '想要', '想', '要', '我需要', '需要', '我希望', '希望', '我来', '我', '俺想', '俺要', '咱想', '帮我', '帮忙', '给我', '替我', '请帮我', '麻烦帮我', '请', '跟你们', '向工会', '给工会', '跟工会', '和工会', '找工会', '向你们', '给你们']
/** The filing verb's category meaning, where it has one. */
export const VERB_CATEGORY: [string, string][] = [
  ['合理化建议', '合理化建议'],
  ['建议', '合理化建议'],
  ['提议', '合理化建议'],
  ['帮扶', '困难帮扶'],
  ['补助', '困难帮扶'],
  ['救助', '困难帮扶'],
]

/** Not wanting to be named. */
export const ANONYMOUS_MARKERS = ['匿名', '不要透露我', '别透露我', '不要说是我', '别说是我', '不想让人知道是我', '不要让人知道是我', '别让人知道是我', '别让领导知道是我', '不要让领导知道', '别告诉领导是我', '保密我的身份', '替我保密', '不署名', '不留名', '别写我名字', '不要写我名字', '不要写我的名字', '别暴露我']

/** Naming a safety hazard outright. */
export const HAZARD_WORDS = ['安全隐患', '隐患', '随手拍']
/** Urgency at the start. */
export const URGENT_OPENERS = ['紧急', '十万火急', '特急', '加急', '急急急', '急事', '急', '救命', 'sos', '快来人', '出事了']

/** Someone else's matter, filed by a collector: 帮李四报一下、替张三反映、代王五提. */
export const ON_BEHALF_LEADS = ['帮', '替', '代', '给']
export const ON_BEHALF_VERBS = ['报一下', '报个诉求', '报个事', '报', '反映一下', '反映', '提一下', '提个诉求', '提', '登记一下', '登记', '申请', '投诉']

/** An officer's word after a request number, and the action it means. */
export const OFFICER_WORDS: [string, 'accept' | 'reply' | 'resolve' | 'reject' | 'escalate' | 'supervise'][] = [
  ['已受理', 'accept'], ['受理', 'accept'], ['收到', 'accept'], ['知道了', 'accept'], ['马上处理', 'accept'], ['在处理', 'accept'], ['正在处理', 'accept'],
  ['已办结', 'resolve'], ['办结', 'resolve'], ['已解决', 'resolve'], ['解决了', 'resolve'], ['修好了', 'resolve'], ['已修好', 'resolve'], ['已经修好', 'resolve'], ['已经解决', 'resolve'],
  ['办好了', 'resolve'], ['已办好', 'resolve'], ['处理完', 'resolve'], ['处理好了', 'resolve'], ['已处理', 'resolve'], ['搞定', 'resolve'], ['已完成', 'resolve'], ['完成了', 'resolve'],
  ['已发放', 'resolve'], ['已补发', 'resolve'], ['已更换', 'resolve'], ['换好了', 'resolve'], ['已整改', 'resolve'], ['整改完', 'resolve'], ['已落实', 'resolve'],
  ['驳回', 'reject'], ['不予受理', 'reject'], ['不受理', 'reject'], ['不属于', 'reject'],
  ['升级', 'escalate'], ['上报', 'escalate'], ['报上级', 'escalate'], ['督办', 'supervise'],
  ['回复', 'reply'], ['答复', 'reply'],
]
/** The officer's words that are only the action word (the rest of the message is its text). */
export const OFFICER_VERB_ONLY = new Set(['受理', '已受理', '驳回', '办结', '已办结', '升级', '督办', '回复', '答复'])

/** Rating after a number: "SQ-… 5分 很满意". */
export const SCORE = /(?:^|\D)([1-5一二三四五两])\s*(?:分|星|颗星)/

/**
 * Signs that a message describes a problem (not chatter): it is then offered to be filed. Broad
 * on purpose: an offer is one question, never a filing.
 */
export const PROBLEM_MARKERS = [
  '没有', '没发', '没给', '好久没', '一直没', '没换', '没人修', '没人管', '没人', '没法', '不能', '不给', '不让', '不够', '不发', '不开', '不好', '不行', '不亮', '不通', '不热', '不凉', '不干净', '不合理', '不公平', '不到位',
  '坏了', '坏掉', '损坏', '破了', '磨破', '漏', '堵', '断了', '掉了', '塌', '裂', '松动', '卡住', '故障', '失灵', '停了', '停电', '停水', '异味', '焦味', '糊味', '冒烟', '着火', '起火', '火花',
  '太热', '太冷', '太吵', '噪音', '嗡嗡', '很滑', '太滑', '没休息', '不休息', '太脏', '太差', '太贵', '太远', '太少', '太累', '太晚', '太咸', '太辣', '很热', '很冷', '好热', '热死', '冷死', '闷',
  '拖欠', '欠', '克扣', '扣了', '扣钱', '少了', '少发', '没算', '算错', '不对', '加班', '调休',
  '问题', '麻烦', '困难', '难', '帮忙', '帮帮', '希望', '能不能', '可不可以', '能否', '要求', '请求', '盼', '为什么', '凭什么', '咋回事', '怎么回事', '怎么办', '咋办',
  '受伤', '伤了', '摔', '砸', '烫', '割', '住院', '生病', '病了', '焦虑', '压力', '睡不着', '失眠',
  '食堂', '宿舍', '班车', '空调', '厕所', '澡堂', '热水', '工资', '奖金', '补贴', '合同', '社保', '公积金', '劳保', '手套', '安全帽', '工作服',
]
/** Chatter that mentions problem words but is not meant for the union: never offered. */
export const NOT_A_REQUEST = ['哈哈', '开玩笑', '说着玩', '随便说说', '测试', 'test', '试一下', '试试', '吃了吗', '吃饭了吗', '几点下班', '下班了吗', '今天天气', '周末去哪', '打球', '斗地主', '红包', '不错', '挺好', '好吃', '真好', '真棒']

/** Yes and no to an offer typed instead of pressed. */
export const YES = ['是', '是的', '对', '对的', '好', '好的', '嗯', '嗯嗯', '行', '可以', '提交', '确认', '确定', '要', '要的', '1', 'ok', 'yes', 'y']
export const NO = ['不', '不用', '不用了', '不要', '算了', '否', '取消', '不是', '别', 'no', 'n']
