/** Every sentence the bot says in Simplified Chinese. Other locales mirror this shape. */
export const zhCN = {
  botName: '工友',
  roles: { guest: '未绑定用户', worker: '职工', collector: '网格员', officer: '工会干部', admin: '管理员' } as Record<string, string>,
  help: {
    title: (roleLabel: string) => `工友可以帮您做这些事（您的身份：${roleLabel}）`,
    footer: '命令前可加 /，也可以 @工友 后再写命令。',
    guestIntro: '您还没有绑定身份，绑定后就能提交诉求、查看进度。',
  },
  unknown: {
    didYouMean: (word: string, suggestion: string, usage: string) => `没有“${word}”这个命令，您是不是想用“${suggestion}”？写法：${usage}\n发送“帮助”查看全部命令。`,
    noSuggestion: (word: string) => `没看懂“${word}”。发送“帮助”查看您可以用的命令。`,
    emptyMention: '您好，我是工友。发送“帮助”查看您可以用的命令。',
  },
  usage: (usage: string, example?: string) => `写法：${usage}${example ? `\n例如：${example}` : ''}`,
  notAllowed: (what: string, roleLabel: string) => `“${what}”只有${roleLabel}可以使用。发送“帮助”查看您可以用的命令。`,
  needBinding: '您还没有绑定身份，请先发送：绑定 工号 姓名（例如：绑定 D1001 张伟）。',
  internalError: '抱歉，工友处理这条消息时出错了，已记录下来。请稍后再试，或联系工会管理员。',
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
  },
  alerts: {
    deadLetter: (platform: string, target: string, error: string) => `【系统提醒】一条消息发送失败已放弃：${platform} → ${target}（${error}）。发送“发送失败”查看。`,
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
}

export type Messages = typeof zhCN
