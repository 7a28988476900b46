/** The organisation as a feature: binding, who-am-I, grid members and group binding commands. */
import type { Feature } from '../core/feature.js'
import { organisationCommands } from './commands.js'

export function organisation(): Feature {
  return { commands: organisationCommands, jobs: [] }
}
