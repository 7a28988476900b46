/**
 * The neutral shapes the core works in. Adapters translate each platform to and from these and
 * nothing else; the core never sees a platform payload.
 */

/**
 * The platforms the core can talk through, the one list of them: the real platforms first (people
 * are reached privately on these first, in this order), `web` (the playground) last.
 */
export const PLATFORMS = ['feishu', 'wecom', 'wechaty', 'web'] as const
/** A platform the core can talk through. `web` is the playground. */
export type Platform = (typeof PLATFORMS)[number]
/** The real chat platforms: every platform but the playground. */
export const CHAT_PLATFORMS = PLATFORMS.filter((p): p is Exclude<Platform, 'web'> => p !== 'web')

/** How a sender is known on their platform; `kind` names the id (open_id, union_id, userid, employeeNo…). */
export interface SenderId {
  kind: string
  id: string
}

export interface InboundMention {
  /** Display text of the mention as it appeared, e.g. "张三". */
  name: string
  /** Platform ids of the mentioned person, when the platform gives them. */
  ids: SenderId[]
  /** True when the mention is the bot itself. */
  isBot?: boolean
}

/** One message (or card button press) received from a platform. */
export interface InboundMessage {
  platform: Platform
  /** The platform's id for this event; with `platform`, the deduplication key. */
  eventId: string
  /** The chat it came from: a group chat's platform id, or null for a private chat with the bot. */
  chatId: string | null
  /** Display name of the group chat, when known (used when a group is first seen). */
  chatName?: string
  sender: { ids: SenderId[]; name?: string }
  /** Message text with mentions of the bot removed and other mentions kept as `@name`. */
  text: string
  mentions: InboundMention[]
  /** True when the bot was mentioned (in a group, the bot answers then or when a command word leads). */
  mentionsBot: boolean
  /** A card button press: the command the button carries. */
  action?: CardAction
  /** When the platform says it was sent (ISO 8601). */
  sentAt?: string
  /**
   * The platform's id of this message when answers in its chat should go as replies to it (a
   * Feishu topic group's thread); absent where answers simply go to the chat.
   */
  replyTo?: string
  /**
   * The platform's id of the message this one quotes or replies to (Feishu parent_id, WeCom and
   * Wechaty quotes), when the platform says. A reply quoting the bot's message about a request is
   * threaded to that request (QuoteHook).
   */
  quotes?: string
  /** Not a message but a happening (see LifecycleEvent); `bot_added`: the bot was added to the group `chatId`. */
  event?: 'bot_added' | LifecycleEvent
  /** For `message_recalled`: the platform's id of the recalled message (the eventId it arrived under). */
  about?: string
  /** Photos and files sent with the message (or as it): the core fetches them through the adapter's MediaSource. */
  attachments?: InboundAttachment[]
}

/** A photo or file as a platform announces it: what is known before the bytes are fetched. */
export interface InboundAttachment {
  kind: 'image' | 'file'
  /** The file's name, when the platform gives one. */
  name?: string
  /** The type the platform declares, when it does (the core trusts only the bytes). */
  mime?: string
  /** Bytes, when the platform says beforehand. */
  size?: number
  /** The platform's reference to the bytes (a file key, a media id, an encrypted URL…): only the adapter reads it. */
  ref: string
}

/** The bytes of an attachment, as the adapter fetched them. */
export interface FetchedMedia {
  bytes: Buffer
  mime?: string
  name?: string
}

/** The media was larger than the service takes: thrown by a MediaSource that stops reading past the limit. */
export class MediaTooLargeError extends Error {
  override name = 'MediaTooLargeError'
}

/** The one narrow port through which the core gets an attachment's bytes: the adapter knows the platform's API. */
export interface MediaSource {
  /** Fetches one attachment of `msg`; throws MediaTooLargeError past `maxBytes` (without reading much further). */
  fetch(msg: InboundMessage, attachment: InboundAttachment, maxBytes: number): Promise<FetchedMedia>
}

/**
 * Happenings on a platform the core keeps up with (src/organisation/lifecycle.ts):
 * `bot_removed` / `chat_disbanded` — the group `chatId` is gone for the bot: it is unbound;
 * `person_left` — the person with `sender.ids` left the company: their binding on the platform ends;
 * `message_recalled` — the message `about` was recalled: a request it filed records it.
 */
export type LifecycleEvent = 'bot_removed' | 'chat_disbanded' | 'person_left' | 'message_recalled'

/** A card button carries a command, exactly as a person could type it (e.g. "受理 SQ-2026-0042"). */
export interface CardAction {
  command: string
}

export interface CardButton {
  label: string
  action: CardAction
  /** primary | danger | default */
  style?: 'primary' | 'danger' | 'default'
}

/** A card: rendered natively where the platform has cards, as numbered text choices elsewhere. */
export interface Card {
  title: string
  /** Short text under the title. */
  body?: string
  fields?: { label: string; value: string }[]
  buttons?: CardButton[]
  /** Colour hint: blue for information, orange for attention, red for urgent, green for done. */
  tone?: 'info' | 'attention' | 'urgent' | 'done'
}

/** Where an outbound message goes. A person is reached privately on a platform where they have an identity. */
export type Recipient =
  /** `replyTo`: the platform's id of the message this answers (see InboundMessage.replyTo). */
  | { kind: 'chat'; platform: Platform; chatId: string; replyTo?: string }
  | { kind: 'person'; personId: number }
  /** A platform user by their own id, e.g. the sender of a private message who is not bound yet. */
  | { kind: 'user'; platform: Platform; userId: string }

/** One message the core wants sent. */
export interface OutboundMessage {
  to: Recipient
  text: string
  /** People mentioned in a group message; adapters that can mention render them natively. */
  mentions?: { personId: number; name: string }[]
  card?: Card
  /** Urgent messages are never held back (quiet hours do not apply). */
  urgent?: boolean
  /** A notice rather than a direct answer: held during quiet hours unless urgent. */
  notice?: boolean
  /** For a person: where to post instead when no platform reaches them privately (e.g. their team group). */
  fallback?: Recipient
  /** What to say there instead (a group is a public place: a neutral hint, no card), when not the same text. */
  fallbackText?: string
}

/** An outbound message resolved to a platform and target, as the outbox stores and adapters send it. */
export interface Delivery {
  /** Idempotency key: one logical message, one key, one delivery. */
  key: string
  platform: Platform
  targetKind: 'chat' | 'user'
  /** The platform's chat id or user id. */
  target: string
  text: string
  /** Mentions resolved to the platform's user ids where known. */
  mentions?: { name: string; userId?: string }[]
  card?: Card
  /** For a chat: the platform's id of the message this answers, to be sent as a reply to it (in its thread). */
  replyTo?: string
  /** Hold until then (quiet hours). */
  notBefore?: Date
}

/** A platform's published sending limits, honoured by the outbox before the platform has to refuse. */
export interface SendLimits {
  /** Per chat or per user. */
  perTarget?: { count: number; perMs: number }[]
  /** Per application / account, across all targets. */
  perPlatform?: { count: number; perMs: number }[]
}

/** What an adapter gives the outbox. */
export interface SendResult {
  platformMessageId?: string
}

/** An adapter's `send` throws this when the platform said "too many", so the target backs off without losing the message. */
export class ThrottledError extends Error {
  override name = 'ThrottledError'
  constructor(
    message: string,
    readonly retryAfterMs = 1000,
  ) {
    super(message)
  }
}

/** An adapter's `send` throws this when retrying can never succeed (e.g. the chat no longer exists). */
export class PermanentSendError extends Error {
  override name = 'PermanentSendError'
}

/**
 * A platform's own directory, where it has one: who a mobile number belongs to on the platform.
 * The core binds a roster person whose 手机 the directory knows (vouched by the directory).
 */
export interface Directory {
  /** At most `batchSize` mobiles per call; answers the platform ids of each mobile it knows (absent: unknown). */
  findByMobiles(mobiles: string[]): Promise<Map<string, SenderId[]>>
  /** How many mobiles one call takes (Feishu: 50; WeCom: 1). */
  batchSize: number
  /**
   * Whether an unknown sender's message may prompt a lookup (throttled). False where asking about
   * unknown mobiles is penalised (WeCom blocks getuserid for a day after too many misses): then
   * the directory is asked at roster import only.
   */
  onUnknownSender: boolean
}

export interface Adapter {
  platform: Platform
  limits: SendLimits
  /** The platform's directory, when configured and permitted (see the adapter's README). */
  directory?: Directory
  /** Where photos and files people send are fetched from, when the adapter receives any. */
  media?: MediaSource
  send(delivery: Delivery): Promise<SendResult>
  /** Connection state for /readyz. */
  status(): { connected: boolean; detail?: string }
  /**
   * A chat's platform id as people may see it (API, dashboard). A platform whose chat id is itself
   * a credential (a group robot's webhook key) masks it; without this the id is shown as stored.
   */
  shownChatId?(externalId: string): string
  start?(): Promise<void>
  stop?(): Promise<void>
}
