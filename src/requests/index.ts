/**
 * Requests (诉求) as a feature: the commands, the intent layer and its offers, the default
 * categories, and the deadline jobs (escalation every minute; digest, supervised summary and
 * closing unrated requests on the configured schedules).
 */
import { EVERY_MINUTE, type Feature, type FeatureContext } from '../core/feature.js'
import { attachmentCommands, attachmentReceiver, dropUnclaimed, type AttachmentOptions } from './attachments.js'
import { ensureDefaultCategories } from './categories.js'
import { requestCommands } from './commands.js'
import { offerCommands, requestIntent } from './intent.js'
import { quotedRequest } from './quote.js'
import { closeUnrated, escalateOverdue, sendDigest, sendSupervisedSummary, type RequestJobDeps } from './jobs.js'

export function requests({ config, db, t, deliver, publicUrl }: FeatureContext): Feature {
  const attachments: AttachmentOptions = {
    joinMinutes: config.ATTACHMENT_JOIN_MINUTES,
    maxBytes: config.ATTACHMENT_MAX_BYTES,
    ...(publicUrl ? { publicUrl } : {}),
  }
  const deps: RequestJobDeps = {
    db,
    core: { deliver },
    t,
    timeZone: config.GONGYOU_TIMEZONE,
    autoCloseDays: config.REQUEST_AUTOCLOSE_DAYS,
    minGroup: config.PRIVACY_MIN_GROUP,
  }
  return {
    commands: [...requestCommands, ...offerCommands, ...attachmentCommands(attachments)],
    intent: requestIntent(t.botName),
    attachments: attachmentReceiver(attachments),
    quoted: quotedRequest,
    setup: () => db.$transaction((tx) => ensureDefaultCategories(tx)),
    jobs: [
      { name: 'requests:escalate-overdue', cron: EVERY_MINUTE, run: async (now) => void (await escalateOverdue(deps, now)) },
      { name: 'requests:digest', cron: config.REQUEST_DIGEST_CRON, run: async (now) => void (await sendDigest(deps, now)) },
      { name: 'requests:supervised-summary', cron: config.REQUEST_SUPERVISED_CRON, run: async (now) => void (await sendSupervisedSummary(deps, now)) },
      { name: 'requests:unclaimed-attachments', cron: '17 * * * *', run: async (now) => void (await db.$transaction((tx) => dropUnclaimed(tx, now))) },
      { name: 'requests:close-unrated', cron: config.REQUEST_AUTOCLOSE_CRON, run: async (now) => void (await closeUnrated(deps, now)) },
    ],
  }
}
