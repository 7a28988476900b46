/**
 * Announcements and campaigns, wired from the configuration: the chat commands and the three
 * scheduled jobs (fire every minute, remind every five minutes, birthdays as configured).
 */
import type { Config } from '../config.js'
import { EVERY_MINUTE, type Feature, type FeatureContext } from '../core/feature.js'
import { announcementCommands } from './commands.js'
import { fireDue, sendBirthdayGreetings, sendReminders, type AnnouncementJobDeps } from './jobs.js'
import type { AnnouncementSettings } from './service.js'

export { announcementInputSchema, AnnouncementRefusal } from './service.js'
export { createAnnouncement } from './create.js'
export { recordReadCount } from './responses.js'
export type { AnnouncementContext, AnnouncementInput, AnnouncementSettings, Deliver } from './service.js'

export function announcementSettings(config: Config): AnnouncementSettings {
  return {
    timeZone: config.GONGYOU_TIMEZONE,
    maxReminders: config.ANNOUNCEMENT_MAX_REMINDERS,
    remindEveryHours: config.ANNOUNCEMENT_REMIND_EVERY_HOURS,
    mentionPlatforms: config.ANNOUNCEMENT_MENTION_PLATFORMS,
  }
}

/** Every five minutes: a reminder is due hours after the post (ANNOUNCEMENT_REMIND_EVERY_HOURS), never to the minute. */
const REMIND_CRON = '*/5 * * * *'

export function announcements({ config, db, t, deliver }: FeatureContext): Feature {
  const settings = announcementSettings(config)
  const deps: AnnouncementJobDeps = { db, t, settings, deliver }
  return {
    commands: announcementCommands({ settings, deliver }),
    jobs: [
      { name: 'announcements:fire', cron: EVERY_MINUTE, run: async (now) => void (await fireDue(deps, now)) },
      { name: 'announcements:remind', cron: REMIND_CRON, run: async (now) => void (await sendReminders(deps, now)) },
      { name: 'announcements:birthdays', cron: config.ANNOUNCEMENT_BIRTHDAY_CRON, run: async (now) => void (await sendBirthdayGreetings(deps, now)) },
    ],
  }
}
