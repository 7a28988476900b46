import type { CommandDefinition } from './commands.js'

/** `帮助`: lists exactly the commands the asker's role may use, with how to write each. */
export function helpCommand(all: () => CommandDefinition[]): CommandDefinition {
  return {
    name: 'help',
    words: ['帮助', '菜单', '命令'],
    aliases: ['help', 'menu', '?'],
    roles: ['guest', 'worker', 'collector', 'officer', 'admin'],
    usage: (t) => (t.botName === '工友' ? '帮助' : 'help'),
    summary: (t) => t.commands.help,
    async run(ctx) {
      const { t, role } = ctx
      const mine = all().filter((c) => (c.listedFor ?? c.roles).includes(role))
      const lines = mine.map((c) => `• ${c.usage(t)} — ${c.summary(t)}`)
      const intro = role === 'guest' ? `${t.help.guestIntro}\n` : ctx.pendingRole ? `${t.binding.pending(t.roles[ctx.pendingRole] ?? ctx.pendingRole)}\n` : ''
      ctx.reply(`${intro}${t.help.title(t.roles[role] ?? role)}\n${lines.join('\n')}\n${t.help.footer}`)
    },
  }
}
