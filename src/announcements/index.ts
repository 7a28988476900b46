/**
 * Announcements and campaigns, wired from the configuration: the chat commands and the three
 * scheduled jobs (fire, remind, birthdays). `deliver` writes to the outbox (ChatCore.deliver).
 */
import type { Config } from '../config.js'
import type { CommandDefinition } from '../core/commands.js'
import type { Scheduler } from '../core/scheduler.js'
import type { Db } from '../db/client.js'
import type { Messages } from '../messages/index.js'
import { announcementCommands } from './commands.js'
import { registerAnnouncementJobs } from './jobs.js'
import type { AnnouncementSettings, Deliver } from './service.js'

export { createAnnouncement, announcementInputSchema, recordReadCount, AnnouncementRefusal } from './service.js'
export type { AnnouncementContext, AnnouncementInput, AnnouncementSettings, Deliver } from './service.js'

export function announcementSettings(config: Config): AnnouncementSettings {
  return {
    timeZone: config.GONGYOU_TIMEZONE,
    maxReminders: config.ANNOUNCEMENT_MAX_REMINDERS,
    remindEveryHours: config.ANNOUNCEMENT_REMIND_EVERY_HOURS,
    mentionPlatforms: config.ANNOUNCEMENT_MENTION_PLATFORMS,
  }
}

export function announcements(config: Config, db: Db, t: Messages, deliver: Deliver): { commands: CommandDefinition[]; registerJobs(scheduler: Scheduler): void } {
  const settings = announcementSettings(config)
  return {
    commands: announcementCommands({ settings, deliver }),
    registerJobs: (scheduler) =>
      registerAnnouncementJobs(scheduler, { db, t, settings, deliver }, { fire: config.ANNOUNCEMENT_FIRE_CRON, remind: config.ANNOUNCEMENT_REMIND_CRON, birthdays: config.ANNOUNCEMENT_BIRTHDAY_CRON }),
  }
}
