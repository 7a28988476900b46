import type { Messages } from './zh-CN.js'

/**
 * English, the second locale. Same shape as zh-CN.
 * Over 400 lines: all of the bot's words in one place, one section per area, by design.
 */
export const en: Messages = {
  botName: 'Gongyou',
  roles: { guest: 'unbound user', worker: 'worker', collector: 'grid collector', officer: 'union officer', admin: 'administrator' },
  help: {
    title: (roleLabel: string) => `What Gongyou can do for you (your role: ${roleLabel})`,
    footer: 'Commands may start with /, or follow an @mention of the bot.',
    guestIntro: 'You are not bound yet; once bound you can file requests and follow them.',
  },
  unknown: {
    didYouMean: (word: string, suggestion: string, usage: string) =>
      `There is no command "${word}". Did you mean "${suggestion}"? Usage: ${usage}\nSend "help" for all commands.`,
    noSuggestion: (word: string) =>
      `I did not understand "${word}". To raise a problem, just write it down and send it to me; send "help" for the commands you can use.`,
    emptyMention: 'Hello, I am Gongyou. Send "help" for the commands you can use.',
  },
  usage: (usage: string, example?: string) => `Usage: ${usage}${example ? `\nExample: ${example}` : ''}`,
  notAllowed: (what: string, roleLabel: string) => `"${what}" is only for ${roleLabel}. Send "help" for the commands you can use.`,
  needBinding: 'You are not bound yet. Send: bind <employee no> <name> (e.g. bind D1001 张伟).',
  internalError: 'Sorry, something went wrong while handling this message. It has been logged; please try again later or contact the union administrator.',
  limits: {
    tooLong: (max: number) => `This message is too long (at most ${max} characters); it was not handled. Please send it in parts or just the essentials.`,
    tooManyMentions: (max: number) => `A message may @mention at most ${max} people; this one was not handled. Please mention only the people concerned.`,
    crossSite: 'Cross-site request refused: please act from the Gongyou dashboard itself (the request did not come from this site).',
    invalidText: 'The text contains characters that cannot be read; please check it and try again.',
    badMonth: 'The month should be YYYY-MM, e.g. 2026-11 (years 2000–2100).',
    notFound: (path: string) => `No such address: ${path}`,
    importTooLarge: (maxMb: number) => `File too large: more than ${maxMb} MB of content (an .xlsx counted unpacked). Please split it and import in parts.`,
    importSuspicious: 'The file is compressed suspiciously well (a possible "zip bomb") and was refused. Please save it again as .xlsx from Excel or WPS.',
    importTooManyRows: (max: number) => `The file has more than ${max} rows. Please split it and import in parts.`,
  },
  bind: {
    usage: 'bind <employee no> <name>',
    example: 'bind D1001 张伟',
    done: (name: string, unit: string, roleLabel: string) => `Bound: ${name} (${unit}, ${roleLabel}). Send "help" for your commands.`,
    already: (name: string) => `You are already bound as ${name}. Contact the union administrator to change it.`,
    mismatch: 'Employee number and name do not match. Check them, or contact the union administrator if the roster is wrong.',
    takenByOther: 'This employee number is bound to another account. If that was not you, contact the union administrator now.',
    tooMany: 'Too many attempts. Try again in an hour or contact the union administrator.',
    inactive: 'This employee number is inactive. Contact the union administrator.',
    notOnPlatform: 'No binding needed in the playground: you already speak as the chosen person.',
  },
  binding: {
    platforms: { feishu: 'Feishu', wecom: 'WeCom', wechaty: 'WeChat', web: 'playground' } as Record<string, string>,
    vouched: { directory: 'directory match', admin: 'confirmed by an administrator', code: 'binding code', claim: 'claimed (awaiting confirmation)' } as Record<
      string,
      string
    >,
    usage: {
      confirm: 'confirmbind <employee no> [platform]',
      confirmExample: 'confirmbind D2001',
      code: 'bindcode <employee no>',
      codeExample: 'bindcode D2001',
      list: 'bindings [pending]',
      unbind: 'unbind <employee no> [platform]',
      unbindExample: 'unbind D2001 feishu',
    },
    summary: {
      confirm: "confirm someone's claimed binding (collectors, officers and administrators get their powers once confirmed)",
      code: 'make a one-time binding code for someone (valid 24 hours, works once)',
      list: 'list bindings on every platform, or only those awaiting confirmation',
      unbind: "undo someone's binding on one platform (or all)",
    },
    pending: (roleLabel: string) =>
      `Your role "${roleLabel}" awaits an administrator's confirmation; until then you act as a worker. Ask an administrator to send "confirmbind <your employee no>", or get a binding code from them and send "bind <employee no> <name> <code>".`,
    pendingShort: (roleLabel: string) => `${roleLabel} (awaiting confirmation, acting as a worker)`,
    codeRedeemed: (name: string, roleLabel: string) => `Binding code accepted: you are confirmed as ${name} (${roleLabel}).`,
    codeInvalid: 'That binding code is wrong, expired or already used. Ask an administrator for a new one.',
    noticeOther: (employeeNo: string, name: string, platform: string) =>
      `Your employee number ${employeeNo} (${name}) was just bound on ${platform}. If that was not you, contact the union administrator now.`,
    noticeAdminTitle: 'New binding',
    noticeAdminClaim: (name: string, employeeNo: string, roleLabel: string, platform: string) =>
      `${name} (${employeeNo}, ${roleLabel}) just bound on ${platform} by employee number and name. They act as a worker until confirmed; if it was not them, undo the binding.`,
    noticeAdminVouched: (name: string, employeeNo: string, roleLabel: string, platform: string, how: string) =>
      `${name} (${employeeNo}, ${roleLabel}) is bound on ${platform} (${how}). If that is wrong, undo the binding.`,
    confirmButton: 'Confirm',
    unbindButton: 'Undo binding',
    notFound: (employeeNo: string) => `No employee number ${employeeNo} in the roster.`,
    badPlatform: (word: string) => `Unknown platform "${word}": write feishu, wecom or wechat.`,
    confirmed: (name: string, platforms: string) => `Confirmed ${name}'s binding on ${platforms}.`,
    confirmedTold: (platform: string) => `An administrator confirmed your identity on ${platform}; all your commands work now. Send "help" to see them.`,
    nothingToConfirm: (name: string) => `${name} has no binding awaiting confirmation.`,
    codeOnlyPrivate: 'Binding codes are made in a private chat only: send me "bindcode <employee no>" privately.',
    codeIssued: (name: string, employeeNo: string, code: string, hours: number) =>
      `One-time binding code for ${name} (${employeeNo}): ${code}\nValid ${hours} hours, works once. Tell them in person or by phone, and have them send me privately: bind ${employeeNo} ${name} ${code}`,
    codeInactive: (name: string) => `${name} is inactive; no binding code.`,
    listTitle: (count: number, pendingOnly: boolean) => (pendingOnly ? `Bindings awaiting confirmation (${count})` : `Bindings (${count})`),
    listEmpty: (pendingOnly: boolean) => (pendingOnly ? 'No binding awaits confirmation.' : 'Nobody is bound yet.'),
    listLine: (name: string, employeeNo: string, roleLabel: string, platform: string, how: string, date: string) =>
      `${name} (${employeeNo}, ${roleLabel}) ${platform}, ${how}, ${date}`,
    listMore: (more: number) => `…and ${more} more; see the dashboard.`,
    unbound: (name: string, platforms: string) => `Undid ${name}'s binding on ${platforms}.`,
    unboundTold: (platform: string) => `An administrator undid your binding on ${platform}. Contact the union administrator with any question.`,
    nothingToUnbind: (name: string) => `${name} has no binding to undo.`,
    whoamiPending: ' (awaiting confirmation)',
  },
  whoami: {
    title: 'My details',
    fields: { name: 'Name', employeeNo: 'Employee no', role: 'Role', unit: 'Unit', grid: 'Grid', platforms: 'Bound platforms', scope: 'Responsible for' },
    none: 'none',
  },
  grid: {
    notCollector: 'You are not the collector of any grid.',
    members: (grid: string, count: number) => `Grid "${grid}" has ${count} people:`,
  },
  bindGroup: {
    usage: 'bindgroup <unit name or path>',
    example: 'bindgroup 一车间/电工班',
    onlyInGroup: 'Send this command in the group you want to bind.',
    notFound: (q: string) => `No unit "${q}". Write the unit's full name or path, e.g. 一车间/电工班.`,
    ambiguous: (q: string, options: string[]) => `"${q}" matches several units: ${options.join(', ')}. Write the full path.`,
    outOfScope: (unit: string) => `"${unit}" is outside your responsibility; you cannot bind it.`,
    done: (chat: string, unit: string) => `This group "${chat}" is now bound to "${unit}".`,
    officersDone: (chat: string, unit: string) => `This group "${chat}" is now the officers' group of "${unit}"; new requests are announced here.`,
  },
  addedToGroup: 'Hello, I am Gongyou. A union officer or administrator can bind this group to its team with: bindgroup <unit>.',
  deadLetters: {
    none: 'No failed messages.',
    title: (n: number) => `${n} failed messages (latest 10):`,
    line: (id: number, platform: string, target: string, error: string) => `#${id} ${platform} → ${target}: ${error}`,
    hint: 'Send "retry <no>" to send one again.',
    requeued: (id: number) => `#${id} is queued again.`,
    notFound: (id: string) => `No failed message #${id}.`,
    usage: 'retry <no>',
    privateRecipient: 'a private recipient (not shown)',
  },
  alerts: {
    deadLetter: (platform: string, target: string, error: string) =>
      `[System] A message could not be delivered and was given up: ${platform} → ${target} (${error}). Send "deadletters" to see them.`,
  },
  dashboard: {
    usage: 'dashboard',
    summary: "get a one-time sign-in link to the officers' dashboard (sent privately)",
    link: (url: string, minutes: number) => `Sign-in link to the union dashboard (valid ${minutes} minutes, works once, do not forward):\n${url}`,
    sentPrivately: 'The sign-in link was sent to you privately; see your private chat with the bot.',
    cannotReachPrivately: 'I cannot message you privately: send "dashboard" to me in a private chat.',
  },
  requests: {
    status: {
      new: 'awaiting acceptance',
      accepted: 'in progress',
      resolved: 'resolved (awaiting rating)',
      rated: 'rated',
      rejected: 'rejected',
      closed: 'closed',
    },
    anonymousName: 'anonymous worker',
    system: 'system',
    usage: {
      file: 'request <what>',
      fileExample: 'request 食堂晚班没有热饭',
      anonymous: 'anon <what>',
      anonymousExample: 'anon 班长克扣加班费',
      onBehalf: 'proxy @worker (or employee no / name) <what>',
      onBehalfExample: 'proxy @张伟 劳保手套磨破了一个月没换',
      status: 'status <request no>',
      statusExample: 'status SQ-2026-0042',
      rate: 'rate <request no> <1-5> [comment]',
      rateExample: 'rate SQ-2026-0042 4 solved but slow',
      recategorise: 'recategorise <request no> <category>',
      recategoriseExample: 'recategorise SQ-2026-0042 通勤',
      accept: 'accept <request no>',
      reply: 'reply <request no> <message>',
      replyExample: 'reply SQ-2026-0042 the canteen will fix it this week',
      resolve: 'resolve <request no> <result>',
      resolveExample: 'resolve SQ-2026-0042 hot meals on the night shift now',
      reject: 'reject <request no> <reason>',
      rejectExample: 'reject SQ-2026-0042 not a union matter; referred to HR',
      transfer: 'transfer <request no> @officer (or employee no / name) [note]',
      transferExample: 'transfer SQ-2026-0042 D3001',
      escalate: 'escalate <request no> [reason]',
      supervise: 'supervise <request no>',
      numberExample: 'SQ-2026-0042',
    },
    summary: {
      file: 'file a request',
      anonymous: 'file anonymously, in a private chat (officers cannot see who you are)',
      onBehalf: 'file for a worker of your grid',
      mine: 'my requests',
      grid: 'open requests of my grid',
      status: "a request's status and history",
      rate: 'rate a resolved request',
      recategorise: "correct a request's category",
      accept: 'accept a request',
      reply: 'reply to the requester',
      resolve: 'resolve a request',
      reject: 'reject a request (with a reason)',
      transfer: 'hand over to another officer',
      escalate: 'escalate to the next level',
      supervise: 'place under supervision',
      todo: 'my queue (overdue first)',
    },
    emptyContent: 'Please write what the request is about.',
    tooLong: (max: number) => `The request is too long; keep it under ${max} characters.`,
    filed: (number: string, category: string, urgent: boolean, level: string, due: string) =>
      `Request ${number} received (${category}${urgent ? ', urgent' : ''}). It went to the union officers of ${level}, who will answer by ${due}.\nSend "status ${number}" to follow it; "recategorise ${number} <category>" if the category is wrong.`,
    filedAnonymous: 'This request is anonymous: officers cannot see your name, number or account; you will be told privately how it goes.',
    filedOnBehalf: (number: string, name: string) => `Filed request ${number} for ${name}.`,
    filedForYou: (collector: string, number: string, content: string) =>
      `Grid collector ${collector} filed request ${number} for you: ${content}\nSend "status ${number}" to follow it.`,
    noOfficers: (number: string) => `No union officer is responsible for request ${number}; it went to the administrators.`,
    newForOfficer: (number: string) => `New request ${number}`,
    newForOfficerText: (number: string, category: string, urgent: boolean, unit: string, who: string, content: string, due: string) =>
      `${urgent ? '[URGENT] ' : ''}New request ${number} (${category})\nUnit: ${unit}\nFrom: ${who}\n${content}\nPlease accept or answer by ${due}: accept ${number}`,
    notFound: (number: string) => `No request ${number}; check the number (e.g. SQ-2026-0042).`,
    notYours: (number: string) => `Request ${number} is not yours.`,
    outOfScope: (number: string) => `Request ${number} is outside your responsibility.`,
    wrongState: (number: string, status: string) => `Request ${number} is ${status}; that cannot be done now.`,
    onlyInGrid: (name: string) => `${name} is not in your grid; you cannot file for them.`,
    whoFor: (q: string) => `Nobody called "${q}"; name the worker by @mention, employee number or name.`,
    whoForAmbiguous: (q: string, options: string[]) => `"${q}" matches several people: ${options.join(', ')}. Use the employee number.`,
    accepted: (number: string, officer: string) => `Your request ${number} was accepted by ${officer} and is being handled.`,
    acceptedAck: (number: string) => `Accepted ${number}; the requester has been told. Resolve it in time: resolve ${number} <result>`,
    replied: (number: string, officer: string, text: string) => `About your request ${number}, ${officer} replies: ${text}`,
    repliedAck: (number: string) => `Your reply went to the requester of ${number}.`,
    resolved: (number: string, officer: string, result: string) =>
      `Your request ${number} was resolved (${officer}). Result: ${result}\nPlease rate it 1-5: rate ${number} <score> [comment]`,
    rateCardTitle: (number: string) => `Rate request ${number}`,
    resolvedAck: (number: string) => `Resolved ${number}; the requester was asked to rate it.`,
    rejected: (number: string, officer: string, reason: string) =>
      `Your request ${number} was not taken up (${officer}). Reason: ${reason}\nTo contest it (once): review ${number} reason`,
    rejectedAck: (number: string) => `Rejected ${number}; the requester was told why.`,
    transferred: (number: string, from: string, to: string) => `Your request ${number} was handed from ${from} to ${to}.`,
    transferredToYou: (number: string, from: string, note: string) => `${from} handed request ${number} to you${note ? `: ${note}` : '.'}`,
    transferredAck: (number: string, to: string) => `Handed ${number} to ${to}.`,
    transferTargetNotOfficer: (name: string) => `${name} is not a union officer.`,
    escalated: (number: string, to: string) => `Your request ${number} was escalated to ${to}.`,
    escalatedAck: (number: string, to: string) => `Escalated ${number} to ${to}.`,
    escalatedAway: (number: string, to: string, why: string) => `Request ${number} was escalated to ${to}${why ? ` (${why})` : ''}.`,
    alreadyTop: (number: string) => `Request ${number} is at the top level already.`,
    supervisedAck: (number: string) => `${number} is now supervised; administrators get a weekly report.`,
    alreadySupervised: (number: string) => `${number} is supervised already.`,
    rated: (number: string, score: number) => `Thank you! Request ${number} rated ${score}.`,
    ratedLow: (number: string, to: string) => `Thank you. Request ${number} is reopened for review by ${to}.`,
    ratedForOfficer: (number: string, score: number, comment: string) => `Request ${number} was rated ${score}${comment ? `: ${comment}` : ''}.`,
    badScore: 'The score is a whole number from 1 to 5, e.g. rate SQ-2026-0042 4 solved but slow',
    notRatable: (number: string) => `Request ${number} is not resolved yet; rate it once it is.`,
    recategorised: (number: string, category: string) => `${number} is now in category "${category}".`,
    unknownCategory: (name: string, all: string[]) => `No category "${name}". Choose from: ${all.join(', ')}`,
    mineEmpty: 'You have not filed any request. Send: request <what>',
    mineTitle: (n: number) => `Your requests (${n}, latest 10):`,
    gridEmpty: 'Your grid has no open requests.',
    gridTitle: (n: number) => `Open requests of your grid (${n}):`,
    listLine: (number: string, category: string, status: string, content: string, overdue: boolean) =>
      `${overdue ? '⚠overdue ' : ''}${number} [${category}] ${status}: ${content}`,
    todoEmpty: 'Your queue is empty.',
    todoTitle: (n: number, overdue: number) => `Your queue: ${n} request(s)${overdue ? `, ${overdue} overdue` : ''}:`,
    progressTitle: (number: string) => `Request ${number}`,
    progressFields: {
      status: 'Status',
      category: 'Category',
      unit: 'Unit',
      level: 'Handled by',
      due: 'Due',
      content: 'Request',
      result: 'Result',
      rating: 'Rating',
    },
    timelineTitle: 'History:',
    eventLine: (at: string, what: string) => `${at} ${what}`,
    events: {
      filed: 'filed',
      filedOnBehalf: 'filed for the worker',
      accepted: 'accepted',
      replied: 'replied',
      resolved: 'resolved',
      rejected: 'rejected',
      transferred: 'transferred',
      escalated: 'escalated',
      supervised: 'placed under supervision',
      rated: 'rated',
      reopened: 'reopened',
      recategorised: 'recategorised',
      closed: 'closed automatically',
      overdue: 'overdue',
      recalled: 'the message that filed it was recalled (the request stays)',
    },
    urgentTag: 'urgent',
    supervisedTag: 'supervised',
    dueAnswer: (at: string) => `answer by ${at}`,
    dueResult: (at: string) => `resolve by ${at}`,
    overdueAnswer: (number: string, level: string) => `Request ${number} missed its answer deadline and was escalated to ${level}.`,
    overdueResult: (number: string, level: string) => `Request ${number} missed its result deadline and was escalated to ${level}.`,
    overdueTop: (number: string, unit: string, what: string) =>
      `[Overdue] Request ${number} (${unit}) missed its ${what} deadline at the top level; chair and administrators, please follow up.`,
    overdueReason: (what: string) => `missed the ${what} deadline`,
    answerWord: 'answer',
    resultWord: 'result',
    autoClosed: (number: string) => `Request ${number} was resolved but not rated; it is now closed. Thank you!`,
    digestTitle: (open: number, overdue: number) => `Good morning! ${open} request(s) wait for you${overdue ? `, ${overdue} overdue` : ''}:`,
    digestMore: (n: number) => `…and ${n} more; send "todo" for all.`,
    supervisedTitle: (n: number) => `Supervised requests this week (${n}):`,
    supervisedLine: (number: string, status: string, level: string, content: string) => `${number} [${status}] ${level}: ${content}`,
    buttons: { accept: 'Accept', escalate: 'Escalate', supervise: 'Supervise', progress: 'Status' },
    officerHint: (number: string) => `reply ${number} <message>; resolve ${number} <result>; reject ${number} <reason>`,
  },
  announcements: {
    kinds: { activity: 'Activity', safety: 'Safety', care: 'Care', notice: 'Notice' } as Record<string, string>,
    status: { scheduled: 'scheduled', sending: 'sending', sent: 'sent', cancelled: 'cancelled' } as Record<string, string>,
    recurringLabel: 'recurring',
    pausedLabel: 'paused',
    platforms: { web: 'playground', feishu: 'Feishu', wecom: 'WeCom', wechaty: 'WeChat' } as Record<string, string>,
    deliveryStatus: { sent: 'sent', pending: 'pending', failed: 'failed' } as Record<string, string>,
    usage: {
      publish: '发布公告 kind title (body on the next lines, then options such as 范围/时间/需要已阅/报名)',
      publishExample: '发布公告 活动 Weekend basketball\nSaturday 3 pm at the factory gym.\n范围 一车间\n时间 周五18:00\n报名 名额30 截止 周六12:00',
      list: '公告列表',
      progress: '公告进度 number',
      cancel: '取消公告 number',
      edit: '修改公告 number options (时间/截止/标题/正文/范围/链接/名额/提醒, one per line)',
      editExample: '修改公告 N-8 时间 周六9:00',
      pause: '暂停公告 number',
      resume: '恢复公告 number',
      ack: '已阅 number (in a group, 已阅 alone will do)',
      signup: '报名 number (in a group, 报名 alone will do)',
      cancelSignup: '取消报名 number',
      campaign: '创建活动 name kind start-date 至 end-date',
      campaignExample: '创建活动 2026安康杯 安全 2026-03-01 至 2026-12-31',
      campaigns: '活动列表',
      hazard: '隐患 where and what (photos may follow)',
      hazardExample: '隐患 The switchboard door at workshop 2 east gate will not close, wires exposed',
      birthdayOff: '不要生日祝福',
      birthdayOn: '恢复生日祝福',
    },
    summary: {
      publish: 'post an announcement (now, at a time or recurring; may ask for a read receipt or a sign-up)',
      list: 'the latest announcements',
      progress: "an announcement's delivery, read receipts and sign-ups",
      cancel: 'cancel an announcement not sent yet, or stop a recurring one',
      edit: 'change an announcement not sent yet',
      pause: 'pause a recurring announcement',
      resume: 'resume a recurring announcement',
      ack: 'confirm you have read an announcement',
      signup: 'sign up for the activity of an announcement',
      cancelSignup: 'cancel your sign-up',
      campaign: 'create a campaign (e.g. 安康杯) for announcements and hazard reports',
      campaigns: 'campaigns with their announcements and hazard reports',
      hazard: 'report a safety hazard (handled as an urgent request)',
      birthdayOff: 'no more birthday greetings',
      birthdayOn: 'birthday greetings again',
    },
    formGuide:
      'How to write an announcement (first line: kind and title; then the body; then one option per line):\n' +
      '发布公告 活动 Weekend basketball\nSaturday 3 pm at the factory gym.\n范围 一车间\n时间 周五18:00\n需要已阅\n报名 名额30 截止 周四18:00\n链接 https://…\n' +
      'Kinds: 活动 (activity), 安全 (safety), 关爱 (care), 通知 (notice, the default).\n' +
      '范围: unit names, several allowed, or 全部 (all); left out, the units you answer for.\n' +
      '时间: left out, it is sent now; or 周五18:00, 明天9点, 2026-12-01 08:00; recurring: 每周一 07:50, 每天 8:00, 工作日 7:50, 每月1号 9:00, or 定时 cron 50 7 * * 1.\n' +
      'Other options: 需要已阅, 报名 名额30, 截止 周四18:00, 链接 URL, 图片 URL, 所属活动 campaign, 提醒 2次, 不提醒.',
    formHint: 'Send 发布公告 alone to see how to write it.',
    invalid: {
      kind: 'The kind is 活动, 安全, 关爱 or 通知.',
      title: 'Write a title (on the first line, after the kind), at most 60 characters.',
      body: 'The body is at most 2000 characters.',
      targets: 'The scope is unit names, or 全部 (all).',
      link: 'A link starts with http:// or https://.',
      imageUrl: 'An image address starts with http:// or https://.',
      schedule: 'The sending time is not right.',
      requireAck: 'The read-receipt option is not right.',
      signup: 'The sign-up option is not right.',
      capacity: 'The number of places is a whole number from 1 to 100000.',
      dueAt: 'The deadline is not right.',
      maxReminders: 'Reminders: 0 to 5 times.',
      campaign: 'The campaign is a campaign name of at most 60 characters.',
    } as Record<string, string>,
    notCreated: (problems: string[]) => `The announcement was not posted:\n${problems.map((p) => `· ${p}`).join('\n')}`,
    notEdited: (number: string, problems: string[]) => `Announcement ${number} was not changed:\n${problems.map((p) => `· ${p}`).join('\n')}`,
    lineProblem: (line: string, problem: string) => `"${line}": ${problem}`,
    notAnOption: 'not an option that can be changed; these can: 时间, 截止, 标题, 正文, 范围, 链接, 图片, 名额, 需要已阅, 报名, 提醒.',
    missingValue: 'something has to follow it.',
    badRecurrence: {
      time: 'a recurring post needs a time of day, e.g. 每周一 07:50, 每天 8:00.',
      days: 'which days is not clear, e.g. 每周一 07:50, 工作日 7:50, 每月1号 9:00.',
      cron: 'a cron expression has 5 fields: minute hour day month weekday, e.g. cron 50 7 * * 1 (Mondays 07:50).',
    },
    badSignup: 'write a sign-up as 报名 名额30 截止 周四18:00 (both parts optional).',
    badCapacity: 'write the places as a whole number, e.g. 名额 30.',
    badUrl: 'write the whole address, starting with http:// or https://.',
    badReminders: (max: number) => `write the reminders as a whole number from 0 to ${max}, e.g. 提醒 2次.`,
    badKind: 'the kind is 活动, 安全, 关爱 or 通知.',
    staffOnly: 'Only union officers and administrators can post announcements.',
    everyone: 'all units',
    allOutOfScope: (scope: string) => `You answer for ${scope}; you cannot post to all units.`,
    unitNotFound: (name: string) => `No unit "${name}". Write its full name or path, e.g. 一车间/电工班.`,
    unitAmbiguous: (name: string, options: string[]) => `"${name}" matches several units: ${options.join(', ')}. Write the full path.`,
    unitOutOfScope: (unit: string, scope: string) => `${unit} is outside the part you answer for (${scope}).`,
    timePast: (at: string) => `The sending time ${at} has passed.`,
    badCron: (expr: string) => `"${expr}" is not a cron expression of 5 fields (minute hour day month weekday), e.g. 50 7 * * 1.`,
    cronNever: (expr: string) => `"${expr}" never comes; check the date.`,
    recurringNoResponses: 'A recurring announcement cannot ask for read receipts or sign-ups; post a one-off announcement.',
    recurringNoDeadline: 'A recurring announcement cannot have a deadline.',
    dueBeforePost: (at: string) => `The deadline ${at} is before the sending time.`,
    campaignNotFound: (name: string, names: string[]) =>
      `No campaign "${name}". ${names.length ? `Campaigns: ${names.join(', ')}.` : 'Create it first with 创建活动.'}`,
    noGroups: (scope: string) => `No group is bound under ${scope} yet; bind one first with 绑定班组 in the group.`,
    noGroupsYet: 'Note: no group is bound in this scope yet; it goes to the groups bound by the time it is sent.',
    recurrence: {
      daily: 'every day',
      workdays: 'workdays',
      weekly: (days: string) => `every ${days}`,
      monthly: (days: string) => `monthly on day ${days}`,
      weekdayNames: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as readonly string[],
      cron: (e: string) => `cron ${e}`,
    },
    immediately: 'now',
    atTime: (at: string) => `at ${at}`,
    postTitle: (kind: string, title: string) => `[${kind}] ${title}`,
    linkLine: (url: string) => `Link: ${url}`,
    imageLine: (url: string) => `Image: ${url}`,
    signupHint: (number: string, capacity: number | null, due: string | null) =>
      `To sign up, reply "报名 ${number}"${capacity ? ` (${capacity} places, then a waitlist)` : ''}${due ? `, by ${due}` : ''}; to cancel, "取消报名 ${number}".`,
    ackHint: (number: string, due: string | null) => `Please reply "已阅 ${number}" to confirm${due ? ` (by ${due})` : ''}.`,
    buttons: { ack: 'Read', signup: 'Sign up', cancelSignup: 'Cancel sign-up' },
    fields: {
      capacity: 'Places',
      due: 'Deadline',
      link: 'Link',
      schedule: 'Sending',
      next: 'Next',
      campaign: 'Campaign',
      delivery: 'Delivery',
      firings: 'Sent',
      reads: 'Read',
    },
    fieldLine: (label: string, value: string) => `${label}: ${value}`,
    published: (number: string, title: string, kind: string) => `Announcement ${number} "${title}" (${kind}) posted; it is going out to the groups.`,
    scheduled: (number: string, title: string, kind: string) => `Announcement ${number} "${title}" (${kind}) created.`,
    scopeLine: (scope: string, groups: number) => `Scope: ${scope} (${groups} groups)`,
    whenLine: (label: string) => `Sending: ${label}`,
    nextLine: (at: string) => `Next: ${at}`,
    asksAck: 'read receipt required',
    asksSignup: (capacity: number | null) => (capacity ? `sign-up (${capacity} places, then a waitlist)` : 'sign-up (no limit)'),
    asksDue: (at: string) => `by ${at}`,
    remindersLine: (n: number) => `; those who have not answered are reminded at most ${n} times`,
    campaignLine: (name: string) => `Campaign: ${name}`,
    hintAfter: (number: string, recurring: boolean) =>
      `Send "公告进度 ${number}" for its progress${recurring ? `; "暂停公告 ${number}" pauses it, "取消公告 ${number}" stops it` : ''}.`,
    hintBefore: (number: string) => `Before it goes out you can "修改公告 ${number} 时间 …" or "取消公告 ${number}"; "公告进度 ${number}" shows it.`,
    notFound: (number: string) => `No announcement ${number}; check the number (e.g. N-8).`,
    notYours: (number: string) => `Announcement ${number} is neither yours nor in the part you answer for.`,
    alreadyCancelled: (number: string) => `Announcement ${number} is cancelled.`,
    alreadySent: (number: string) => `Announcement ${number} has been sent; it cannot be cancelled.`,
    alreadySentNoEdit: (number: string) => `Announcement ${number} has been sent; it cannot be changed. Post a new one for the changes.`,
    cancelled: (number: string, title: string) => `Announcement ${number} "${title}" cancelled; it will not be sent.`,
    onlyRecurring: (number: string) => `Announcement ${number} is not recurring; change its time with "修改公告 ${number} 时间 …" or cancel it.`,
    alreadyPaused: (number: string) => `Announcement ${number} is paused already.`,
    notPaused: (number: string) => `Announcement ${number} is not paused.`,
    paused: (number: string, title: string) => `Announcement ${number} "${title}" paused; "恢复公告 ${number}" resumes it.`,
    resumed: (number: string, title: string, next: string) =>
      `Announcement ${number} "${title}" resumed${next ? `; next: ${next}` : ''}. Posts missed while paused are not made up.`,
    edited: (number: string, title: string, schedule: string) => `Announcement ${number} "${title}" changed. Sending: ${schedule}`,
    editedAndSent: (number: string, groups: number) => `Announcement ${number} changed and sent to ${groups} groups now.`,
    notYetPublished: (number: string) => `Announcement ${number} has not been posted yet.`,
    notForYou: (number: string) => `Announcement ${number} is not for your unit.`,
    noAckNeeded: (number: string) => `Announcement ${number} does not ask for a read receipt.`,
    alreadyAcked: (number: string) => `You have confirmed announcement ${number} already, thank you!`,
    acked: (number: string, title: string) => `Confirmed: you have read announcement ${number} "${title}". Thank you!`,
    noSignup: (number: string) => `Announcement ${number} has no sign-up.`,
    signupClosed: (number: string, at: string) => `Sign-up for announcement ${number} closed at ${at}.`,
    alreadySignedUp: (number: string) => `You are signed up for announcement ${number}. To cancel, reply "取消报名 ${number}".`,
    alreadyWaitlisted: (number: string, position: number) => `You are on the waitlist of announcement ${number} (number ${position}).`,
    signedUp: (number: string, title: string, n: number, capacity: number | null) =>
      `Signed up: ${number} "${title}", you are number ${n}${capacity ? ` of ${capacity}` : ''}. To cancel, reply "取消报名 ${number}".`,
    waitlisted: (number: string, title: string, position: number) =>
      `${number} "${title}" is full; you are number ${position} on the waitlist and will be told when a place frees up.`,
    notSignedUp: (number: string) => `You are not signed up for announcement ${number}.`,
    signupCancelled: (number: string, title: string) => `Your sign-up for ${number} "${title}" is cancelled.`,
    promoted: (number: string, title: string) =>
      `Good news: a place freed up and you moved from the waitlist to the sign-up list of ${number} "${title}". If you cannot come, reply "取消报名 ${number}".`,
    progressTitle: (number: string, title: string, kind: string, status: string) => `Announcement ${number} "${title}" (${kind}) · ${status}`,
    notFiredYet: 'not sent yet',
    firingsValue: (n: number, last: string) => `${n} times${last ? `, last at ${last}` : ''}`,
    deliveryValue: (total: number, sent: number, pending: number, failed: number) => `${total} groups: ${sent} sent, ${pending} pending, ${failed} failed`,
    readsValue: (reads: number, groups: number) => `${reads} people (reported by the platform for ${groups} groups)`,
    groupsTitle: 'Groups:',
    groupLine: (name: string, platform: string, status: string, reads: number | null) =>
      `· ${name} (${platform}): ${status}${reads !== null ? `, read by ${reads}` : ''}`,
    moreGroups: (n: number) => `… and ${n} more groups`,
    ownScopeOnly: (unit: string) => `(people of ${unit}, the part you answer for, only)`,
    acksTitle: (done: number, all: number) => `Read: ${done}/${all} people`,
    unitLine: (unit: string, done: number, all: number) => `· ${unit}: ${done}/${all}`,
    signupsTitle: (confirmed: number, capacity: number | null, waitlisted: number) =>
      `Signed up: ${confirmed}${capacity ? `/${capacity}` : ''}${waitlisted ? `, waitlist ${waitlisted}` : ''}`,
    signedUpNames: (names: string) => `Sign-up list: ${names}`,
    waitlistNames: (names: string) => `Waitlist: ${names}`,
    morePeople: (n: number) => ` and ${n} more`,
    nonResponders: (n: number, names: string) => `Not answered (${n}): ${names}`,
    allAnswered: 'Everyone has answered.',
    dueLine: (at: string, sent: number, max: number) => `Deadline: ${at}; reminded ${sent}/${max} times`,
    listEmpty: 'No announcements you can see yet. Send 发布公告 to see how to post one.',
    listTitle: 'Latest announcements:',
    listLine: (number: string, kind: string, title: string, status: string, schedule: string) => `${number} [${kind}] ${title} · ${status} · ${schedule}`,
    campaignsEmpty: 'No campaigns yet. Create one with 创建活动 name kind start 至 end.',
    campaignsTitle: 'Campaigns:',
    campaignLineFull: (name: string, kind: string, start: string, end: string, announcements: number, hazards: number, photos = 0) =>
      `${name} (${kind})${start || end ? ` ${start || '…'} to ${end || '…'}` : ''}: ${announcements} announcements, ${hazards} hazard reports${photos ? ` (${photos} photo(s))` : ''}`,
    badDate: (text: string) => `"${text}" is not a date; write it as 2026-03-01.`,
    campaignName: 'Write the campaign name (at most 60 characters), e.g. 创建活动 2026安康杯 安全 2026-03-01 至 2026-12-31',
    campaignPeriodOrder: 'The end date cannot be before the start date.',
    campaignExists: (name: string) => `There is a campaign "${name}" already.`,
    campaignCreated: (name: string, kind: string, from: string, to: string, safety: boolean) =>
      `Campaign "${name}" created (${kind}${from || to ? `, ${from || '…'} to ${to || '…'}` : ''}). Write "所属活动 ${name}" in an announcement to file it under the campaign${safety ? '; hazard reports (隐患) during the campaign count towards it' : ''}.`,
    hazardCampaign: (name: string) => `Counted in the ${name} hazard campaign.`,
    hazardPhotos: 'You may send photos of it privately now: those sent within a few minutes join this report.',
    reminderTitle: (number: string, title: string) => `Reminder: ${number} "${title}"`,
    reminderInGroup: (number: string, title: string, names: string[], command: string, due: string | null) =>
      `[Reminder] ${names.join(', ')}: you have not answered announcement ${number} "${title}" yet; please reply "${command}"${due ? ` (by ${due})` : ''}.`,
    reminderPrivate: (number: string, title: string, command: string, due: string | null) =>
      `[Reminder] You have not answered announcement ${number} "${title}" yet; please reply "${command}"${due ? ` (by ${due})` : ''}.`,
    birthdayTitle: 'Happy birthday',
    birthdayGreeting: (name: string) =>
      `Happy birthday, ${name}! Thank you for your hard work this year; everyone at the union wishes you good health and happiness.\n(Reply 不要生日祝福 to stop birthday greetings.)`,
    birthdayOff: 'OK, no more birthday greetings. Reply 恢复生日祝福 to have them again.',
    birthdayOn: 'OK, the union will send you greetings on your birthday.',
  },
  intent: {
    smallTalk: {
      greeting: "Hello, I am Gongyou, the union's assistant.",
      thanks: 'You are welcome; write to me any time.',
      ok: 'OK.',
      bye: 'Goodbye, take care.',
      laugh: '😄',
    } as Record<string, string>,
    howToFile: 'To raise a problem or a suggestion, just write it to me, e.g.: no hot meals on the night shift. Send "help" to see what I can do.',
    offerTitle: 'File this with the union?',
    offer: (excerpt: string) => `You wrote: "${excerpt}"\nShall I file it as a request to the union?`,
    offerInGroup: 'To file anonymously, write to me privately; anonymous requests cannot be filed from a group.',
    typoOffer: (written: string, meant: string, excerpt: string) => `Did you mean "${meant}" rather than "${written}"? The request would read: "${excerpt}"`,
    didYouMean: (written: string, meant: string) => `Did you mean "${meant}" rather than "${written}"? One tap does it.`,
    typedHint: 'You can also reply "yes" to file it or "no" to drop it.',
    buttons: { file: 'File it', anonymous: 'File anonymously', cancel: 'No, thanks', same: 'Same matter', fresh: 'A new problem' },
    cancelled: 'OK, nothing filed. Write to me whenever you need.',
    expired: 'That offer has expired; please send what you wanted to raise again.',
    nothingPending: 'Nothing is waiting for your confirmation. Just write down your problem and send it to me.',
    duplicateTitle: (number: string) => `The same matter as ${number}?`,
    duplicate: (number: string, excerpt: string | null) => `You recently filed ${number}${excerpt === null ? '' : `: "${excerpt}"`}\nIs this the same matter?`,
    sameMatter: (number: string) => `OK, this is already in ${number} and the union is on it. Send "status ${number}" to follow it.`,
  },
  commands: {
    help: 'list the commands you can use',
    bind: 'bind your identity',
    whoami: 'show my details',
    gridMembers: 'list the people of my grid',
    bindGroup: 'bind this group to a team',
    bindOfficersGroup: "make this group the officers' group",
    deadLetters: 'list failed messages',
    retry: 'send a failed message again',
  },
  when: {
    empty: 'Write a time, e.g. 周五18:00 (Friday 18:00), 明天12:00 (tomorrow 12:00), 3天后 (in 3 days).',
    notUnderstood: (text: string) => `I did not understand the time "${text}". Write e.g. 周五18:00, 明天下午3点, 3天后, 11月30日18:00 or 2026-11-30 18:00.`,
    past: (at: string) => `${at} has already passed; write a later time, e.g. 明天18:00 (tomorrow 18:00).`,
    invalidDate: (text: string) => `There is no such day as "${text}"; check the date, e.g. 11月30日.`,
    invalidTime: (text: string) => `The hour in "${text}" is wrong; write a time between 0:00 and 23:59, e.g. 18:00.`,
    tooFar: 'That is too far ahead; write a time within 5 years, e.g. 12月31日18:00.',
  },
  polls: {
    usage: {
      start: 'poll <title> | <option 1> | <option 2> … [匿名 anonymous] [多选 / 多选2 multiple] [不可改 final] [截止 <time>] [范围 <unit>]',
      startExample: 'poll 周末加班意愿 | 愿意 | 不愿意 | 看情况 匿名 截止 周五18:00',
      vote: 'vote <poll no> <option no(s), separated by commas or spaces>',
      voteExample: 'vote P-17 2',
      results: 'results <poll or survey no>',
      resultsExample: 'results P-17',
      close: 'closepoll <poll or survey no>',
      survey: 'survey <name> [截止 <time>] [实名 named] [范围 <unit>] (then one question per line, or a template: 职工满意度)',
      surveyExample: 'survey 职工满意度 截止 月底',
      fill: 'fill <survey no> (also to resume after an interruption)',
      fillExample: 'fill Q-3',
      answer: 'answer <survey no> <question no> <answer>',
      answerExample: 'answer Q-3 2 5',
    },
    summary: {
      start: 'start a poll in the group (single/multiple choice, anonymous, deadline)',
      vote: 'vote, or change your vote',
      results: "see a poll's or survey's results",
      close: 'close a poll or survey now and post the results',
      survey: 'start a survey (answered privately, one question at a time)',
      fill: 'answer a survey, or go on answering it',
      answer: 'answer one question of a survey',
    },
    grammar: {
      empty: 'Write the poll title and the options, separated by | or 、.',
      emptySurvey: 'Write the name of the survey.',
      needSeparator: 'Separate the title and each option with | or 、.',
      needTitle: 'Write the poll title before the options.',
      unknownWord: (word: string) =>
        `I did not understand "${word}" after the options. You may write there: 匿名, 实名, 多选, 多选2, 不可改, 截止 周五18:00, 范围 一车间.`,
      deadlineMissing: 'Write a time after 截止, e.g. 截止 周五18:00.',
      unitsMissing: 'Write a unit after 范围, e.g. 范围 一车间.',
    },
    needTitle: 'Write a title for the poll.',
    titleTooLong: (max: number) => `The title is too long; keep it within ${max} characters.`,
    emptyOption: 'One option is empty; check for an extra |.',
    tooFewOptions: (min: number) => `A poll needs at least ${min} options, separated by | or 、.`,
    tooManyOptions: (max: number, n: number) => `At most ${max} options; you wrote ${n}.`,
    optionTooLong: (start: string, max: number) => `The option "${start}…" is too long; keep each within ${max} characters.`,
    duplicateOption: (label: string, i: number, j: number) => `Options ${i} and ${j} are the same ("${label}"); remove one.`,
    maxAboveOptions: (max: number, n: number) => `There are only ${n} options; "up to ${max}" is not possible.`,
    optionHasBar: 'An option cannot contain |.',
    invalidInput: (detail: string) => `The poll is incomplete: ${detail}`,
    deadlineWord: 'Deadline: ',
    deadlineTooSoon: (minutes: number) => `The deadline is too close; leave at least ${minutes} minutes, e.g. 截止 2小时后.`,
    deadlineTooFar: (days: number) => `The deadline is too far ahead; keep it within ${days} days.`,
    creatorUnknown: 'The creator is unknown; bind your identity first.',
    mayNotCreate: 'Only union officers, administrators and grid collectors (for their grid) can start a poll.',
    mayNotCreateSurvey: 'Only union officers and administrators can start a survey.',
    unitNotFound: (q: string) => `No unit "${q}". Write the unit's full name or path, e.g. 一车间/电工班.`,
    unitAmbiguous: (q: string, options: string[]) => `"${q}" matches several units: ${options.join(', ')}. Write the full path.`,
    groupNotBound: 'This group is not bound to a team yet, so I do not know who the poll is for. Send "bindgroup <unit>" first, or add "范围 <unit>".',
    outOfScope: (unit: string) => `"${unit}" is outside your responsibility; you cannot start one there.`,
    collectorScope: (unit: string) => `A grid collector can start polls only for the teams of their grid; "${unit}" is not in yours.`,
    created: (number: string, title: string, deadline: string, defaulted: boolean, targets: string, groups: number) =>
      `Poll ${number} "${title}" started for ${targets}, posted to ${groups} groups.\nIt closes at ${deadline}${defaulted ? ' (no deadline given: 24 hours by default; start it again with "截止 周五18:00" to change it)' : ''} and the results are posted then.\nSend "results ${number}" to follow it, "closepoll ${number}" to close it early.`,
    notFound: (number: string) => `No ${number}; check the number (e.g. P-17 or Q-3).`,
    isSurvey: (number: string) => `${number} is a survey; send "fill ${number}" to the bot privately.`,
    notSurvey: (number: string) => `${number} is a poll; send "vote ${number} <option no>".`,
    closed: (number: string) => `Poll ${number} is closed. Send "results ${number}" for the results.`,
    notEligible: (number: string, targets: string) => `Poll ${number} is only for the people of ${targets}; you cannot vote in it.`,
    noChoice: (number: string, count: number) => `Write an option number (1 to ${count}), e.g. vote ${number} 1`,
    unknownOption: (written: string, count: number) => `There is no option "${written}"; write a number from 1 to ${count}.`,
    singleChoice: (number: string) => `Poll ${number} is single choice: choose one option.`,
    tooManyChoices: (max: number, n: number) => `You may choose at most ${max}; you chose ${n}. Press a chosen option again to take it back.`,
    noChange: (number: string) => `You have already voted, and votes in poll ${number} are final.`,
    voted: (
      number: string,
      title: string,
      labels: string,
      outcome: 'new' | 'changed' | 'same' | 'withdrawn' | 'later',
      allowChange: boolean,
      deadline: string,
    ) =>
      outcome === 'withdrawn'
        ? `Your choice in poll ${number} "${title}" is withdrawn.`
        : `${outcome === 'changed' ? 'Vote changed' : outcome === 'same' ? 'Your vote is unchanged' : outcome === 'later' ? 'Your later choice is already recorded and stands' : 'Vote recorded'}: ${number} "${title}" → ${labels}. ${allowChange ? `You may change it until ${deadline}.` : 'Votes in this poll are final.'}`,
    votedInGroup: (name: string, number: string, outcome: 'new' | 'changed' | 'same' | 'withdrawn' | 'later') =>
      `@${name} ${outcome === 'withdrawn' ? 'your choice is withdrawn' : outcome === 'changed' ? 'your vote is changed' : outcome === 'same' ? 'your vote is unchanged' : outcome === 'later' ? 'your later vote stands' : 'your vote is recorded'} (${number}).`,
    resultsNotForYou: (number: string) => `The results of poll ${number} are for its creator, the people it is for and their officers.`,
    surveyResultsNotForYou: (number: string) => `The results of survey ${number} are for its creator and the responsible officers.`,
    sentPrivately: (name: string) => `@${name} sent to you privately.`,
    mayNotClose: (number: string) => `Only the creator, a responsible officer or an administrator can close ${number}.`,
    alreadyClosed: (number: string) => `${number} is already closed.`,
    closedAck: (number: string) => `${number} is closed; the results are posted to the groups.`,
    optionLine: (position: number, label: string) => `${position}. ${label}`,
    chartLine: (label: string, bar: string, count: number, percent: number) => `${label}\u3000${bar} ${count} ${percent}%`,
    rules: {
      single: 'single choice',
      multiple: (n: number) => `multiple choice (up to ${n})`,
      anonymous: 'anonymous (nobody sees who voted what)',
      named: 'named',
      final: 'votes are final',
      deadline: (at: string) => `closes ${at}`,
      scope: (units: string) => `for ${units}`,
      separator: ' · ',
    },
    postTitle: (number: string, title: string) => `[Poll] ${number} ${title}`,
    cardTitle: (number: string, title: string) => `Poll ${number}: ${title}`,
    howToVote: (number: string) => `Press a button, or send "vote ${number} <no>", e.g. vote ${number} 1`,
    howToVoteMulti: (number: string, max: number, allowChange: boolean) =>
      `Send "vote ${number} <nos>" separated by commas, e.g. vote ${number} 1,${Math.min(max, 2)}${allowChange ? '; or press the buttons one by one (again to take one back)' : '; votes are final, choose all at once'}.`,
    stateOpen: (deadline: string) => `open until ${deadline}`,
    stateClosed: 'closed',
    resultsTitle: (number: string, title: string, state: string) => `Results of poll ${number} ${title} (${state})`,
    turnout: (voters: number, eligible: number, percent: number) => `${voters} voted of ${eligible}, turnout ${percent}%`,
    byUnitTitle: 'Turnout per unit:',
    unitLine: (unit: string, voters: number, eligible: number) => `${unit}: ${voters}/${eligible}`,
    noUnit: '(unknown unit)',
    namesTitle: 'Who chose what (for the creator only):',
    namesLine: (position: number, label: string, names: string[]) => `${position}. ${label}: ${names.length ? names.join(', ') : 'nobody'}`,
    fields: { voters: 'Voted/eligible', state: 'State' },
    closedPost: (number: string, title: string) => `[Poll closed] ${number} ${title}`,
    reminderNamed: (number: string, title: string, deadline: string, mentions: string, more: number) =>
      `[Poll reminder] ${number} "${title}" closes at ${deadline}; not voted yet: ${mentions}${more > 0 ? ` and ${more} more` : ''}\nSend "vote ${number} <no>".`,
    reminderGroup: (number: string, title: string, deadline: string, n: number) =>
      `[Poll reminder] ${number} "${title}" closes at ${deadline}; ${n} people of this group have not voted yet and were reminded privately.`,
    reminderPrivate: (number: string, title: string, deadline: string) =>
      `[Poll reminder] ${number} "${title}" closes at ${deadline} and you have not voted yet. Send "vote ${number} <no>".`,
    reminderSurveyGroup: (number: string, title: string, deadline: string, n: number) =>
      `[Survey reminder] ${number} "${title}" closes at ${deadline}; ${n} people of this group have not finished it and were reminded privately.`,
    reminderSurveyPrivate: (number: string, title: string, deadline: string) =>
      `[Survey reminder] ${number} "${title}" closes at ${deadline} and you have not finished it. Send "fill ${number}" privately to go on.`,
    templates: {
      satisfaction: {
        names: ['职工满意度', 'satisfaction', '职工满意度调查', '满意度', '满意度调查'],
        title: 'Workforce satisfaction survey',
        questions: [
          { kind: 'scale', prompt: "How satisfied are you with the union's work this quarter overall?" },
          { kind: 'scale', prompt: 'How satisfied are you with the canteen?' },
          { kind: 'scale', prompt: 'How satisfied are you with safety protection at work?' },
          {
            kind: 'choice',
            prompt: 'Which union activities would you like more of?',
            options: ['Sports and culture', 'Skills contests', 'Training', 'Rest and recuperation', 'Family activities'],
          },
          {
            kind: 'choice',
            prompt: 'What should the union improve most?',
            options: ['Canteen', 'Labour protection', 'Commuter buses', 'Hardship aid', "Workers' rights", 'Other'],
          },
          { kind: 'text', prompt: 'Any other comments or suggestions for the union?' },
        ] as { kind: string; prompt: string; options?: string[] }[],
      },
    },
    noQuestions: (templates: string) =>
      `The survey has no questions. Use a template (${templates}), e.g. "survey 职工满意度 截止 月底", or write one question per line after the command: "question | option | option", "question (评分)", "question (文字)".`,
    tooManyQuestions: (max: number) => `A survey has at most ${max} questions.`,
    emptyQuestion: (i: number) => `Question ${i} has no text.`,
    questionTooLong: (i: number, max: number) => `Question ${i} is too long; keep it within ${max} characters.`,
    inQuestion: (i: number, message: string) => `Question ${i}: ${message}`,
    surveyCreated: (number: string, title: string, count: number, deadline: string, defaulted: boolean, targets: string, groups: number, anonymous: boolean) =>
      `Survey ${number} "${title}" started (${count} questions, ${anonymous ? 'anonymous' : 'named'}) for ${targets}, posted to ${groups} groups.\nIt closes at ${deadline}${defaulted ? ' (no deadline given: 24 hours by default)' : ''}.\nSend "results ${number}" for the results.`,
    surveyPostTitle: (number: string, title: string) => `[Survey] ${number} ${title}`,
    surveyCardTitle: (number: string, title: string) => `Survey ${number}: ${title}`,
    surveyAbout: (count: number, anonymous: boolean, deadline: string, targets: string) =>
      `${count} questions, ${anonymous ? 'anonymous (no names kept)' : 'named'}, closes ${deadline}${targets ? `, for ${targets}` : ''}.`,
    howToAnswer: (number: string) => `Press "Start", or send "fill ${number}" to the bot privately; it asks one question at a time.`,
    buttons: { start: 'Start', resume: 'Go on' },
    surveyIntro: (number: string, title: string, total: number, anonymous: boolean) =>
      `Welcome to survey ${number} "${title}": ${total} questions${anonymous ? ', anonymous' : ''}. Just reply with your answer; if you stop half-way, send "fill ${number}" to go on.`,
    surveyResume: (number: string, answered: number, total: number) => `Going on with survey ${number}: ${answered}/${total} answered.`,
    surveySentPrivately: (name: string, number: string) =>
      `@${name} the questions of survey ${number} are sent to you privately; if they did not arrive, send "fill ${number}" to the bot privately.`,
    surveyAlreadyDone: (number: string) =>
      `You have answered every question of survey ${number}, thank you! To change one before the deadline, send "answer ${number} <question no> <answer>".`,
    surveyDone: (number: string, title: string) => `That was the last question of survey ${number} "${title}". Thank you!`,
    surveyClosed: (number: string) => `Survey ${number} is closed.`,
    notEligibleSurvey: (number: string, targets: string) => `Survey ${number} is only for the people of ${targets}.`,
    noSuchQuestion: (number: string, total: number) => `Survey ${number} has ${total} questions; write a question number from 1 to ${total}.`,
    answerPrivately: (number: string) => `Answer surveys privately: send "fill ${number}" to the bot in a private chat.`,
    answerRecorded: (position: number) => `Answer to question ${position} recorded.`,
    questionTitle: (number: string, position: number, total: number, prompt: string) => `Survey ${number}, question ${position}/${total}: ${prompt}`,
    scaleLabels: ['very unsatisfied', 'unsatisfied', 'neutral', 'satisfied', 'very satisfied'],
    scaleHint: 'Reply with a number from 1 to 5: 5 very satisfied … 1 very unsatisfied.',
    choiceHint: 'Reply with the option number.',
    choiceHintMulti: (max: number) => `You may choose several (up to ${max}), separated by spaces or commas, e.g. 1 3`,
    textHint: (number: string, position: number) =>
      `Reply with your answer in words (up to 500 characters); "无" for none. If it starts with a command word, write: answer ${number} ${position} <your answer>`,
    badScale: 'Reply with a number from 1 to 5 (5 very satisfied, 1 very unsatisfied).',
    badChoice: (n: number) => `Reply with an option number from 1 to ${n}.`,
    oneChoiceOnly: 'Choose one option only for this question.',
    emptyText: 'Write your answer; "无" for none.',
    textTooLong: (max: number) => `The answer is too long; keep it within ${max} characters.`,
    surveyResultsTitle: (number: string, title: string, state: string) => `Results of survey ${number} ${title} (${state})`,
    surveyTurnout: (respondents: number, completed: number, eligible: number, percent: number) =>
      `${respondents} took part (${completed} finished) of ${eligible}, turnout ${percent}%`,
    scaleResult: (position: number, prompt: string, average: number | null, answered: number) =>
      `${position}. ${prompt} mean ${average === null ? '-' : average.toFixed(1)} (${answered} answers)`,
    choiceResult: (position: number, prompt: string, answered: number) => `${position}. ${prompt} (${answered} answers)`,
    textResult: (position: number, prompt: string, count: number) => `${position}. ${prompt} (${count} answers, up to 5 shown)`,
    byUnitScaleTitle: (positions: string) => `Turnout and means per unit (questions ${positions}):`,
    unitAverages: (unit: string, respondents: number, eligible: number, averages: string) => `${unit}: ${respondents}/${eligible}, ${averages}`,
    surveyClosedPost: (number: string, title: string, respondents: number, eligible: number) =>
      `[Survey closed] ${number} "${title}": ${respondents} took part (of ${eligible}). Thank you all!`,
    export: {
      summarySheet: 'Summary',
      unitSheet: 'By unit',
      namesSheet: 'Voters',
      answersSheet: 'Answers',
      title: 'Title',
      voters: 'Voters',
      respondents: 'Respondents',
      completed: 'Finished',
      eligible: 'Eligible',
      option: 'No',
      label: 'Option',
      count: 'Count',
      percent: 'Share',
      unit: 'Unit',
      noUnit: '(unknown unit)',
      names: 'Voters',
      name: 'Name',
      question: 'Question',
      prompt: 'Text',
      kind: 'Kind',
      answered: 'Answers',
      average: 'Mean',
      kinds: { choice: 'choice', scale: 'scale (1-5)', text: 'text' } as Record<string, string>,
      textsSeeSheet: 'Text answers: see the "Answers" sheet',
      averageOf: (position: number) => `Q${position} mean`,
      index: 'No',
    },
  },
  playground: {
    wrongHost: 'The playground answers this machine only: open http://localhost:<port>/playground on the computer running the service',
    closed: 'The playground is closed: the demo organisation was retired (a real roster was imported)',
    notDemoPerson: (employeeNo: string) => `The playground speaks only as demo people; "${employeeNo}" is not one`,
    demoTokenRefused: 'Tokens and sign-ins of demo people work only while the local playground is on; it is off or the demo was retired',
    demoNotBindable:
      'This is a sample person of the demo organisation and cannot be bound on a real platform. Bind with your own employee number and name from the roster, or ask the union administrator.',
  },
  /** Words for states that only the dashboard shows; the others live with their area (roles, requests.status…). */
  labels: {
    pollStatus: { open: 'open', closed: 'closed', cancelled: 'cancelled' } as Record<string, string>,
  },
  /** Issue #17: the two-way conversation on a request, contesting, supervision notices, the figures in chat. */
  conversation: {
    usage: {
      figures: 'figures month (optional, e.g. 2026-03)',
      add: 'add number text',
      addExample: 'add SQ-2026-0042 it is window 3, every evening after seven',
      contest: 'review number reason',
      contestExample: 'review SQ-2026-0042 the problem is not solved',
    },
    summary: {
      figures: "this month's request figures (same definitions as the dashboard and the monthly report)",
      add: 'add to your request, or answer the officer’s question',
      contest: 'contest a resolved or rejected request once: the level above reviews it',
    },
    badMonth: 'Write the month like 2026-03.',
    /** A step told to the requester, as the collector who filed it for them reads it: whose request, without what only the requester may do (rate, contest). */
    forCollector: (text: string, name: string) =>
      text
        .replace(/^(About )?[Yy]our request/, (_m: string, about: string | undefined) => `${about ?? ''}${about ? 'the' : 'The'} request you filed for ${name}`)
        .split('\n')
        .filter((line) => !/^(Please rate it|To contest it)/.test(line))
        .join('\n'),
    officersGroupMoved: (number: string, category: string, unit: string, urgent: boolean) =>
      `${urgent ? '[URGENT] ' : ''}Request ${number} (${category}, ${unit}) has come up to this level; the officers in charge have the details privately.`,
    transferredTitle: (number: string) => `Request ${number} handed to you`,
    escalatedTitle: (number: string) => `Request ${number} escalated to you`,
    reviewTitle: (number: string) => `Please review request ${number}`,
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
      `${f.urgent ? '[URGENT] ' : ''}Request ${f.number} was escalated to you from ${f.from}${f.why ? `, because: ${f.why}` : ''}.\nCategory: ${f.category}\nUnit: ${f.unit}\nRequester: ${f.who}\nContent: ${f.content}\nFiled ${f.filed}; before the escalation: ${f.state}.\nPlease accept or answer by ${f.due}. Send "accept ${f.number}" to accept.`,
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
      `${f.urgent ? '[URGENT] ' : ''}Please review request ${f.number}: the requester contests how ${f.from} handled it (${f.status}). Reason: ${f.reason}\nCategory: ${f.category}\nUnit: ${f.unit}\nRequester: ${f.who}\nContent: ${f.content}\nDecided before: ${f.outcome}\nPlease accept it by ${f.due}, then resolve or reject it; the review is final.`,
    lowRatingReason: (score: number, comment: string) => `rated ${score}${comment ? `, ${comment}` : ''}`,
    /** A timeline entry as a sentence: who (null for an automatic step) did what; `to` is the unit it went to. */
    timelineEntry: (e: { kind: string; who: string | null; text: string | null; to: string | null }): string => {
      const who = e.who ?? 'the system'
      const x = e.text ?? ''
      switch (e.kind) {
        case 'filed':
          return `${who} filed the request`
        case 'filedOnBehalf':
          return `${who} filed it on the requester's behalf`
        case 'accepted':
          return `${who} accepted it`
        case 'replied':
          return `${who} replied: ${x}`
        case 'asked':
          return `${who} asked: ${x}`
        case 'resolved':
          return `${who} resolved it: ${x}`
        case 'rejected':
          return `${who} rejected it, because: ${x}`
        case 'transferred':
          return `${who} handed it on${e.to ? ` to ${e.to}` : ''}${x ? `: ${x}` : ''}`
        case 'escalated':
          return e.who
            ? `${who} escalated it to ${e.to ?? ''}${x ? `, because: ${x}` : ''}`
            : `${x || 'deadline missed'}, escalated automatically to ${e.to ?? ''}`
        case 'reopened':
          return `reopened for review by ${e.to ?? 'this level'}${x ? ` (${x})` : ''}`
        case 'supervised':
          return `${who} placed it under supervision${x ? `: ${x}` : ''}`
        case 'rated': {
          const [score, ...comment] = x.split(' ')
          return `${who} rated it ${score}${comment.length ? `: ${comment.join(' ')}` : ''}`
        }
        case 'recategorised':
          return `${who} changed the category to ${x}`
        case 'closed':
          return 'not rated after it was resolved, closed automatically'
        case 'overdue':
          return `missed the ${x} deadline at the top level; the chair and administrators were told`
        case 'recalled':
          return 'the message that filed it was recalled (the request stays)'
        case 'added':
          return `${who} added: ${x}`
        case 'answered':
          return `${who} answered the question: ${x}`
        case 'contested':
          return `${who} asked for a review, because: ${x}`
        default:
          return `${who}: ${e.kind}${x ? `: ${x}` : ''}`
      }
    },
    figuresActivities: (f: { announcements: number; read: number; signups: number; polls: number; votes: number }) =>
      `announcements ${f.announcements}, read by ${f.read}, sign-ups ${f.signups}; polls and surveys ${f.polls}, votes ${f.votes}`,
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
      `Requests of ${scope} in ${month}:\nfiled ${f.filed}, resolved ${f.resolved}, rejected ${f.rejected}, open ${f.open}\nanswered on time ${f.onTime}, late ${f.late}, on-time rate ${f.share}\nrated ${f.rated}, average ${f.average}\nsupervised ${f.supervised}\n(on time: first answered by the deadline set at filing; escalation does not restart the clock)`,
    none: '—',
    todoDue: (what: string, at: string) => ` (${what} by ${at})`,
    filedForSomeone: (number: string, name: string, category: string, urgent: boolean, level: string, due: string) =>
      `${name}'s request ${number} (${category}${urgent ? ', urgent' : ''}) went to the union officers of ${level}, to be answered by ${due}; ${name} and you will hear of its progress.\nSend "status ${number}" to follow it.`,
    asked: (number: string, officer: string, text: string) => `About your request ${number}, ${officer} asks: ${text}\nAnswer with: add ${number} your answer`,
    askedAck: (number: string) => `The question went to the requester of ${number}; their answer will come to you.`,
    requesterNamed: (name: string) => `the requester ${name} `,
    collectorNamed: (name: string) => `the collector ${name} who filed it `,
    addedForOfficer: (number: string, who: string, text: string) => `Request ${number}: ${who}added: ${text}`,
    answeredForOfficer: (number: string, who: string, text: string) => `Request ${number}: ${who}answered your question: ${text}`,
    addedForRequester: (number: string, collector: string, text: string) => `The collector ${collector} added to your request ${number}: ${text}`,
    addedForCollector: (number: string, name: string, text: string) => `${name} added to request ${number} you filed: ${text}`,
    addedAck: (number: string) => `Added to request ${number} and passed to the handling officer.`,
    answeredAck: (number: string) => `Your answer went to the officer who asked (request ${number}).`,
    contestNeedsReason: (number: string) => `Give a reason for the review, e.g.: review ${number} the problem is not solved`,
    notContestable: (number: string, status: string) => `Request ${number} is ${status}: only resolved or rejected requests can be reviewed.`,
    alreadyReviewed: (number: string) => `Request ${number} has been reviewed already; the review is final.`,
    rejectedNotRatable: (number: string) =>
      `Request ${number} was rejected: there is no result to rate. To contest the rejection, send: review ${number} reason`,
    lowScoreReason: (score: number) => `rated ${score}`,
    contestedForReviewer: (number: string, status: string, reason: string) =>
      `The requester contests the outcome of request ${number} (${status}) and asks for a review. Reason: ${reason}\nPlease review, then resolve or reject it; the review is final.`,
    contestedForPrevious: (number: string, level: string) => `The requester of ${number} asked for a review; ${level} reviews it.`,
    contestedAck: (number: string, level: string) => `Review requested. ${level} reviews request ${number}; the review is final.`,
    reviewFinal: 'This is the outcome of the review, and it is final.',
    rejectedAfterReview: (number: string, officer: string, reason: string) =>
      `After review, your request ${number} stays rejected (${officer}). Reason: ${reason}`,
    ratedFinal: (number: string, score: number) => `Rating recorded: request ${number}, ${score}. It has been reviewed already; the review is final.`,
    newDeadline: (due: string) => `new result deadline ${due}`,
    supervisedForOfficer: (number: string, chair: string, note: string, due: string) =>
      `[Supervised] ${chair} put request ${number}, which you handle, under supervision${note ? `: ${note}` : '.'}${due ? `\nPlease resolve it by ${due}.` : ''}`,
    supervisedForRequester: (number: string) => `Your request ${number} is now supervised by the union and handled with priority.`,
    events: { added: 'added', answered: 'answered the question', asked: 'asked', contested: 'asked for a review' } as Record<string, string>,
  },
  privacy: {
    anonymousNotInGroup:
      'File anonymous requests in your private chat with the bot: nothing is taken in a group, and what you wrote there was not recorded. Send "anon <text>" privately; officers will not see who you are.',
    anonymousNotInGroupHint: 'Anonymous requests are taken in a private chat with the bot only, not in a group.',
    sentPrivately: 'Sent to you privately.',
    askPrivately: 'This is shown in a private chat only: send the same words to the bot privately.',
    filedInGroup: (number: string) => `Request ${number} received; details and progress come to you privately.`,
    officersGroupNotice: (number: string, category: string, unit: string, urgent: boolean) =>
      `${urgent ? '[URGENT] ' : ''}New request ${number} (${category}, ${unit}) is with the officers in charge; details privately.`,
    requesterUpdateHint: (number: string) => `Request ${number} has news: send "status ${number}" to the bot privately.`,
    tooFew: (min: number) => `fewer than ${min} people, not shown separately`,
    textsHidden: (min: number) => `fewer than ${min} answered: the texts are not shown`,
  },
  /** Photos and files sent with requests (src/requests/attachments.ts). */
  attachments: {
    joined: (number: string, n: number) => `${n} attachment(s) added to request ${number}.`,
    forOfficer: (number: string, who: string, n: number, link: string) =>
      `Request ${number}: ${who} sent ${n} attachment(s)${link ? `: ${link}` : '; see the dashboard'}`,
    noticeLine: (n: number, link: string) => `${n} attachment(s)${link ? `: ${link}` : ' (on the dashboard)'}`,
    refusedType: (name: string) => `${name} is not an image or a PDF and was not kept. Send photos (JPG, PNG, GIF, WebP) or PDF files.`,
    refusedSize: (name: string, limit: string) => `${name} is too large and was not kept (at most ${limit}). Please make it smaller and send it again.`,
    refusedFailed: (name: string) => `${name} could not be fetched from the platform; please send it again.`,
    aFile: (kind: 'image' | 'file', name: string | null) => (name ? `The file "${name}"` : kind === 'image' ? 'This image' : 'This file'),
    offer: (n: number) =>
      `Received ${n} attachment(s). Report it as a safety hazard, or file it as a request?\nYou can also send "req <text>" first and the photo after, or "add SQ-… " to add it to a request you filed.`,
    closed: (number: string) => `Request ${number} is closed: attachments can no longer be added.`,
    offerTitle: 'Photo or file received',
    buttons: { hazard: 'Report a hazard', request: 'File a request', cancel: 'No thanks' },
    hazardContent: 'Snapshot: safety hazard (see the photo)',
    requestContent: '(see the attachment)',
    cancelled: 'All right: the attachment was not kept.',
    expired: 'That choice has expired and the attachment was not kept. Please send the photo again.',
    nothingPending: 'No attachment is waiting.',
    event: (n: number) => `${n} attachment(s)`,
    events: { attached: 'sent attachments' } as Record<string, string>,
    hazardPhotos: (n: number) => `${n} photo(s)`,
  },
  /** What the platform adapters (Feishu, WeCom) say in their own words. */
  platforms: {
    buttonAsCommand: (label: string, command: string) => `${label}: send "${command}"`,
    cut: '… (too long; the rest is not shown)',
    cardReceived: (command: string) => `Received: ${command}`,
    cardDone: (command: string) => `Done: ${command}`,
    cardDoneButton: 'Done',
  },
  lifecycle: {
    groupUnbound: (platform: string, name: string, unit: string, disbanded: boolean) =>
      `[System] The ${platform} group "${name}" ${disbanded ? 'was disbanded' : 'removed the bot'}: it is no longer bound to "${unit}" and notices no longer go there. To carry on, add the bot to a new group and have an officer send "bindgroup <unit>".`,
  },
}
