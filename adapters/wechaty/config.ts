import type { Config } from '../../src/config.js'

/** The Wechaty adapter is on when a puppet is chosen (WECHATY_PUPPET). */
export const wechatyEnabled = (config: Config): boolean => Boolean(config.WECHATY_PUPPET)
