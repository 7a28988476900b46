/**
 * Requests (诉求), the service: one domain function or a close group per file, re-exported here so
 * callers keep one import. model (row, context, statuses, numbers, refusals), access (finding a
 * request, who may act), notify (who hears what), timeline, file, act (an officer's steps),
 * escalate, rate, recategorise, conversation (questions and additions), contest (review).
 */
export { canHandle, findRequest, isAuthor, isDiscreet } from './access.js'
export { act, type OfficerAction } from './act.js'
export { contestRequest } from './contest.js'
export { addToRequest, isQuestion } from './conversation.js'
export { escalate } from './escalate.js'
export { type FileInput, fileRequest } from './file.js'
export {
  isRequestNumber,
  isRequestReference,
  MAX_CONTENT,
  normaliseNumber,
  OPEN_STATUSES,
  type RequestContext,
  RequestRefusal,
  type RequestRow,
} from './model.js'
export type { Notified } from './notify.js'
export { rate } from './rate.js'
export { recategorise } from './recategorise.js'
