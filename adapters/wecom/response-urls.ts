import type { AdapterState } from '../../src/core/adapter-state.js'

/**
 * response_urls from callback mode, one entry per message in the core's adapter state (key
 * "<chat key>|<event id>"): each may be used once, within an hour. Entries are only added and
 * taken (claiming one is taking it), so instances never race on an update.
 */
const RESPONSE_URL_LIFE_MS = 60 * 60_000

export class ResponseUrls {
  constructor(private readonly state: AdapterState<string>) {}

  async remember(chat: string, eventId: string, url: string): Promise<void> {
    // A redelivery finds it remembered already.
    await this.state.add(`${chat}|${eventId}`, url, RESPONSE_URL_LIFE_MS - 60_000)
  }

  /** Takes the reply's own URL if it has one, else the oldest unused one of the conversation. */
  async claim(chat: string, eventId: string | null): Promise<string | null> {
    await this.state.prune(2 * RESPONSE_URL_LIFE_MS)
    const own = eventId ? `${chat}|${eventId}` : null
    const others = (await this.state.keys(`${chat}|`)).filter((k) => k !== own)
    for (const key of own ? [own, ...others] : others) {
      const url = await this.state.take(key)
      if (url) return url
    }
    return null
  }

  /** Puts back a URL whose use failed before WeCom could have seen it. */
  async putBack(chat: string, eventId: string, url: string): Promise<void> {
    await this.remember(chat, eventId, url)
  }
}
