/** What the intent reader answers: the kind of message, the command it reads as, and what it needs to know. */

export type IntentKind = 'file' | 'fileAnonymous' | 'hazard' | 'onBehalf' | 'status' | 'list' | 'help' | 'officer' | 'rate' | 'offer' | 'smallTalk' | 'unknown'
export type OfficerAction = 'accept' | 'reply' | 'resolve' | 'reject' | 'escalate' | 'supervise'
export type Role = 'guest' | 'worker' | 'collector' | 'officer' | 'admin'

export interface Reading {
  kind: IntentKind
  /** The strict command this message reads as (诉求 …, 进度 SQ-…, 受理 SQ-…), when it reads as one. */
  command?: string
  /** True when the command should be offered with a button rather than run (a guess, or a typo of a command that writes). */
  confirm: boolean
  /** The request's text as the person wrote it (filing readings). */
  text?: string
  /** A request number as written: `SQ-2026-0042`, or a short `42`. */
  number?: string
  action?: OfficerAction
  /** The person a collector files for. */
  who?: string
  urgent?: boolean
  /** A category the words themselves name (建议 → 合理化建议). */
  category?: string
  /** Small talk: greeting | thanks | ok | bye | laugh. */
  topic?: string
  /** A command word mistyped (homophone), as written and as meant. */
  typo?: { written: string; meant: string }
}

export interface ReadOptions {
  role: Role
}
