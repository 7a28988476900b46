import type { FastifyInstance } from 'fastify'
import { PermanentSendError, type Delivery, type Directory, type MediaSource, type SenderId, type SendLimits, type SendResult } from '../../src/core/types.js'
import type { AdapterDeps, AdapterFactory, PlatformAdapter } from '../index.js'
import { WecomHttp } from './api.js'
import { AppChannel } from './app-channel.js'
import { BotChannel } from './bot-channel.js'
import { isBotEvent } from './bot-payload.js'
import { wecomMedia } from './media.js'
import { maskKey, RobotChannel, robotRoutes, ROBOT_PREFIX } from './robots.js'
import type { AdminRouteKit } from '../../src/core/adapter-ports.js'
import { readWecomSettings, wecomEnabled, type WecomSettings } from './settings.js'

export { bindRobot, listRobots, robotKeyFrom, unbindRobot } from './robots.js'
export { readWecomSettings, wecomEnabled } from './settings.js'

export interface WecomAdapterOptions {
  /**
   * Length of WeCom's one-minute windows (20 messages a minute per robot, 30 per person from an
   * app): 60 000. Tests shorten it, together with the fake platform's, to see the limit hold and
   * the held messages go out within seconds. Never set in production.
   */
  minuteMs?: number
  /** message/send's duplicate_check_interval in seconds (default 120). */
  duplicateCheckSeconds?: number
  /** How often the intelligent bot's long connection checks it is on the sending instance (default 2 s). */
  connectionCheckMs?: number
  /** HTTP timeout for WeCom's API (default 10 s). */
  timeoutMs?: number
}

/**
 * WeCom (企业微信) as one platform, "wecom", with three channels that share WeCom's userids:
 *
 * - the self-built app: private conversations, and private notices to people by userid;
 * - the intelligent bot: group chats (by chatid), by long connection or callback (and answers to
 *   anyone who writes to it privately);
 * - group robots: send-only webhooks, for groups bound to a robot (chat id "robot:<key>").
 *
 * One adapter because the outbox and the core know one adapter per platform, and a person bound
 * once (userid) is the same person in the app and in groups.
 */
export class WecomAdapter implements PlatformAdapter {
  readonly platform = 'wecom' as const
  readonly limits: SendLimits
  readonly app: AppChannel | null
  readonly bot: BotChannel | null
  readonly robots: RobotChannel
  /**
   * WeCom's directory through the self-built app: a roster mobile → userid (POST
   * /cgi-bin/user/getuserid, one mobile a call; the app must see the member). Asked at roster
   * import only: WeCom blocks the call for a day when too many mobiles miss.
   */
  readonly directory?: Directory
  /** Photos and files people send (media.ts). */
  readonly media: MediaSource

  constructor(
    readonly settings: WecomSettings,
    private readonly deps: AdapterDeps,
    options: WecomAdapterOptions = {},
  ) {
    const minute = options.minuteMs ?? 60_000
    // Per target: 20 a minute (a robot's limit, and under the app's 30 a minute to one person,
    // beyond which WeCom silently drops messages), 1000 an hour (the app's hourly cap per person).
    this.limits = {
      perTarget: [
        { count: 20, perMs: minute },
        { count: 1000, perMs: 60 * minute },
      ],
    }
    const http = new WecomHttp(options.timeoutMs ?? 10_000)
    const apiBase = settings.apiBase
    this.app = settings.app
      ? new AppChannel(settings.app, {
          core: deps.core,
          log: deps.log,
          clock: deps.clock,
          http,
          apiBase,
          duplicateCheckSeconds: options.duplicateCheckSeconds ?? 120,
        })
      : null
    this.bot = settings.bot
      ? new BotChannel(settings.bot, {
          core: deps.core,
          ports: deps.ports,
          log: deps.log,
          clock: deps.clock,
          http,
          apiBase,
          connectionCheckMs: options.connectionCheckMs ?? 2_000,
        })
      : null
    this.robots = new RobotChannel(http, apiBase)
    this.media = wecomMedia({ app: this.app, bot: this.bot })
    const app = this.app
    if (app) {
      this.directory = {
        batchSize: 1,
        onUnknownSender: false,
        findByMobiles: async (mobiles) => {
          const found = new Map<string, SenderId[]>()
          for (const mobile of mobiles) {
            const userid = await app.userIdOfMobile(mobile)
            if (userid) found.set(mobile, [{ kind: 'userid', id: userid }])
          }
          return found
        },
      }
    }
  }

  routes(app: FastifyInstance): void {
    // WeCom posts its XML as text/xml (some proxies drop the type): read any other body as text here.
    app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body))
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body))
    this.app?.routes(app)
    this.bot?.routes(app)
  }

  /** Administrators' routes for group robots, inside the admin API's authenticated scope. */
  adminRoutes(scope: FastifyInstance, kit: AdminRouteKit): void {
    robotRoutes(scope, this.deps.ports.records('wecom'), kit)
  }

  async send(d: Delivery): Promise<SendResult> {
    if (d.targetKind === 'chat') {
      if (d.target.startsWith(ROBOT_PREFIX)) return this.robots.send(d.target.slice(ROBOT_PREFIX.length), d)
      if (!this.bot) throw new PermanentSendError('WeCom: no intelligent bot configured (WECOM_BOT_ID) to post in group chats')
      return this.bot.send(d, 'chat')
    }
    if (this.bot && (!this.app || (await this.answersBotPrivateChat(d)))) return this.bot.send(d, 'user')
    if (this.app) return this.app.send(d)
    throw new PermanentSendError('WeCom: no app configured to reach people privately')
  }

  /**
   * True for a reply to someone who wrote to the intelligent bot privately: it goes back into that
   * chat, not into the app's. Everything else for a person (notices, replies to group messages)
   * goes through the app.
   */
  private async answersBotPrivateChat(d: Delivery): Promise<boolean> {
    const cause = await this.deps.ports.causeOf(d.key)
    return !!cause && isBotEvent(cause.eventId) && cause.privateChatWith(d.target)
  }

  /** A group robot's chat id carries its webhook key, which is enough to post as it: shown masked. */
  shownChatId(externalId: string): string {
    return externalId.startsWith(ROBOT_PREFIX) ? `${ROBOT_PREFIX}${maskKey(externalId.slice(ROBOT_PREFIX.length))}` : externalId
  }

  status(): { connected: boolean; detail?: string } {
    const bot = this.bot?.status()
    const parts = [this.app ? 'app' : null, bot?.detail ?? null, 'robots'].filter(Boolean)
    return { connected: bot ? bot.connected : true, detail: parts.join('; ') }
  }

  async start(): Promise<void> {
    this.bot?.start()
  }

  async stop(): Promise<void> {
    await this.bot?.stop()
  }
}

/** The WeCom factory with options (tests); production uses `wecomAppAdapterFactory`. */
export function createWecomAdapterFactory(options: WecomAdapterOptions = {}): AdapterFactory {
  return {
    platform: 'wecom',
    enabled: wecomEnabled,
    create(deps) {
      return new WecomAdapter(readWecomSettings(deps.config), deps, options)
    },
  }
}

/**
 * WeCom, platform "wecom": on when WECOM_CORP_ID and WECOM_SECRET (the self-built app) or
 * WECOM_BOT_ID (the intelligent bot) are set; `create` checks the rest and throws ConfigError
 * naming the first missing variable. It carries the app, the intelligent bot and group robots.
 */
export const wecomAppAdapterFactory: AdapterFactory = createWecomAdapterFactory()
/** The same factory under a platform-level name. */
export const wecomAdapterFactory = wecomAppAdapterFactory
