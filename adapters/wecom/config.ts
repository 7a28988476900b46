import { z } from 'zod'

/**
 * The WeCom adapter's slice of the environment (src/config.ts merges it into the one schema, so
 * loadConfig validates it and names a bad variable); settings.ts checks how the variables go together.
 * The self-built app is on when WECOM_CORP_ID and WECOM_SECRET are set.
 */
export const wecomEnv = {
  WECOM_CORP_ID: z.string().optional(),
  WECOM_AGENT_ID: z.coerce.number().int().positive().optional(),
  WECOM_SECRET: z.string().optional(),
  WECOM_TOKEN: z.string().optional(),
  WECOM_ENCODING_AES_KEY: z.string().optional(),
  WECOM_API_BASE: z.url({ message: 'a URL such as https://qyapi.weixin.qq.com' }).default('https://qyapi.weixin.qq.com'),
  // WeCom intelligent bot (智能机器人) for group chats: on when WECOM_BOT_ID is set.
  WECOM_BOT_ID: z.string().optional(),
  WECOM_BOT_SECRET: z.string().optional(),
  WECOM_BOT_MODE: z.enum(['ws', 'callback']).default('ws'),
  WECOM_BOT_TOKEN: z.string().optional(),
  WECOM_BOT_ENCODING_AES_KEY: z.string().optional(),
  WECOM_BOT_WS_URL: z.string().optional(),
}
