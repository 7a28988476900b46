/**
 * The core's typed conversation state: each feature's part under its namespace, checked by its
 * schema, honouring its expiry, and cleared without touching another feature's part — so an intent
 * offer answered in the middle of a survey does not end the survey, and a sender locked out of
 * binding may try again once the hour has passed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { conversationState, personSubject, stateSlot } from '../../src/core/state.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'

let tdb: TestDatabase
beforeAll(async () => {
  tdb = await createTestDatabase()
})
afterAll(async () => {
  await tdb?.drop()
})

const T0 = new Date('2026-03-02T01:00:00Z')
const at = (ms: number) => new Date(T0.getTime() + ms)
const survey = stateSlot('test-survey', z.object({ pollId: z.number(), questionId: z.number() }))
const offer = stateSlot('test-offer', z.object({ token: z.string() }))
const tries = stateSlot('test-tries', z.array(z.number()))
const key = { platform: 'feishu' as const, subject: personSubject(7) }

describe('conversation state', () => {
  it('keeps each namespace apart: clearing one leaves the other; clearing the last leaves no row', async () => {
    await tdb.db.$transaction(async (tx) => {
      await conversationState.set(tx, survey, key, { pollId: 3, questionId: 9 }, null, T0)
      await conversationState.set(tx, offer, key, { token: 'ab12' }, at(30 * 60_000), T0)
      expect(await conversationState.get(tx, offer, key, T0)).toEqual({ token: 'ab12' })
      await conversationState.clear(tx, offer, key, T0)
      expect(await conversationState.get(tx, offer, key, T0)).toBeNull()
      expect(await conversationState.get(tx, survey, key, T0)).toEqual({ pollId: 3, questionId: 9 })
      // The same subject on another platform is another conversation.
      expect(await conversationState.get(tx, survey, { ...key, platform: 'wecom' }, T0)).toBeNull()
      await conversationState.clear(tx, survey, key, T0)
    })
    expect(await tdb.db.conversation.count()).toBe(0)
  })

  it('honours the expiry: absent once it has passed, dropped at the next write', async () => {
    await tdb.db.$transaction(async (tx) => {
      await conversationState.set(tx, tries, key, [1, 2, 3], at(60 * 60_000), T0)
      expect(await conversationState.get(tx, tries, key, at(59 * 60_000))).toEqual([1, 2, 3])
      expect(await conversationState.get(tx, tries, key, at(60 * 60_000))).toBeNull()
      await conversationState.set(tx, survey, key, { pollId: 1, questionId: 1 }, null, at(61 * 60_000))
    })
    const row = await tdb.db.conversation.findFirstOrThrow()
    expect(Object.keys(JSON.parse(row.state))).toEqual(['test-survey'])
    await tdb.db.conversation.deleteMany()
  })

  it('reads a value that does not match its schema as absent, and refuses to write one', async () => {
    await tdb.db.conversation.create({
      data: {
        platform: key.platform,
        subject: key.subject,
        state: JSON.stringify({ 'test-survey': { value: { pollId: 'x' }, expiresAt: null }, 'test-offer': { token: 'old' } }),
      },
    })
    await tdb.db.$transaction(async (tx) => {
      expect(await conversationState.get(tx, survey, key, T0)).toBeNull()
      // Written before the store (the bare value, no expiry): still read.
      expect(await conversationState.get(tx, offer, key, T0)).toEqual({ token: 'old' })
      await expect(conversationState.set(tx, survey, key, { pollId: 'x' } as never, null, T0)).rejects.toThrow()
    })
    await tdb.db.conversation.deleteMany()
  })

  it('a namespace is declared once', () => {
    expect(() => stateSlot('test-offer', z.string())).toThrow(/declared twice/)
  })
})
