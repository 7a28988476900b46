import type { Directory, SenderId } from '../../src/core/types.js'

/** What batch_get_id answers, as far as the directory reads it. */
interface BatchGetIdAnswer {
  data?: { user_list?: { user_id?: string; mobile?: string }[] }
}

/**
 * Feishu's directory: roster mobiles → open_ids (POST /open-apis/contact/v3/users/batch_get_id,
 * 50 a call; permission contact:user.id:readonly, and the people in the app's data range).
 */
export function feishuDirectory(batchGetId: (mobiles: string[]) => Promise<BatchGetIdAnswer>): Directory {
  return {
    batchSize: 50,
    onUnknownSender: true,
    findByMobiles: async (mobiles) => {
      const res = await batchGetId(mobiles)
      const found = new Map<string, SenderId[]>()
      const digits = (m: string) => m.replace(/\D/g, '').replace(/^86(?=\d{11}$)/, '')
      for (const u of res.data?.user_list ?? []) {
        const asked = u.user_id && u.mobile ? mobiles.find((m) => digits(m) === digits(u.mobile!)) : undefined
        if (asked) found.set(asked, [{ kind: 'open_id', id: u.user_id! }])
      }
      return found
    },
  }
}
