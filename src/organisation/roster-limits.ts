/**
 * What a roster file may be before it is parsed (docs/operations.md, "Limits"). An .xlsx is a zip:
 * its central directory says how large every entry unpacks to, so a small file that would unpack
 * to hundreds of megabytes (a "zip bomb") is refused before anything is decompressed. A CSV is
 * refused by its size and its number of lines before it is parsed.
 */
import { zhCN } from '../messages/zh-CN.js'

/** Rows in one import (a roster of a whole enterprise is split by workshop beyond this). */
export const MAX_ROSTER_ROWS = 20_000
/** Bytes of a CSV file, and of an .xlsx once unpacked (all entries together). */
export const MAX_ROSTER_BYTES = 16 * 1024 * 1024
/** Unpacked ÷ packed size beyond which an entry larger than 1 MB is taken for a zip bomb (real sheets: 5–30). */
export const MAX_COMPRESSION_RATIO = 100
/** Entries in an .xlsx (a workbook has a few dozen). */
const MAX_ZIP_ENTRIES = 1000

export interface RosterTooLarge {
  status: 413 | 422
  message: string
}

const MB = 1024 * 1024

/** Why a roster file is refused unparsed, or null when it may be parsed. Never decompresses anything. */
export function rosterTooLarge(data: Buffer, format: 'csv' | 'xlsx', t = zhCN): RosterTooLarge | null {
  if (format === 'csv') {
    if (data.length > MAX_ROSTER_BYTES) return { status: 413, message: t.limits.importTooLarge(MAX_ROSTER_BYTES / MB) }
    let lines = 0
    for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1))
      if (++lines > MAX_ROSTER_ROWS + 1) return { status: 413, message: t.limits.importTooManyRows(MAX_ROSTER_ROWS) }
    return null
  }
  const entries = zipEntries(data)
  // Not a zip the check can read: exceljs will say it cannot read it either (422 as before).
  if (entries === null) return null
  if (entries === 'too_many' || entries.some((e) => e.zip64)) return { status: 422, message: t.limits.importSuspicious }
  let total = 0
  for (const e of entries) {
    total += e.unpacked
    if (e.unpacked > MB && e.unpacked > MAX_COMPRESSION_RATIO * Math.max(1, e.packed)) return { status: 422, message: t.limits.importSuspicious }
  }
  if (total > MAX_ROSTER_BYTES) return { status: 413, message: t.limits.importTooLarge(MAX_ROSTER_BYTES / MB) }
  return null
}

interface ZipEntry {
  packed: number
  unpacked: number
  zip64: boolean
}

/** The entries a zip's central directory lists, or null when there is no readable central directory. */
function zipEntries(data: Buffer): ZipEntry[] | 'too_many' | null {
  // The end-of-central-directory record: in the last 22 + 65,535 (comment) bytes.
  let end = -1
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
    if (data.readUInt32LE(i) === 0x06054b50) {
      end = i
      break
    }
  }
  if (end < 0) return null
  const count = data.readUInt16LE(end + 10)
  const size = data.readUInt32LE(end + 12)
  const offset = data.readUInt32LE(end + 16)
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) return [{ packed: 0, unpacked: 0, zip64: true }]
  if (count > MAX_ZIP_ENTRIES) return 'too_many'
  const entries: ZipEntry[] = []
  let at = offset
  for (let n = 0; n < count; n++) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== 0x02014b50) return null
    const packed = data.readUInt32LE(at + 20)
    const unpacked = data.readUInt32LE(at + 24)
    entries.push({ packed, unpacked, zip64: packed === 0xffffffff || unpacked === 0xffffffff })
    at += 46 + data.readUInt16LE(at + 28) + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32)
  }
  return entries
}
