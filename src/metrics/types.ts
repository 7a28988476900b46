/** The counting interface the core's parts report to; free of prom-client, so the core stays light. */

/**
 * What the service counts, as the parts that do the work report it. ChatCore, the Outbox and the
 * Scheduler take one of these (default: `noMetrics`) and never see prom-client.
 */
export interface Metrics {
  /** A new inbound event was stored (a redelivery is not counted). */
  eventAccepted(platform: string): void
  /** An event was handled and its replies written, in `seconds`. */
  eventHandled(platform: string, seconds: number): void
  /** Handling an event failed (it is retried, or given up after the last attempt). */
  eventFailed(platform: string): void
  /** A platform accepted a message. */
  sent(platform: string): void
  /** A send failed and will be retried. */
  sendFailed(platform: string): void
  /** The platform said "too many"; the message waits. */
  throttled(platform: string): void
  /** A message went to the dead letters. */
  deadLetter(platform: string): void
  /** A scheduled slot was asked for; `won`: this instance runs it. */
  schedulerTick(job: string, won: boolean): void
  /** A job ran (scheduled or by hand); `ok` false when it threw. */
  schedulerRun(job: string, ok: boolean): void
  /** An error was caught in `component`; counted when it came from the database. */
  error(component: string, err: unknown): void
}

const ignore = () => {}
export const noMetrics: Metrics = {
  eventAccepted: ignore,
  eventHandled: ignore,
  eventFailed: ignore,
  sent: ignore,
  sendFailed: ignore,
  throttled: ignore,
  deadLetter: ignore,
  schedulerTick: ignore,
  schedulerRun: ignore,
  error: ignore,
}
