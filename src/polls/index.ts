/**
 * Polls and surveys (投票, 问卷) as a feature: the commands, the survey's private replies, and the
 * deadline jobs (reminders, closing), which run every minute.
 */
import { EVERY_MINUTE, type Feature, type FeatureContext } from '../core/feature.js'
import { pollCommands } from './commands.js'
import { closeDuePolls, remindPolls, type PollJobDeps } from './jobs.js'
import { voteSecret } from './service.js'
import { surveyConversation } from './survey.js'

export async function polls({ config, db, t, deliver }: FeatureContext): Promise<Feature> {
  const secret = await voteSecret(db, config.GONGYOU_SECRET)
  const deps: PollJobDeps = {
    db,
    deliver,
    t,
    timeZone: config.GONGYOU_TIMEZONE,
    secret,
    maxReminders: config.POLL_MAX_REMINDERS,
    minGroup: config.PRIVACY_MIN_GROUP,
  }
  return {
    commands: pollCommands({ secret }),
    fallbacks: [surveyConversation(secret)],
    jobs: [
      { name: 'polls:remind', cron: EVERY_MINUTE, run: async (now) => void (await remindPolls(deps, now)) },
      { name: 'polls:close', cron: EVERY_MINUTE, run: async (now) => void (await closeDuePolls(deps, now)) },
    ],
  }
}
