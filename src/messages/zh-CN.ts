/**
 * Every sentence the bot says in Simplified Chinese. Other locales mirror this shape.
 * Over 400 lines: all of the bot's words in one place, one section per area, by design.
 */
export const zhCN = {
  botName: '工友',
  roles: { guest: '未绑定用户', worker: '职工', collector: '网格员', officer: '工会干部', admin: '管理员' } as Record<string, string>,
  help: {
    title: (roleLabel: string) => `工友可以帮您做这些事（您的身份：${roleLabel}）`,
    footer: '命令前可加 /，也可以 @工友 后再写命令。',
    guestIntro: '您还没有绑定身份，绑定后就能提交诉求、查看进度。',
  },
  unknown: {
    didYouMean: (word: string, suggestion: string, usage: string) =>
      `没有“${word}”这个命令，您是不是想用“${suggestion}”？写法：${usage}\n发送“帮助”查看全部命令。`,
    noSuggestion: (word: string) => `没看懂“${word}”。想反映问题，直接把事情写下来发给我；发送“帮助”查看您可以用的命令。`,
    emptyMention: '您好，我是工友。发送“帮助”查看您可以用的命令。',
  },
  usage: (usage: string, example?: string) => `写法：${usage}${example ? `\n例如：${example}` : ''}`,
  notAllowed: (what: string, roleLabel: string) => `“${what}”只有${roleLabel}可以使用。发送“帮助”查看您可以用的命令。`,
  needBinding: '您还没有绑定身份，请先发送：绑定 工号 姓名（例如：绑定 D1001 张伟）。',
  internalError: '抱歉，工友处理这条消息时出错了，已记录下来。请稍后再试，或联系工会管理员。',
  limits: {
    tooLong: (max: number) => `这条消息太长了（最多 ${max} 个字），工友没有处理。请分几条发送，或只写要点。`,
    tooManyMentions: (max: number) => `一条消息最多 @${max} 个人，工友没有处理这条。请只 @ 要办理的人。`,
    crossSite: '拒绝跨站请求：请在工友后台页面上操作（请求来源与本站不一致）。',
    invalidText: '内容含有无法识别的字符，请检查后重新输入。',
    badMonth: '月份应为 YYYY-MM，例如 2026-11（年份 2000–2100）。',
    notFound: (path: string) => `没有这个地址：${path}`,
    importTooLarge: (maxMb: number) => `文件太大：内容超过 ${maxMb} MB（.xlsx 按解压后计），请拆分后分批导入。`,
    importSuspicious: '文件的压缩比异常（疑似“压缩炸弹”），已拒绝。请用 Excel 或 WPS 重新另存为 .xlsx 后再导入。',
    importTooManyRows: (max: number) => `文件行数超过 ${max} 行，请拆分后分批导入。`,
  },
  bind: {
    usage: '绑定 工号 姓名',
    example: '绑定 D1001 张伟',
    done: (name: string, unit: string, roleLabel: string) => `绑定成功：${name}（${unit}，${roleLabel}）。发送“帮助”查看您可以用的命令。`,
    already: (name: string) => `您已经绑定为 ${name}，无需重复绑定。如需更换，请联系工会管理员。`,
    mismatch: '工号和姓名对不上，请核对后重试；如果花名册有误，请联系工会管理员。',
    takenByOther: '这个工号已被另一个账号绑定。如果不是您本人操作，请马上联系工会管理员。',
    tooMany: '尝试次数太多，请一小时后再试，或联系工会管理员。',
    inactive: '该工号已停用，请联系工会管理员。',
    notOnPlatform: '演示平台上不需要绑定：您已经以所选人员的身份发言。',
  },
  binding: {
    platforms: { feishu: '飞书', wecom: '企业微信', wechaty: '微信', web: '演示平台' } as Record<string, string>,
    vouched: { directory: '通讯录核验', admin: '管理员确认', code: '绑定码', claim: '自报（待确认）' } as Record<string, string>,
    usage: {
      confirm: '确认绑定 工号 [平台]',
      confirmExample: '确认绑定 D2001',
      code: '绑定码 工号',
      codeExample: '绑定码 D2001',
      list: '绑定列表 [待确认]',
      unbind: '解除绑定 工号 [平台]',
      unbindExample: '解除绑定 D2001 飞书',
    },
    summary: {
      confirm: '确认某人自报的绑定（网格员、干部、管理员确认后才有相应权限）',
      code: '为某人生成一次性绑定码（24 小时内有效，只能用一次）',
      list: '查看各平台的绑定，可只看待确认的',
      unbind: '解除某人在某个平台（或全部平台）上的绑定',
    },
    pending: (roleLabel: string) =>
      `您的“${roleLabel}”身份还在等待管理员确认，确认前按职工身份使用。请管理员发送“确认绑定 您的工号”，或向管理员要一个绑定码后发送“绑定 工号 姓名 绑定码”。`,
    pendingShort: (roleLabel: string) => `${roleLabel}（待管理员确认，目前按职工使用）`,
    codeRedeemed: (name: string, roleLabel: string) => `绑定码已核验：您的身份已确认为 ${name}（${roleLabel}）。`,
    codeInvalid: '绑定码不对、已过期或已用过，请向管理员重新要一个。',
    noticeOther: (employeeNo: string, name: string, platform: string) =>
      `你的工号 ${employeeNo}（${name}）刚在${platform}上绑定。如非本人操作，请马上联系工会管理员。`,
    noticeAdminTitle: '新的身份绑定',
    noticeAdminClaim: (name: string, employeeNo: string, roleLabel: string, platform: string) =>
      `${name}（${employeeNo}，${roleLabel}）刚在${platform}上用“工号+姓名”绑定。确认前按职工身份使用；如非本人，请解除绑定。`,
    noticeAdminVouched: (name: string, employeeNo: string, roleLabel: string, platform: string, how: string) =>
      `${name}（${employeeNo}，${roleLabel}）已在${platform}上绑定（${how}）。如有误，请解除绑定。`,
    confirmButton: '确认绑定',
    unbindButton: '解除绑定',
    notFound: (employeeNo: string) => `花名册里没有工号 ${employeeNo}。`,
    badPlatform: (word: string) => `不认识平台“${word}”，请写 飞书、企业微信 或 微信。`,
    confirmed: (name: string, platforms: string) => `已确认 ${name} 在${platforms}上的绑定。`,
    confirmedTold: (platform: string) => `管理员已确认您在${platform}上的身份，现在可以使用您的全部命令了。发送“帮助”查看。`,
    nothingToConfirm: (name: string) => `${name} 没有待确认的绑定。`,
    codeOnlyPrivate: '绑定码只能在私聊中生成，请私聊我发送“绑定码 工号”。',
    codeIssued: (name: string, employeeNo: string, code: string, hours: number) =>
      `${name}（${employeeNo}）的一次性绑定码：${code}\n${hours} 小时内有效，只能用一次。请当面或电话告诉本人，让其私聊我发送：绑定 ${employeeNo} ${name} ${code}`,
    codeInactive: (name: string) => `${name} 已停用，不能生成绑定码。`,
    listTitle: (count: number, pendingOnly: boolean): string => (pendingOnly ? `待确认的绑定（${count}）` : `身份绑定（${count}）`),
    listEmpty: (pendingOnly: boolean): string => (pendingOnly ? '没有待确认的绑定。' : '还没有人绑定。'),
    listLine: (name: string, employeeNo: string, roleLabel: string, platform: string, how: string, date: string) =>
      `${name}（${employeeNo}，${roleLabel}）${platform}，${how}，${date}`,
    listMore: (more: number) => `……还有 ${more} 条，请在后台查看。`,
    unbound: (name: string, platforms: string) => `已解除 ${name} 在${platforms}上的绑定。`,
    unboundTold: (platform: string) => `您在${platform}上的身份绑定已被管理员解除。如有疑问，请联系工会管理员。`,
    nothingToUnbind: (name: string) => `${name} 没有可解除的绑定。`,
    whoamiPending: '（待管理员确认）',
  },
  whoami: {
    title: '我的信息',
    fields: { name: '姓名', employeeNo: '工号', role: '身份', unit: '单位', grid: '网格', platforms: '已绑定平台', scope: '负责范围' },
    none: '无',
  },
  grid: {
    notCollector: '您还不是任何网格的网格员。',
    members: (grid: string, count: number) => `网格“${grid}”共 ${count} 人：`,
  },
  bindGroup: {
    usage: '绑定班组 单位名称或路径',
    example: '绑定班组 一车间/电工班',
    onlyInGroup: '请在要绑定的群里发送这个命令。',
    notFound: (q: string) => `没有找到单位“${q}”。请写单位全称或路径，例如：一车间/电工班。`,
    ambiguous: (q: string, options: string[]) => `“${q}”对应多个单位：${options.join('、')}。请写完整路径。`,
    outOfScope: (unit: string) => `“${unit}”不在您负责的范围内，不能绑定。`,
    done: (chat: string, unit: string) => `已将本群“${chat}”绑定到“${unit}”。`,
    officersDone: (chat: string, unit: string) => `已将本群“${chat}”设为“${unit}”的工会干部群，新诉求会在这里提醒。`,
  },
  addedToGroup: '大家好，我是工友。请工会干部或管理员在本群发送“绑定班组 单位名称”把本群和班组关联起来。',
  deadLetters: {
    none: '没有发送失败的消息。',
    title: (n: number) => `发送失败的消息共 ${n} 条（最近 10 条）：`,
    line: (id: number, platform: string, target: string, error: string) => `#${id} ${platform} → ${target}：${error}`,
    hint: '发送“重发 编号”重新发送一条。',
    requeued: (id: number) => `已重新排队发送 #${id}。`,
    notFound: (id: string) => `没有编号为 ${id} 的失败消息。`,
    usage: '重发 编号',
    privateRecipient: '私聊对象（不显示）',
  },
  alerts: {
    deadLetter: (platform: string, target: string, error: string) =>
      `【系统提醒】一条消息发送失败已放弃：${platform} → ${target}（${error}）。发送“发送失败”查看。`,
  },
  dashboard: {
    usage: '登录后台',
    summary: '获取工会工作台的一次性登录链接（私信发送）',
    link: (url: string, minutes: number) => `工会工作台登录链接（${minutes} 分钟内有效，只能用一次，请勿转发）：\n${url}`,
    sentPrivately: '登录链接已私信发给您，请到与工友的私聊中查看。',
    cannotReachPrivately: '无法私信您登录链接：请在与工友的私聊中发送“登录后台”。',
  },
  requests: {
    status: { new: '待受理', accepted: '处理中', resolved: '已办结（待评价）', rated: '已评价', rejected: '已驳回', closed: '已关闭' } as Record<
      string,
      string
    >,
    anonymousName: '匿名职工',
    system: '系统',
    usage: {
      file: '诉求 内容',
      fileExample: '诉求 食堂晚班没有热饭',
      anonymous: '匿名诉求 内容',
      anonymousExample: '匿名诉求 班长克扣加班费',
      onBehalf: '代报 @职工（或工号、姓名） 内容',
      onBehalfExample: '代报 @张伟 劳保手套磨破了一个月没换',
      status: '进度 诉求编号',
      statusExample: '进度 SQ-2026-0042',
      rate: '评价 诉求编号 1-5分 意见（可不写）',
      rateExample: '评价 SQ-2026-0042 4 解决了但慢',
      recategorise: '改类别 诉求编号 类别',
      recategoriseExample: '改类别 SQ-2026-0042 通勤',
      accept: '受理 诉求编号',
      reply: '回复 诉求编号 内容',
      replyExample: '回复 SQ-2026-0042 已联系食堂，本周内解决',
      resolve: '办结 诉求编号 处理结果',
      resolveExample: '办结 SQ-2026-0042 晚班已供应热饭',
      reject: '驳回 诉求编号 理由',
      rejectExample: '驳回 SQ-2026-0042 不属于工会受理范围，已告知找人事部门',
      transfer: '转办 诉求编号 @干部（或工号、姓名） 说明（可不写）',
      transferExample: '转办 SQ-2026-0042 D3001',
      escalate: '升级 诉求编号 理由（可不写）',
      supervise: '督办 诉求编号',
      numberExample: 'SQ-2026-0042',
    },
    summary: {
      file: '提交诉求',
      anonymous: '匿名提交诉求（私聊发送，干部看不到您是谁）',
      onBehalf: '替网格内职工代报诉求',
      mine: '查看我提交的诉求',
      grid: '查看本网格未办结的诉求',
      status: '查看诉求进度和经过',
      rate: '对办结的诉求打分',
      recategorise: '更正诉求类别',
      accept: '受理诉求',
      reply: '回复诉求人',
      resolve: '办结诉求',
      reject: '驳回诉求（需写理由）',
      transfer: '转给其他干部办理',
      escalate: '升级到上一级工会',
      supervise: '列为督办事项',
      todo: '我的待办（超期的在前）',
    },
    emptyContent: '请写上诉求内容。',
    tooLong: (max: number) => `诉求内容太长了，请控制在 ${max} 字以内。`,
    filed: (number: string, category: string, urgent: boolean, level: string, due: string) =>
      `已收到您的诉求 ${number}（${category}${urgent ? '，紧急' : ''}）。已转给${level}的工会干部，${urgent ? '紧急诉求' : '将'}在 ${due} 前答复。\n发送“进度 ${number}”查看进展；类别不对可发送“改类别 ${number} 类别”。`,
    filedAnonymous: '这是匿名诉求：干部看不到您的姓名、工号和账号，进展会私下通知您。',
    filedOnBehalf: (number: string, name: string) => `已为 ${name} 代报诉求 ${number}。`,
    filedForYou: (collector: string, number: string, content: string) =>
      `网格员 ${collector} 为您代报了诉求 ${number}：${content}\n发送“进度 ${number}”查看进展。`,
    noOfficers: (number: string) => `诉求 ${number} 找不到负责的工会干部，已转给管理员。`,
    newForOfficer: (number: string) => `新诉求 ${number}`,
    newForOfficerText: (number: string, category: string, urgent: boolean, unit: string, who: string, content: string, due: string) =>
      `${urgent ? '【紧急】' : ''}新诉求 ${number}（${category}）\n单位：${unit}\n诉求人：${who}\n内容：${content}\n请在 ${due} 前受理或回复。发送“受理 ${number}”受理。`,
    notFound: (number: string) => `没有找到诉求 ${number}，请核对编号（例如 SQ-2026-0042）。`,
    notYours: (number: string) => `诉求 ${number} 不是您提交的，您不能查看或操作。`,
    outOfScope: (number: string) => `诉求 ${number} 不在您负责的范围内。`,
    wrongState: (number: string, status: string) => `诉求 ${number} 目前${status}，不能进行这个操作。`,
    onlyInGrid: (name: string) => `${name} 不在您负责的网格内，不能代报。请让本人提交，或联系其所在网格的网格员。`,
    whoFor: (q: string) => `没有找到“${q}”，请用 @某人、工号或姓名指明是谁的诉求。`,
    whoForAmbiguous: (q: string, options: string[]) => `“${q}”有多人：${options.join('、')}。请用工号指明。`,
    accepted: (number: string, officer: string) => `您的诉求 ${number} 已由 ${officer} 受理，正在办理。`,
    acceptedAck: (number: string) => `已受理 ${number}，已通知诉求人。请在期限内办结：办结 ${number} 处理结果`,
    replied: (number: string, officer: string, text: string) => `关于您的诉求 ${number}，${officer} 回复：${text}`,
    repliedAck: (number: string) => `已把回复发给 ${number} 的诉求人。`,
    resolved: (number: string, officer: string, result: string) =>
      `您的诉求 ${number} 已办结（${officer}）。处理结果：${result}\n请为办理结果打分（1-5 分）：评价 ${number} 分数 意见`,
    rateCardTitle: (number: string) => `请评价诉求 ${number}`,
    resolvedAck: (number: string) => `已办结 ${number}，已请诉求人评价。`,
    rejected: (number: string, officer: string, reason: string) =>
      `您的诉求 ${number} 未予受理（${officer}）。理由：${reason}\n如有异议，可以申请复核（一次）：申请复核 ${number} 理由`,
    rejectedAck: (number: string) => `已驳回 ${number}，理由已告知诉求人。`,
    transferred: (number: string, from: string, to: string) => `您的诉求 ${number} 已由 ${from} 转给 ${to} 办理。`,
    transferredToYou: (number: string, from: string, note: string) => `${from} 把诉求 ${number} 转给您办理${note ? `：${note}` : '。'}`,
    transferredAck: (number: string, to: string) => `已把 ${number} 转给 ${to}。`,
    transferTargetNotOfficer: (name: string) => `${name} 不是工会干部，不能转办给他。`,
    escalated: (number: string, to: string) => `您的诉求 ${number} 已升级到 ${to} 办理。`,
    escalatedAck: (number: string, to: string) => `已把 ${number} 升级到 ${to}。`,
    escalatedAway: (number: string, to: string, why: string) => `诉求 ${number} 已升级到 ${to}${why ? `（${why}）` : ''}。`,
    alreadyTop: (number: string) => `诉求 ${number} 已在最高一级，不能再升级。`,
    supervisedAck: (number: string) => `已将 ${number} 列为督办事项，每周向管理员汇报进展。`,
    alreadySupervised: (number: string) => `${number} 已经是督办事项。`,
    rated: (number: string, score: number) => `感谢评价！诉求 ${number} 得分 ${score} 分。`,
    ratedLow: (number: string, to: string) => `已收到您的评价。诉求 ${number} 已重新打开，交由 ${to} 复核。`,
    ratedForOfficer: (number: string, score: number, comment: string) => `诉求 ${number} 的评价：${score} 分${comment ? `，${comment}` : ''}。`,
    badScore: '分数请写 1 到 5 的整数，例如：评价 SQ-2026-0042 4 解决了但慢',
    notRatable: (number: string) => `诉求 ${number} 还没有办结，办结后才能评价。`,
    recategorised: (number: string, category: string) => `已把 ${number} 的类别改为“${category}”。`,
    unknownCategory: (name: string, all: string[]) => `没有“${name}”这个类别。可选：${all.join('、')}`,
    mineEmpty: '您还没有提交过诉求。发送“诉求 内容”提交。',
    mineTitle: (n: number) => `您的诉求（共 ${n} 件，最近 10 件）：`,
    gridEmpty: '本网格目前没有未办结的诉求。',
    gridTitle: (n: number) => `本网格未办结的诉求共 ${n} 件：`,
    listLine: (number: string, category: string, status: string, content: string, overdue: boolean) =>
      `${overdue ? '⚠超期 ' : ''}${number}【${category}】${status}：${content}`,
    todoEmpty: '您没有待办的诉求。',
    todoTitle: (n: number, overdue: number) => `您的待办诉求共 ${n} 件${overdue ? `，其中超期 ${overdue} 件` : ''}：`,
    progressTitle: (number: string) => `诉求 ${number}`,
    progressFields: { status: '状态', category: '类别', unit: '单位', level: '当前办理', due: '期限', content: '内容', result: '处理结果', rating: '评价' },
    timelineTitle: '经过：',
    eventLine: (at: string, what: string) => `${at} ${what}`,
    events: {
      filed: '提交诉求',
      filedOnBehalf: '代报诉求',
      accepted: '受理',
      replied: '回复',
      resolved: '办结',
      rejected: '驳回',
      transferred: '转办',
      escalated: '升级',
      supervised: '列为督办',
      rated: '评价',
      reopened: '重新打开',
      recategorised: '更改类别',
      closed: '自动关闭',
      overdue: '超期',
      recalled: '提交诉求的原消息已撤回（诉求保留）',
    } as Record<string, string>,
    urgentTag: '紧急',
    supervisedTag: '督办',
    dueAnswer: (at: string) => `${at} 前答复`,
    dueResult: (at: string) => `${at} 前办结`,
    overdueAnswer: (number: string, level: string) => `诉求 ${number} 超过答复期限，已升级到 ${level}。`,
    overdueResult: (number: string, level: string) => `诉求 ${number} 超过办结期限，已升级到 ${level}。`,
    overdueTop: (number: string, unit: string, what: string) =>
      `【超期提醒】诉求 ${number}（${unit}）已超过${what}期限，已在最高一级，请主席和管理员督促办理。`,
    overdueReason: (what: string) => `超过${what}期限`,
    answerWord: '答复',
    resultWord: '办结',
    autoClosed: (number: string) => `诉求 ${number} 办结后一直未评价，已自动关闭。感谢您的反馈！`,
    digestTitle: (open: number, overdue: number) => `早上好！您有 ${open} 件待办诉求${overdue ? `，其中 ${overdue} 件已超期` : ''}：`,
    digestMore: (n: number) => `……另有 ${n} 件，发送“待办”查看全部。`,
    supervisedTitle: (n: number) => `本周督办事项共 ${n} 件：`,
    supervisedLine: (number: string, status: string, level: string, content: string) => `${number}【${status}】${level}：${content}`,
    buttons: { accept: '受理', escalate: '升级', supervise: '督办', progress: '查看进度' },
    officerHint: (number: string) => `回复：回复 ${number} 内容；办结：办结 ${number} 结果；驳回：驳回 ${number} 理由`,
  },
  announcements: {
    kinds: { activity: '活动', safety: '安全', care: '关爱', notice: '通知' } as Record<string, string>,
    status: { scheduled: '待发送', sending: '发送中', sent: '已发送', cancelled: '已取消' } as Record<string, string>,
    recurringLabel: '定期发送中',
    pausedLabel: '已暂停',
    platforms: { web: '演示平台', feishu: '飞书', wecom: '企业微信', wechaty: '微信' } as Record<string, string>,
    deliveryStatus: { sent: '已发送', pending: '待发送', failed: '发送失败' } as Record<string, string>,
    usage: {
      publish: '发布公告 类型 标题（换行写正文，再写 范围/时间/需要已阅/报名 等选项）',
      publishExample: '发布公告 活动 周末篮球赛\n周六下午3点，厂体育馆，欢迎报名。\n范围 一车间\n时间 周五18:00\n报名 名额30 截止 周六12:00',
      list: '公告列表',
      progress: '公告进度 公告编号',
      cancel: '取消公告 公告编号',
      edit: '修改公告 公告编号 选项（时间/截止/标题/正文/范围/链接/名额/提醒，每行一项）',
      editExample: '修改公告 N-8 时间 周六9:00',
      pause: '暂停公告 公告编号',
      resume: '恢复公告 公告编号',
      ack: '已阅 公告编号（在群里可以只写“已阅”）',
      signup: '报名 公告编号（在群里可以只写“报名”）',
      cancelSignup: '取消报名 公告编号',
      campaign: '创建活动 名称 类型 开始日期 至 结束日期',
      campaignExample: '创建活动 2026安康杯 安全 2026-03-01 至 2026-12-31',
      campaigns: '活动列表',
      hazard: '隐患 位置和情况（随后可以发照片）',
      hazardExample: '隐患 二号车间东门配电箱门关不上，电线外露',
      birthdayOff: '不要生日祝福',
      birthdayOn: '恢复生日祝福',
    },
    summary: {
      publish: '发布公告（可定时、定期发送，可要求已阅或报名）',
      list: '查看最近的公告',
      progress: '查看公告的发送进度、已阅和报名情况',
      cancel: '取消还没发出的公告，或停止定期公告',
      edit: '修改还没发出的公告',
      pause: '暂停定期发送的公告',
      resume: '恢复定期发送的公告',
      ack: '确认已阅读公告',
      signup: '报名参加公告里的活动',
      cancelSignup: '取消报名',
      campaign: '创建活动（如安康杯），公告和隐患上报可以归入活动',
      campaigns: '查看活动和它的公告、隐患上报数',
      hazard: '上报安全隐患（按紧急诉求办理）',
      birthdayOff: '不再接收生日祝福',
      birthdayOn: '重新接收生日祝福',
    },
    formGuide:
      '发布公告的写法（第一行写类型和标题，下面几行写正文，最后每行写一个选项）：\n' +
      '发布公告 活动 周末篮球赛\n周六下午3点，厂体育馆。\n范围 一车间\n时间 周五18:00\n需要已阅\n报名 名额30 截止 周四18:00\n链接 https://…\n' +
      '类型：活动、安全、关爱、通知（不写就是通知）。\n' +
      '范围：单位名称，可写多个，或“全部”；不写就是您负责的单位。\n' +
      '时间：不写就是立即发送；也可以写 周五18:00、明天9点、2026-12-01 08:00；定期发送写 每周一 07:50、每天 8:00、工作日 7:50、每月1号 9:00，或 定时 cron 50 7 * * 1。\n' +
      '其他选项：需要已阅、报名 名额30、截止 周四18:00、链接 网址、图片 网址、所属活动 活动名称、提醒 2次、不提醒。',
    formHint: '发送“发布公告”查看完整写法。',
    invalid: {
      kind: '类型应为 活动、安全、关爱 或 通知。',
      title: '请写上标题（第一行，类型后面），最长 60 字。',
      body: '正文最长 2000 字。',
      targets: '范围应为单位名称，或“全部”。',
      link: '链接应以 http:// 或 https:// 开头。',
      imageUrl: '图片地址应以 http:// 或 https:// 开头。',
      schedule: '发送时间写得不对。',
      requireAck: '“需要已阅”写得不对。',
      signup: '“报名”写得不对。',
      capacity: '名额应为 1 到 100000 之间的整数。',
      dueAt: '截止时间写得不对。',
      maxReminders: '提醒次数应为 0 到 5 次。',
      campaign: '所属活动应写活动名称，最长 60 字。',
    } as Record<string, string>,
    notCreated: (problems: string[]) => `公告没有发布：\n${problems.map((p) => `· ${p}`).join('\n')}`,
    notEdited: (number: string, problems: string[]) => `公告 ${number} 没有修改：\n${problems.map((p) => `· ${p}`).join('\n')}`,
    lineProblem: (line: string, problem: string) => `“${line}”：${problem}`,
    notAnOption: '不是可以修改的选项，可写：时间、截止、标题、正文、范围、链接、图片、名额、需要已阅、报名、提醒。',
    missingValue: '后面要写上内容。',
    badRecurrence: {
      time: '定期发送要写时刻，例如：每周一 07:50、每天 8:00。',
      days: '看不懂是哪几天，例如：每周一 07:50、工作日 7:50、每月1号 9:00。',
      cron: 'cron 表达式应为 5 段：分 时 日 月 星期，例如 cron 50 7 * * 1（每周一 07:50）。',
    },
    badSignup: '报名的写法是：报名 名额30 截止 周四18:00（名额和截止都可以不写）。',
    badCapacity: '名额请写整数，例如：名额 30。',
    badUrl: '请写完整的网址，以 http:// 或 https:// 开头。',
    badReminders: (max: number) => `提醒次数请写 0 到 ${max} 之间的整数，例如：提醒 2次。`,
    badKind: '类型应为 活动、安全、关爱 或 通知。',
    staffOnly: '只有工会干部和管理员可以发布公告。',
    everyone: '全部单位',
    allOutOfScope: (scope: string) => `您负责的是“${scope}”，不能发给全部单位。`,
    unitNotFound: (name: string) => `没有找到单位“${name}”，请写单位全称或路径，例如：一车间/电工班。`,
    unitAmbiguous: (name: string, options: string[]) => `“${name}”对应多个单位：${options.join('、')}，请写完整路径。`,
    unitOutOfScope: (unit: string, scope: string) => `“${unit}”不在您负责的范围（${scope}）内。`,
    timePast: (at: string) => `发送时间 ${at} 已经过去了。`,
    badCron: (expr: string) => `看不懂定时“${expr}”：cron 表达式应为 5 段（分 时 日 月 星期），例如 50 7 * * 1。`,
    cronNever: (expr: string) => `定时“${expr}”永远不会到，请检查日期。`,
    recurringNoResponses: '定期发送的公告不能要求已阅或报名；请发一条单次的公告。',
    recurringNoDeadline: '定期发送的公告不能写截止时间。',
    dueBeforePost: (at: string) => `截止时间 ${at} 早于发送时间。`,
    campaignNotFound: (name: string, names: string[]) =>
      `没有名为“${name}”的活动。${names.length ? `现有活动：${names.join('、')}。` : '请先用“创建活动”创建。'}`,
    noGroups: (scope: string) => `“${scope}”下还没有绑定的群，请先在群里发送“绑定班组 单位名称”。`,
    noGroupsYet: '提醒：范围内暂时还没有绑定的群；发送时会发到届时已绑定的群。',
    recurrence: {
      daily: '每天',
      workdays: '工作日',
      weekly: (days: string) => `每周${days}`,
      monthly: (days: string) => `每月${days}日`,
      weekdayNames: ['日', '一', '二', '三', '四', '五', '六'] as readonly string[],
      cron: (e: string) => `定时 cron ${e}`,
    },
    immediately: '立即',
    atTime: (at: string) => `定时 ${at}`,
    postTitle: (kind: string, title: string) => `【${kind}】${title}`,
    linkLine: (url: string) => `链接：${url}`,
    imageLine: (url: string) => `图片：${url}`,
    signupHint: (number: string, capacity: number | null, due: string | null) =>
      `报名请回复“报名 ${number}”${capacity ? `（名额 ${capacity} 人，满员后进入候补）` : ''}${due ? `，${due} 截止` : ''}；取消请回复“取消报名 ${number}”。`,
    ackHint: (number: string, due: string | null) => `请回复“已阅 ${number}”确认${due ? `（${due} 前）` : ''}。`,
    buttons: { ack: '已阅', signup: '报名', cancelSignup: '取消报名' },
    fields: {
      capacity: '名额',
      due: '截止',
      link: '链接',
      schedule: '发送',
      next: '下次发送',
      campaign: '所属活动',
      delivery: '发送情况',
      firings: '已发送次数',
      reads: '已读',
    },
    fieldLine: (label: string, value: string) => `${label}：${value}`,
    published: (number: string, title: string, kind: string) => `已发布公告 ${number}《${title}》（${kind}），正在发往各群。`,
    scheduled: (number: string, title: string, kind: string) => `已创建公告 ${number}《${title}》（${kind}）。`,
    scopeLine: (scope: string, groups: number) => `范围：${scope}（${groups} 个群）`,
    whenLine: (label: string) => `发送：${label}`,
    nextLine: (at: string) => `下次发送：${at}`,
    asksAck: '需要已阅',
    asksSignup: (capacity: number | null) => (capacity ? `报名（名额 ${capacity} 人，满员后候补）` : '报名（不限名额）'),
    asksDue: (at: string) => `${at} 截止`,
    remindersLine: (n: number) => `；未回复的人最多提醒 ${n} 次`,
    campaignLine: (name: string) => `所属活动：${name}`,
    hintAfter: (number: string, recurring: boolean) =>
      `发送“公告进度 ${number}”查看进度${recurring ? `；“暂停公告 ${number}”暂停，“取消公告 ${number}”停止` : ''}。`,
    hintBefore: (number: string) => `发出前可以“修改公告 ${number} 时间 …”或“取消公告 ${number}”；发送“公告进度 ${number}”查看。`,
    notFound: (number: string) => `没有找到公告 ${number}，请核对编号（例如 N-8）。`,
    notYours: (number: string) => `公告 ${number} 不是您发布的，也不在您负责的范围内。`,
    alreadyCancelled: (number: string) => `公告 ${number} 已经取消了。`,
    alreadySent: (number: string) => `公告 ${number} 已经发出，不能取消了。`,
    alreadySentNoEdit: (number: string) => `公告 ${number} 已经发出，不能修改了；如有变化请另发一条公告。`,
    cancelled: (number: string, title: string) => `已取消公告 ${number}《${title}》，不会再发送。`,
    onlyRecurring: (number: string) => `公告 ${number} 不是定期发送的公告；单次公告可以“修改公告 ${number} 时间 …”或“取消公告 ${number}”。`,
    alreadyPaused: (number: string) => `公告 ${number} 已经是暂停状态。`,
    notPaused: (number: string) => `公告 ${number} 没有暂停，正在定期发送。`,
    paused: (number: string, title: string) => `已暂停公告 ${number}《${title}》；发送“恢复公告 ${number}”恢复。`,
    resumed: (number: string, title: string, next: string) => `已恢复公告 ${number}《${title}》${next ? `，下次发送：${next}` : ''}。暂停期间错过的不再补发。`,
    edited: (number: string, title: string, schedule: string) => `已修改公告 ${number}《${title}》。发送：${schedule}`,
    editedAndSent: (number: string, groups: number) => `已修改公告 ${number}，并立即发往 ${groups} 个群。`,
    notYetPublished: (number: string) => `公告 ${number} 还没有发布。`,
    notForYou: (number: string) => `公告 ${number} 不是发给您所在单位的。`,
    noAckNeeded: (number: string) => `公告 ${number} 不需要确认已阅。`,
    alreadyAcked: (number: string) => `您已经确认过公告 ${number}，谢谢！`,
    acked: (number: string, title: string) => `已确认：您已阅读公告 ${number}《${title}》。谢谢！`,
    noSignup: (number: string) => `公告 ${number} 不需要报名。`,
    signupClosed: (number: string, at: string) => `公告 ${number} 的报名已于 ${at} 截止。`,
    alreadySignedUp: (number: string) => `您已经报名了公告 ${number}。如需取消，请回复“取消报名 ${number}”。`,
    alreadyWaitlisted: (number: string, position: number) => `您已在公告 ${number} 的候补名单上（第 ${position} 位）。`,
    signedUp: (number: string, title: string, n: number, capacity: number | null) =>
      `报名成功：${number}《${title}》，您是第 ${n} 位${capacity ? `（名额 ${capacity} 人）` : ''}。如需取消，请回复“取消报名 ${number}”。`,
    waitlisted: (number: string, title: string, position: number) =>
      `${number}《${title}》名额已满，您在候补名单第 ${position} 位；有人取消时会自动递补并通知您。`,
    notSignedUp: (number: string) => `您没有报名公告 ${number}。`,
    signupCancelled: (number: string, title: string) => `已取消您对 ${number}《${title}》的报名。`,
    promoted: (number: string, title: string) =>
      `好消息：有人取消了报名，您已从候补转为正式报名 ${number}《${title}》。如不能参加，请回复“取消报名 ${number}”。`,
    progressTitle: (number: string, title: string, kind: string, status: string) => `公告 ${number}《${title}》（${kind}）· ${status}`,
    notFiredYet: '尚未发送',
    firingsValue: (n: number, last: string) => `${n} 次${last ? `，最近一次 ${last}` : ''}`,
    deliveryValue: (total: number, sent: number, pending: number, failed: number) => `共 ${total} 个群：已发送 ${sent}，待发送 ${pending}，失败 ${failed}`,
    readsValue: (reads: number, groups: number) => `${reads} 人（${groups} 个群由平台上报）`,
    groupsTitle: '各群：',
    groupLine: (name: string, platform: string, status: string, reads: number | null) =>
      `· ${name}（${platform}）：${status}${reads !== null ? `，已读 ${reads}` : ''}`,
    moreGroups: (n: number) => `……另有 ${n} 个群`,
    ownScopeOnly: (unit: string) => `（以下只含您负责的 ${unit} 的人员）`,
    acksTitle: (done: number, all: number) => `已阅：${done}/${all} 人`,
    unitLine: (unit: string, done: number, all: number) => `· ${unit}：${done}/${all}`,
    signupsTitle: (confirmed: number, capacity: number | null, waitlisted: number) =>
      `报名：${confirmed}${capacity ? `/${capacity}` : ''} 人${waitlisted ? `，候补 ${waitlisted} 人` : ''}`,
    signedUpNames: (names: string) => `报名名单：${names}`,
    waitlistNames: (names: string) => `候补名单：${names}`,
    morePeople: (n: number) => `等（另有 ${n} 人）`,
    nonResponders: (n: number, names: string) => `未回复（${n} 人）：${names}`,
    allAnswered: '所有人都已回复。',
    dueLine: (at: string, sent: number, max: number) => `截止：${at}；已提醒 ${sent}/${max} 次`,
    listEmpty: '还没有您可以查看的公告。发送“发布公告”查看写法。',
    listTitle: '最近的公告：',
    listLine: (number: string, kind: string, title: string, status: string, schedule: string) => `${number}【${kind}】${title} · ${status} · ${schedule}`,
    campaignsEmpty: '还没有活动。发送“创建活动 名称 类型 开始日期 至 结束日期”创建。',
    campaignsTitle: '活动：',
    campaignLineFull: (name: string, kind: string, start: string, end: string, announcements: number, hazards: number, photos = 0) =>
      `${name}（${kind}）${start || end ? ` ${start || '…'} 至 ${end || '…'}` : ''}：公告 ${announcements} 条，隐患上报 ${hazards} 件${photos ? `（照片 ${photos} 张）` : ''}`,
    badDate: (text: string) => `日期“${text}”不对，请写成 2026-03-01 这样。`,
    campaignName: '请写上活动名称（最长 60 字），例如：创建活动 2026安康杯 安全 2026-03-01 至 2026-12-31',
    campaignPeriodOrder: '结束日期不能早于开始日期。',
    campaignExists: (name: string) => `已经有名为“${name}”的活动了。`,
    campaignCreated: (name: string, kind: string, from: string, to: string, safety: boolean) =>
      `已创建活动“${name}”（${kind}${from || to ? `，${from || '…'} 至 ${to || '…'}` : ''}）。发布公告时写“所属活动 ${name}”归入本活动${safety ? '；活动期间“隐患”上报会计入本活动' : ''}。`,
    hazardCampaign: (name: string) => `已计入“${name}”隐患排查。`,
    hazardPhotos: '可以接着私聊发现场照片：几分钟内发来的会加到这条隐患上。',
    reminderTitle: (number: string, title: string) => `提醒：${number}《${title}》`,
    reminderInGroup: (number: string, title: string, names: string[], command: string, due: string | null) =>
      `【提醒】${names.join('、')}：公告 ${number}《${title}》您还没有回复，请回复“${command}”${due ? `（${due} 截止）` : ''}。`,
    reminderPrivate: (number: string, title: string, command: string, due: string | null) =>
      `【提醒】公告 ${number}《${title}》您还没有回复，请回复“${command}”${due ? `（${due} 截止）` : ''}。`,
    birthdayTitle: '生日快乐',
    birthdayGreeting: (name: string) =>
      `${name}，祝您生日快乐！感谢您一年来的辛勤付出，工会全体同事祝您身体健康、工作顺利、阖家幸福！\n（不想再收到生日祝福，可回复“不要生日祝福”。）`,
    birthdayOff: '好的，以后不再给您发生日祝福。想恢复时回复“恢复生日祝福”。',
    birthdayOn: '好的，生日那天工会会给您送上祝福。',
  },
  intent: {
    smallTalk: {
      greeting: '您好，我是工友，工会的小助手。',
      thanks: '不客气，有事随时找我。',
      ok: '好的。',
      bye: '好的，再见，注意休息。',
      laugh: '😄',
    } as Record<string, string>,
    howToFile: '有什么问题或建议，直接写下来发给我就行，例如：食堂晚班没有热饭。发送“帮助”看我能做什么。',
    offerTitle: '要把这件事提交给工会吗？',
    offer: (excerpt: string) => `您说的是：“${excerpt}”\n要把它作为诉求提交给工会吗？`,
    offerInGroup: '想匿名反映的话，请私聊我，群里不能匿名提交。',
    typoOffer: (written: string, meant: string, excerpt: string) => `“${written}”是不是想写“${meant}”？要提交的内容是：“${excerpt}”`,
    didYouMean: (written: string, meant: string) => `“${written}”是不是想写“${meant}”？点一下就办。`,
    typedHint: '也可以直接回复“是”提交，回复“不用了”取消。',
    buttons: { file: '提交诉求', anonymous: '匿名提交', cancel: '不用了', same: '是同一件', fresh: '是新问题' },
    cancelled: '好的，不提交了。有需要随时找我。',
    expired: '这个提议已经过期了，请把要反映的事重新发一遍。',
    nothingPending: '现在没有等您确认的事。有问题直接写下来发给我就行。',
    duplicateTitle: (number: string) => `和 ${number} 是同一件事吗？`,
    /** In a group the earlier request's words are not repeated (it may have been filed privately). */
    duplicate: (number: string, excerpt: string | null) => `您不久前提过 ${number}${excerpt === null ? '' : `：“${excerpt}”`}\n这次说的是同一件事吗？`,
    sameMatter: (number: string) => `好的，这件事已经在 ${number} 里了，工会正在跟进。发送“进度 ${number}”可以查看进展。`,
  },
  commands: {
    help: '查看可用命令',
    bind: '绑定您的身份',
    whoami: '查看我的信息',
    gridMembers: '查看我负责网格的人员',
    bindGroup: '把本群绑定到班组',
    bindOfficersGroup: '把本群设为工会干部群',
    deadLetters: '查看发送失败的消息',
    retry: '重新发送失败的消息',
  },
  when: {
    empty: '请写上时间，例如：周五18:00、明天12:00、3天后。',
    notUnderstood: (text: string) => `没看懂时间“${text}”。可以这样写：周五18:00、明天下午3点、3天后、11月30日18:00。`,
    past: (at: string) => `${at} 已经过去了，请写一个以后的时间，例如：明天18:00。`,
    invalidDate: (text: string) => `没有“${text}”这一天，请检查日期，例如：11月30日。`,
    invalidTime: (text: string) => `“${text}”里的钟点不对，请写 0:00 到 23:59 之间的时间，例如：下午6点、18:00。`,
    tooFar: '时间太远了，请写 5 年以内的时间，例如：12月31日18:00。',
  },
  polls: {
    usage: {
      start: '发起投票 标题 | 选项1 | 选项2 …… [匿名] [多选/多选2] [不可改] [截止 时间] [范围 单位]',
      startExample: '发起投票 周末加班意愿 | 愿意 | 不愿意 | 看情况 匿名 截止 周五18:00',
      vote: '投票 投票编号 选项编号（多选用逗号或空格分开）',
      voteExample: '投票 P-17 2',
      results: '投票结果 投票编号（问卷：问卷结果 问卷编号）',
      resultsExample: '投票结果 P-17',
      close: '结束投票 投票编号（或 结束问卷 问卷编号）',
      survey: '发起问卷 问卷名称 [截止 时间] [实名] [范围 单位]（每行再写一题，或用模板：职工满意度）',
      surveyExample: '发起问卷 职工满意度 截止 月底',
      fill: '填写问卷 问卷编号（中断后用 继续问卷 问卷编号）',
      fillExample: '填写问卷 Q-3',
      answer: '回答 问卷编号 题号 答案',
      answerExample: '回答 Q-3 2 5',
    },
    summary: {
      start: '在群里发起投票（单选/多选、匿名、截止时间）',
      vote: '投票或改票',
      results: '查看投票或问卷结果',
      close: '提前结束投票或问卷并公布结果',
      survey: '发起问卷调查（私聊逐题作答）',
      fill: '填写或继续填写问卷',
      answer: '回答问卷的一道题',
    },
    grammar: {
      empty: '请写上投票标题和选项，用 | 或 、 分开。',
      emptySurvey: '请写上问卷名称。',
      needSeparator: '请用 | 或 、 把标题和各个选项分开。',
      needTitle: '请在选项前写上投票标题。',
      unknownWord: (word: string) => `没看懂选项后面的“${word}”。选项后面可以写：匿名、实名、多选、多选2、不可改、截止 周五18:00、范围 一车间。`,
      deadlineMissing: '“截止”后面请写时间，例如：截止 周五18:00。',
      unitsMissing: '“范围”后面请写单位，例如：范围 一车间。',
    },
    needTitle: '请写上投票标题。',
    titleTooLong: (max: number) => `标题太长了，请控制在 ${max} 字以内。`,
    emptyOption: '有一个选项是空的，请检查是否多写了分隔符 |。',
    tooFewOptions: (min: number) => `至少要有 ${min} 个选项，用 | 或 、 分开。`,
    tooManyOptions: (max: number, n: number) => `选项最多 ${max} 个，您写了 ${n} 个。`,
    optionTooLong: (start: string, max: number) => `选项“${start}…”太长了，每个选项请控制在 ${max} 字以内。`,
    duplicateOption: (label: string, i: number, j: number) => `第 ${i} 个和第 ${j} 个选项重复了（“${label}”），请去掉一个。`,
    maxAboveOptions: (max: number, n: number) => `只有 ${n} 个选项，不能“多选${max}”。`,
    optionHasBar: '选项里不能有 | 符号。',
    invalidInput: (detail: string) => `投票内容不完整：${detail}`,
    deadlineWord: '截止时间：',
    deadlineTooSoon: (minutes: number) => `截止时间太近了，请至少留出 ${minutes} 分钟，例如：截止 2小时后。`,
    deadlineTooFar: (days: number) => `截止时间太远了，请设在 ${days} 天以内。`,
    creatorUnknown: '找不到发起人，请先绑定身份。',
    mayNotCreate: '只有工会干部、管理员和网格员（本网格）可以发起投票。',
    mayNotCreateSurvey: '只有工会干部和管理员可以发起问卷。',
    unitNotFound: (q: string) => `没有找到单位“${q}”，请写单位全称或路径，例如：一车间/电工班。`,
    unitAmbiguous: (q: string, options: string[]) => `“${q}”对应多个单位：${options.join('、')}。请写完整路径。`,
    groupNotBound: '本群还没有绑定班组，不知道投票发给谁。请先发送“绑定班组 单位名称”，或在命令后写“范围 单位”。',
    outOfScope: (unit: string) => `“${unit}”不在您负责的范围内，不能在那里发起。`,
    collectorScope: (unit: string) => `网格员只能在自己网格的班组发起投票，“${unit}”不在您的网格内。`,
    created: (number: string, title: string, deadline: string, defaulted: boolean, targets: string, groups: number) =>
      `已发起投票 ${number}“${title}”，范围：${targets}，已发到 ${groups} 个群。\n截止 ${deadline}${defaulted ? '（没写截止时间，默认 24 小时后截止；要改可以重新发起并写“截止 周五18:00”）' : ''}，到时自动公布结果。\n发送“投票结果 ${number}”查看进展，“结束投票 ${number}”提前结束。`,
    notFound: (number: string) => `没有找到 ${number}，请核对编号（例如 P-17 或 Q-3）。`,
    isSurvey: (number: string) => `${number} 是问卷，请私聊工友发送“填写问卷 ${number}”。`,
    notSurvey: (number: string) => `${number} 是投票，请发送“投票 ${number} 选项编号”。`,
    closed: (number: string) => `投票 ${number} 已经截止，不能再投了。发送“投票结果 ${number}”查看结果。`,
    notEligible: (number: string, targets: string) => `投票 ${number} 只面向 ${targets} 的职工，您不在范围内，不能投票。`,
    noChoice: (number: string, count: number) => `请写上选项编号（1 到 ${count}），例如：投票 ${number} 1`,
    unknownOption: (written: string, count: number) => `没有选项“${written}”，请写 1 到 ${count} 之间的编号。`,
    singleChoice: (number: string) => `投票 ${number} 是单选，只能选 1 项。`,
    tooManyChoices: (max: number, n: number) => `最多只能选 ${max} 项，您选了 ${n} 项。再点一次已选的选项可以取消。`,
    noChange: (number: string) => `您已经投过票了。投票 ${number} 设为投后不可改，不能更改。`,
    voted: (
      number: string,
      title: string,
      labels: string,
      outcome: 'new' | 'changed' | 'same' | 'withdrawn' | 'later',
      allowChange: boolean,
      deadline: string,
    ) =>
      outcome === 'withdrawn'
        ? `已撤回您在投票 ${number}“${title}”中的选择。`
        : `${outcome === 'changed' ? '已改票' : outcome === 'same' ? '您的投票没有变化' : outcome === 'later' ? '您后来的选择已经记下，这次点击不再改变它' : '投票成功'}：${number}“${title}”→ ${labels}。${allowChange ? `${deadline} 截止前可以改票。` : '这次投票投后不可改。'}`,
    votedInGroup: (name: string, number: string, outcome: 'new' | 'changed' | 'same' | 'withdrawn' | 'later') =>
      `@${name} ${outcome === 'withdrawn' ? '已撤回您的选择' : outcome === 'changed' ? '已改票' : outcome === 'same' ? '您的投票没有变化' : outcome === 'later' ? '您后来的投票已经记下' : '已收到您的投票'}（${number}）。`,
    resultsNotForYou: (number: string) => `投票 ${number} 的结果只有发起人、投票范围内的职工和负责的干部可以查看。`,
    surveyResultsNotForYou: (number: string) => `问卷 ${number} 的结果只有发起人和负责的工会干部可以查看。`,
    sentPrivately: (name: string) => `@${name} 已私聊发给您。`,
    mayNotClose: (number: string) => `只有发起人、负责的工会干部或管理员可以结束 ${number}。`,
    alreadyClosed: (number: string) => `${number} 已经结束了。`,
    closedAck: (number: string) => `已结束 ${number}，结果已发到各群。`,
    optionLine: (position: number, label: string) => `${position}. ${label}`,
    chartLine: (label: string, bar: string, count: number, percent: number) => `${label}\u3000${bar} ${count}票 ${percent}%`,
    rules: {
      single: '单选',
      multiple: (n: number) => `多选（最多 ${n} 项）`,
      anonymous: '匿名（不记录谁投了什么）',
      named: '实名',
      final: '投后不可改',
      deadline: (at: string) => `截止 ${at}`,
      scope: (units: string) => `范围 ${units}`,
      separator: ' · ',
    },
    postTitle: (number: string, title: string) => `【投票】${number} ${title}`,
    cardTitle: (number: string, title: string) => `投票 ${number}：${title}`,
    howToVote: (number: string) => `点下面的按钮投票，或发送“投票 ${number} 编号”，例如：投票 ${number} 1`,
    howToVoteMulti: (number: string, max: number, allowChange: boolean) =>
      `发送“投票 ${number} 编号”，多选用逗号分开，例如：投票 ${number} 1,${Math.min(max, 2)}${allowChange ? '；也可以逐个点按钮，再点一次取消' : '；投后不可改，请一次选好'}。`,
    stateOpen: (deadline: string) => `进行中，${deadline} 截止`,
    stateClosed: '已截止',
    resultsTitle: (number: string, title: string, state: string) => `投票结果 ${number} ${title}（${state}）`,
    turnout: (voters: number, eligible: number, percent: number) => `共 ${voters} 人投票，应投 ${eligible} 人，参与率 ${percent}%`,
    byUnitTitle: '各单位参与：',
    unitLine: (unit: string, voters: number, eligible: number) => `${unit}：${voters}/${eligible}`,
    noUnit: '（未知单位）',
    namesTitle: '各选项投票人（仅发起人可见）：',
    namesLine: (position: number, label: string, names: string[]) => `${position}. ${label}：${names.length ? names.join('、') : '无'}`,
    fields: { voters: '已投/应投', state: '状态' },
    closedPost: (number: string, title: string) => `【投票结束】${number} ${title}`,
    reminderNamed: (number: string, title: string, deadline: string, mentions: string, more: number) =>
      `【投票提醒】${number}“${title}”将于 ${deadline} 截止，以下同事还没投票：${mentions}${more > 0 ? ` 等另外 ${more} 人` : ''}\n发送“投票 ${number} 编号”投票。`,
    reminderGroup: (number: string, title: string, deadline: string, n: number) =>
      `【投票提醒】${number}“${title}”将于 ${deadline} 截止，本群还有 ${n} 位同事没投票，已私聊提醒。`,
    reminderPrivate: (number: string, title: string, deadline: string) =>
      `【投票提醒】${number}“${title}”将于 ${deadline} 截止，您还没有投票。发送“投票 ${number} 编号”投票。`,
    reminderSurveyGroup: (number: string, title: string, deadline: string, n: number) =>
      `【问卷提醒】${number}“${title}”将于 ${deadline} 截止，本群还有 ${n} 位同事没填完，已私聊提醒。`,
    reminderSurveyPrivate: (number: string, title: string, deadline: string) =>
      `【问卷提醒】${number}“${title}”将于 ${deadline} 截止，您还没有填完。私聊发送“继续问卷 ${number}”接着填。`,
    templates: {
      satisfaction: {
        names: ['职工满意度', '职工满意度调查', '满意度', '满意度调查'],
        title: '职工满意度调查',
        questions: [
          { kind: 'scale', prompt: '您对本季度工会工作的总体满意度？' },
          { kind: 'scale', prompt: '您对职工食堂的满意度？' },
          { kind: 'scale', prompt: '您对作业现场安全防护的满意度？' },
          { kind: 'choice', prompt: '您最希望工会多组织哪类活动？', options: ['文体活动', '技能比武/劳动竞赛', '培训学习', '疗休养', '亲子/家庭活动'] },
          { kind: 'choice', prompt: '您最希望工会改进哪方面工作？', options: ['食堂餐饮', '劳动保护', '通勤班车', '困难帮扶', '职工权益维护', '其他'] },
          { kind: 'text', prompt: '您对工会工作还有什么意见或建议？' },
        ] as { kind: string; prompt: string; options?: string[] }[],
      },
    },
    noQuestions: (templates: string) =>
      `问卷还没有题目。可以用模板（${templates}），例如“发起问卷 职工满意度 截止 月底”；或者在命令后每行写一题：“问题 | 选项 | 选项”、“问题（评分）”、“问题（文字）”。`,
    tooManyQuestions: (max: number) => `问卷最多 ${max} 题。`,
    emptyQuestion: (i: number) => `第 ${i} 题没有写题目。`,
    questionTooLong: (i: number, max: number) => `第 ${i} 题太长了，请控制在 ${max} 字以内。`,
    inQuestion: (i: number, message: string) => `第 ${i} 题：${message}`,
    surveyCreated: (number: string, title: string, count: number, deadline: string, defaulted: boolean, targets: string, groups: number, anonymous: boolean) =>
      `已发起问卷 ${number}“${title}”（${count} 题，${anonymous ? '匿名' : '实名'}），范围：${targets}，已发到 ${groups} 个群。\n截止 ${deadline}${defaulted ? '（没写截止时间，默认 24 小时后截止）' : ''}。\n发送“问卷结果 ${number}”查看结果。`,
    surveyPostTitle: (number: string, title: string) => `【问卷】${number} ${title}`,
    surveyCardTitle: (number: string, title: string) => `问卷 ${number}：${title}`,
    surveyAbout: (count: number, anonymous: boolean, deadline: string, targets: string) =>
      `共 ${count} 题，${anonymous ? '匿名填写（不记录姓名）' : '实名填写'}，${deadline} 截止${targets ? `，范围 ${targets}` : ''}。`,
    howToAnswer: (number: string) => `点“开始填写”，或私聊工友发送“填写问卷 ${number}”，工友会逐题问您。`,
    buttons: { start: '开始填写', resume: '继续填写' },
    surveyIntro: (number: string, title: string, total: number, anonymous: boolean) =>
      `欢迎填写问卷 ${number}“${title}”，共 ${total} 题${anonymous ? '，匿名填写' : ''}。直接回复答案即可；中途去做别的事，之后发送“继续问卷 ${number}”接着答。`,
    surveyResume: (number: string, answered: number, total: number) => `接着填写问卷 ${number}：已答 ${answered}/${total} 题。`,
    surveySentPrivately: (name: string, number: string) => `@${name} 问卷 ${number} 的题目已私聊发给您；没收到的话，请私聊工友发送“填写问卷 ${number}”。`,
    surveyAlreadyDone: (number: string) => `您已经填完问卷 ${number} 了，谢谢！截止前想改某题，可以发送“回答 ${number} 题号 答案”。`,
    surveyDone: (number: string, title: string) => `问卷 ${number}“${title}”全部答完了，感谢您的参与！`,
    surveyClosed: (number: string) => `问卷 ${number} 已经截止，不能再填写了。`,
    notEligibleSurvey: (number: string, targets: string) => `问卷 ${number} 只面向 ${targets} 的职工，您不在范围内。`,
    noSuchQuestion: (number: string, total: number) => `问卷 ${number} 只有 ${total} 题，请写 1 到 ${total} 之间的题号。`,
    answerPrivately: (number: string) => `问卷请在私聊中回答：私聊工友发送“填写问卷 ${number}”。`,
    answerRecorded: (position: number) => `已记下第 ${position} 题的回答。`,
    questionTitle: (number: string, position: number, total: number, prompt: string) => `问卷 ${number} 第 ${position}/${total} 题：${prompt}`,
    scaleLabels: ['很不满意', '不满意', '一般', '满意', '很满意'],
    scaleHint: '请回复 1 到 5 的数字：5 很满意，4 满意，3 一般，2 不满意，1 很不满意。',
    choiceHint: '请回复选项编号。',
    choiceHintMulti: (max: number) => `可以选多项（最多 ${max} 项），编号用空格或逗号分开，例如：1 3`,
    textHint: (number: string, position: number) =>
      `请直接回复文字（500 字以内）；没有的话回复“无”。回答若以“诉求”“投票”等命令词开头，请写成：回答 ${number} ${position} 您的回答`,
    badScale: '请回复 1 到 5 的数字（5 很满意，1 很不满意）。',
    badChoice: (n: number) => `请回复 1 到 ${n} 之间的选项编号。`,
    oneChoiceOnly: '这题只能选 1 项，请只回复一个编号。',
    emptyText: '请写上您的回答；没有的话回复“无”。',
    textTooLong: (max: number) => `回答太长了，请控制在 ${max} 字以内。`,
    surveyResultsTitle: (number: string, title: string, state: string) => `问卷结果 ${number} ${title}（${state}）`,
    surveyTurnout: (respondents: number, completed: number, eligible: number, percent: number) =>
      `共 ${respondents} 人参与（${completed} 人答完），应参与 ${eligible} 人，参与率 ${percent}%`,
    scaleResult: (position: number, prompt: string, average: number | null, answered: number) =>
      `${position}. ${prompt} 平均 ${average === null ? '-' : average.toFixed(1)} 分（${answered} 人回答）`,
    choiceResult: (position: number, prompt: string, answered: number) => `${position}. ${prompt}（${answered} 人回答）`,
    textResult: (position: number, prompt: string, count: number) => `${position}. ${prompt}（${count} 条，最多显示 5 条）`,
    byUnitScaleTitle: (positions: string) => `各单位参与和平均分（第 ${positions} 题）：`,
    unitAverages: (unit: string, respondents: number, eligible: number, averages: string) => `${unit}：${respondents}/${eligible} 人，${averages}`,
    surveyClosedPost: (number: string, title: string, respondents: number, eligible: number) =>
      `【问卷结束】${number}“${title}”已截止，共 ${respondents} 人参与（应参与 ${eligible} 人），感谢大家！`,
    export: {
      summarySheet: '汇总',
      unitSheet: '按单位',
      namesSheet: '投票人',
      answersSheet: '回答明细',
      title: '标题',
      voters: '投票人数',
      respondents: '参与人数',
      completed: '答完人数',
      eligible: '应参与人数',
      option: '编号',
      label: '选项',
      count: '人数',
      percent: '占比',
      unit: '单位',
      noUnit: '（未知单位）',
      names: '投票人',
      name: '姓名',
      question: '题号',
      prompt: '题目',
      kind: '题型',
      answered: '回答人数',
      average: '平均分',
      kinds: { choice: '选择', scale: '评分（1-5）', text: '文字' } as Record<string, string>,
      textsSeeSheet: '文字回答见“回答明细”表',
      averageOf: (position: number) => `第 ${position} 题平均分`,
      index: '序号',
    },
  },
  playground: {
    /** A /playground request whose Host is not this machine (DNS rebinding, a proxy, another machine). */
    wrongHost: '演练场只接受本机访问：请在运行服务的电脑上打开 http://localhost:端口/playground',
    /** The demo was retired while the service runs: nobody left to speak as. */
    closed: '演练场已关闭：演示组织已停用（已导入真实花名册）',
    notDemoPerson: (employeeNo: string) => `演练场只能以演示人员的身份发言，工号“${employeeNo}”不是演示人员`,
    demoTokenRefused: '演示人员的令牌和登录只在本机演练场开启时有效；演练场已关闭或演示组织已停用',
    demoNotBindable: '这是演示组织里的示例人员，不能在正式平台上绑定。请用花名册里您本人的工号和姓名绑定；如有疑问请联系工会管理员。',
  },
  /** Words for states that only the dashboard shows; the others live with their area (roles, requests.status…). */
  labels: {
    pollStatus: { open: '进行中', closed: '已截止', cancelled: '已取消' } as Record<string, string>,
  },
  /** Issue #17: the two-way conversation on a request, contesting, supervision notices, the figures in chat. */
  conversation: {
    usage: {
      figures: '统计 月份（可不写，例如 2026-03）',
      add: '补充 诉求编号 内容',
      addExample: '补充 SQ-2026-0042 是三号窗口，每天晚上七点以后',
      contest: '申请复核 诉求编号 理由',
      contestExample: '申请复核 SQ-2026-0042 问题并没有解决',
    },
    summary: {
      figures: '本月诉求统计（与看板、月报同一口径）',
      add: '给自己的诉求补充内容，或回答干部的提问',
      contest: '对办结或驳回有异议时申请上一级复核（一次）',
    },
    badMonth: '月份请写成 2026-03 这样。',
    /** A step told to the requester, as the collector who filed it for them reads it: whose request, without what only the requester may do (rate, contest). */
    forCollector: (text: string, name: string) =>
      text
        .replace(/^(关于)?您的诉求/, (_m: string, about: string | undefined) => `${about ?? ''}您为 ${name} 代报的诉求`)
        .split('\n')
        .filter((line) => !/^(请为办理结果打分|如有异议)/.test(line))
        .join('\n'),
    officersGroupMoved: (number: string, category: string, unit: string, urgent: boolean) =>
      `${urgent ? '【紧急】' : ''}诉求 ${number}（${category}，${unit}）已转到本级，交负责的干部处理，详情私下查看。`,
    transferredTitle: (number: string) => `转给您办理的诉求 ${number}`,
    escalatedTitle: (number: string) => `升级到您这里的诉求 ${number}`,
    reviewTitle: (number: string) => `请复核诉求 ${number}`,
    escalatedForOfficer: (f: {
      number: string
      category: string
      urgent: boolean
      from: string
      why: string
      unit: string
      who: string
      content: string
      filed: string
      state: string
      due: string
    }) =>
      `${f.urgent ? '【紧急】' : ''}诉求 ${f.number} 从 ${f.from} 升级到您这里${f.why ? `，原因：${f.why}` : ''}。\n类别：${f.category}\n单位：${f.unit}\n诉求人：${f.who}\n内容：${f.content}\n${f.filed} 提交，升级前${f.state}。\n请在 ${f.due} 前受理或回复。发送“受理 ${f.number}”受理。`,
    reviewForOfficer: (f: {
      number: string
      category: string
      urgent: boolean
      from: string
      status: string
      reason: string
      outcome: string
      unit: string
      who: string
      content: string
      due: string
    }) =>
      `${f.urgent ? '【紧急】' : ''}请复核诉求 ${f.number}：诉求人对 ${f.from} 的处理（${f.status}）有异议，申请由您复核。理由：${f.reason}\n类别：${f.category}\n单位：${f.unit}\n诉求人：${f.who}\n内容：${f.content}\n原处理：${f.outcome}\n请在 ${f.due} 前受理，复核后办结或驳回，复核结果为最终结果。`,
    lowRatingReason: (score: number, comment: string) => `评价 ${score} 分${comment ? `，${comment}` : ''}`,
    /** A timeline entry as a sentence: who (null for an automatic step) did what; `to` is the unit it went to. */
    timelineEntry: (e: { kind: string; who: string | null; text: string | null; to: string | null }): string => {
      const who = e.who ?? '系统'
      const x = e.text ?? ''
      switch (e.kind) {
        case 'filed':
          return `${who} 提交了诉求`
        case 'filedOnBehalf':
          return `${who} 代报了诉求`
        case 'accepted':
          return `${who} 受理了诉求`
        case 'replied':
          return `${who} 回复：${x}`
        case 'asked':
          return `${who} 提问：${x}`
        case 'resolved':
          return `${who} 办结，处理结果：${x}`
        case 'rejected':
          return `${who} 驳回，理由：${x}`
        case 'transferred':
          return `${who} 转办${e.to ? `到 ${e.to}` : ''}${x ? `：${x}` : ''}`
        case 'escalated':
          return e.who ? `${who} 升级到 ${e.to ?? ''}${x ? `，原因：${x}` : ''}` : `${x || '超过期限'}，自动升级到 ${e.to ?? ''}`
        case 'reopened':
          return `重新打开，交 ${e.to ?? '本级'} 复核${x ? `（${x}）` : ''}`
        case 'supervised':
          return `${who} 列为督办${x ? `：${x}` : ''}`
        case 'rated': {
          const [score, ...comment] = x.split(' ')
          return `${who} 评价 ${score} 分${comment.length ? `：${comment.join(' ')}` : ''}`
        }
        case 'recategorised':
          return `${who} 把类别改为 ${x}`
        case 'closed':
          return '办结后未评价，自动关闭'
        case 'overdue':
          return `超过${x}期限，已在最高一级，已提醒主席和管理员`
        case 'recalled':
          return '提交诉求的原消息已撤回（诉求保留）'
        case 'added':
          return `${who} 补充了内容：${x}`
        case 'answered':
          return `${who} 回答了问题：${x}`
        case 'contested':
          return `${who} 申请复核，理由：${x}`
        default:
          return `${who}：${e.kind}${x ? `：${x}` : ''}`
      }
    },
    figuresActivities: (f: { announcements: number; read: number; signups: number; polls: number; votes: number }) =>
      `公告 ${f.announcements} 条，已阅 ${f.read} 人，报名 ${f.signups} 人；投票和问卷 ${f.polls} 个，投票 ${f.votes} 人次`,
    figures: (
      scope: string,
      month: string,
      f: {
        filed: number
        resolved: number
        rejected: number
        open: number
        onTime: number
        late: number
        share: string
        rated: number
        average: string
        supervised: number
      },
    ) =>
      `${scope} ${month} 诉求统计：\n提交 ${f.filed} 件，办结 ${f.resolved} 件，驳回 ${f.rejected} 件，未办结 ${f.open} 件\n按时答复 ${f.onTime} 件，超期答复 ${f.late} 件，按时答复率 ${f.share}\n评价 ${f.rated} 件，平均 ${f.average} 分\n督办 ${f.supervised} 件\n（按时答复：首次答复不晚于提交时定的答复期限，升级不重新计时）`,
    none: '—',
    todoDue: (what: string, at: string) => `（${at} 前${what}）`,
    filedForSomeone: (number: string, name: string, category: string, urgent: boolean, level: string, due: string) =>
      `${name}的诉求 ${number}（${category}${urgent ? '，紧急' : ''}）已转给${level}的工会干部，将在 ${due} 前答复，进展会通知${name}和您。\n发送“进度 ${number}”查看进展。`,
    asked: (number: string, officer: string, text: string) => `关于您的诉求 ${number}，${officer} 问您：${text}\n请回复：补充 ${number} 您的回答`,
    askedAck: (number: string) => `已把问题发给 ${number} 的诉求人，对方回答后会转给您。`,
    requesterNamed: (name: string) => `诉求人 ${name}`,
    collectorNamed: (name: string) => `代报的网格员 ${name}`,
    addedForOfficer: (number: string, who: string, text: string) => `诉求 ${number}：${who}补充了内容：${text}`,
    answeredForOfficer: (number: string, who: string, text: string) => `诉求 ${number}：${who}回答了您的问题：${text}`,
    addedForRequester: (number: string, collector: string, text: string) => `网格员 ${collector} 为您的诉求 ${number} 补充了内容：${text}`,
    addedForCollector: (number: string, name: string, text: string) => `您代报的诉求 ${number}，${name} 补充了内容：${text}`,
    addedAck: (number: string) => `已把补充内容记入诉求 ${number}，并转给办理的干部。`,
    answeredAck: (number: string) => `已把您的回答转给提问的干部（诉求 ${number}）。`,
    contestNeedsReason: (number: string) => `请写上申请复核的理由，例如：申请复核 ${number} 问题并没有解决`,
    notContestable: (number: string, status: string) => `诉求 ${number} 目前${status}，只有已办结或已驳回的诉求可以申请复核。`,
    alreadyReviewed: (number: string) => `诉求 ${number} 已经复核过，复核结果为最终结果，不能再次申请。`,
    rejectedNotRatable: (number: string) => `诉求 ${number} 已被驳回，没有处理结果可评价。如不同意驳回，请发送：申请复核 ${number} 理由`,
    lowScoreReason: (score: number) => `评价 ${score} 分`,
    contestedForReviewer: (number: string, status: string, reason: string) =>
      `诉求人对诉求 ${number} 的处理（${status}）有异议，申请复核。理由：${reason}\n请复核后办结或驳回，复核结果为最终结果。`,
    contestedForPrevious: (number: string, level: string) => `诉求 ${number} 的诉求人申请复核，已交 ${level} 复核。`,
    contestedAck: (number: string, level: string) => `已收到您的复核申请。诉求 ${number} 已交 ${level} 复核，复核结果为最终结果。`,
    reviewFinal: '这是复核结果，为最终结果。',
    rejectedAfterReview: (number: string, officer: string, reason: string) => `您的诉求 ${number} 经复核仍不予受理（${officer}）。理由：${reason}`,
    ratedFinal: (number: string, score: number) => `已记录您的评价：诉求 ${number} ${score} 分。该诉求已经复核，复核结果为最终结果。`,
    newDeadline: (due: string) => `新的办结期限 ${due}`,
    supervisedForOfficer: (number: string, chair: string, note: string, due: string) =>
      `【督办】${chair} 将您办理的诉求 ${number} 列为督办事项${note ? `：${note}` : '。'}${due ? `\n请在 ${due} 前办结。` : ''}`,
    supervisedForRequester: (number: string) => `您的诉求 ${number} 已列为工会督办事项，将优先办理。`,
    events: { added: '补充了内容', answered: '回答了问题', asked: '提问', contested: '申请复核' } as Record<string, string>,
  },
  privacy: {
    anonymousNotInGroup: '匿名诉求请在与工友的私聊中提交：群里不受理，刚才的内容没有记录。私聊发送“匿名诉求 内容”，干部看不到您是谁。',
    anonymousNotInGroupHint: '匿名诉求请私聊工友提交，群里不受理。',
    sentPrivately: '已私信发您。',
    askPrivately: '这类内容只在私聊中显示，请私聊工友发送同样的话。',
    filedInGroup: (number: string) => `已收到诉求 ${number}，详情和进展私信发您。`,
    officersGroupNotice: (number: string, category: string, unit: string, urgent: boolean) =>
      `${urgent ? '【紧急】' : ''}新诉求 ${number}（${category}，${unit}）已交负责的干部处理，详情私下查看。`,
    requesterUpdateHint: (number: string) => `诉求 ${number} 有新进展，请私聊工友发送“进度 ${number}”查看。`,
    tooFew: (min: number) => `不足 ${min} 人，不单独显示`,
    textsHidden: (min: number) => `回答不足 ${min} 人，文字内容不显示`,
  },
  /** Photos and files sent with requests (src/requests/attachments.ts). */
  attachments: {
    joined: (number: string, n: number) => `已把 ${n} 个附件加入诉求 ${number}。`,
    forOfficer: (number: string, who: string, n: number, link: string) =>
      `诉求 ${number}：${who}发来附件 ${n} 个${link ? `，查看：${link}` : '，请在后台查看'}`,
    noticeLine: (n: number, link: string) => `附件 ${n} 个${link ? `：${link}` : '（后台查看）'}`,
    refusedType: (name: string) => `${name}不是图片或 PDF，没有收下。请发照片（JPG、PNG、GIF、WebP）或 PDF 文件。`,
    refusedSize: (name: string, limit: string) => `${name}太大，没有收下（最大 ${limit}）。请压缩后再发。`,
    refusedFailed: (name: string) => `${name}没能从平台取到，请重新发送一次。`,
    aFile: (kind: 'image' | 'file', name: string | null) => (name ? `文件“${name}”` : kind === 'image' ? '这张图片' : '这个文件'),
    offer: (n: number) =>
      `收到 ${n} 个附件。要把它作为安全隐患（随手拍）上报，还是作为诉求提交？\n也可以先发“诉求 内容”，再发照片；或发“补充 SQ-编号”加到已有的诉求。`,
    closed: (number: string) => `诉求 ${number} 已经办结，不能再加附件。`,
    offerTitle: '收到照片或文件',
    buttons: { hazard: '上报安全隐患', request: '提交诉求', cancel: '不用了' },
    hazardContent: '随手拍：安全隐患（详见照片）',
    requestContent: '（详见附件）',
    cancelled: '好的，附件没有保存。',
    expired: '这个选择已过期，附件没有保存。请重新发送照片。',
    nothingPending: '没有待处理的附件。',
    event: (n: number) => `附件 ${n} 个`,
    events: { attached: '发来附件' } as Record<string, string>,
    hazardPhotos: (n: number) => `照片 ${n} 张`,
  },
  /** What the platform adapters (Feishu, WeCom) say in their own words. */
  platforms: {
    /** Under a card sent as text (too long for a card): how to do what its buttons did. */
    buttonAsCommand: (label: string, command: string) => `${label}：请发送“${command}”`,
    /** Where a text too long for the platform was cut. */
    cut: '……（内容过长，其余部分未显示）',
    /** A card after its button was pressed (its buttons replaced): what was done, and the button left in their place. */
    cardReceived: (command: string) => `已收到：${command}`,
    cardDone: (command: string) => `已处理：${command}`,
    cardDoneButton: '已处理',
  },
  /** Platform happenings the core keeps up with (src/organisation/lifecycle.ts). */
  lifecycle: {
    groupUnbound: (platform: string, name: string, unit: string, disbanded: boolean) =>
      `【系统提醒】${platform}群“${name}”${disbanded ? '已解散' : '已将工友移出'}，该群与“${unit}”的绑定已解除，通知不再发往该群。如需继续，请把工友拉进新群，由干部发送“绑定班组 单位名称”。`,
  },
}

export type Messages = typeof zhCN
