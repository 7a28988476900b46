// Before every test file: every query plan answered from the plan cache is compared with the plan
// Prisma compiles for the query as written (src/db/plan-cache.ts); a difference fails the test.
import { checkCachedPlans } from '../src/db/plan-cache.js'

checkCachedPlans()
