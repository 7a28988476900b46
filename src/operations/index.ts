/** Operations as a feature: the administrators' commands (dead letters). */
import type { Feature } from '../core/feature.js'
import { operationsCommands } from './commands.js'

export function operations(): Feature {
  return { commands: operationsCommands, jobs: [] }
}
