import type { Messages } from './zh-CN.js'

/** English, the second locale. Same shape as zh-CN. */
export const en: Messages = {
  botName: 'Gongyou',
  roles: { guest: 'unbound user', worker: 'worker', collector: 'grid collector', officer: 'union officer', admin: 'administrator' },
  help: {
    title: (roleLabel: string) => `What Gongyou can do for you (your role: ${roleLabel})`,
    footer: 'Commands may start with /, or follow an @mention of the bot.',
    guestIntro: 'You are not bound yet; once bound you can file requests and follow them.',
  },
  unknown: {
    didYouMean: (word: string, suggestion: string, usage: string) => `There is no command "${word}". Did you mean "${suggestion}"? Usage: ${usage}\nSend "help" for all commands.`,
    noSuggestion: (word: string) => `I did not understand "${word}". Send "help" for the commands you can use.`,
    emptyMention: 'Hello, I am Gongyou. Send "help" for the commands you can use.',
  },
  usage: (usage: string, example?: string) => `Usage: ${usage}${example ? `\nExample: ${example}` : ''}`,
  notAllowed: (what: string, roleLabel: string) => `"${what}" is only for ${roleLabel}. Send "help" for the commands you can use.`,
  needBinding: 'You are not bound yet. Send: bind <employee no> <name> (e.g. bind D1001 张伟).',
  internalError: 'Sorry, something went wrong while handling this message. It has been logged; please try again later or contact the union administrator.',
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
  },
  alerts: {
    deadLetter: (platform: string, target: string, error: string) => `[System] A message could not be delivered and was given up: ${platform} → ${target} (${error}). Send "deadletters" to see them.`,
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
}
