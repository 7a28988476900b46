/**
 * The long connection's wire format, written from the SDK's protobuf definition (pbbp2.Frame) so the
 * fake server speaks it without the SDK's code:
 *   Frame { 1 SeqID uint64, 2 LogID uint64, 3 service int32, 4 method int32 (0 control, 1 data),
 *           5 headers repeated Header { 1 key string, 2 value string }, 6 payloadEncoding string,
 *           7 payloadType string, 8 payload bytes, 9 LogIDNew string }
 * SeqID, LogID, service and method are required.
 */
export interface Frame {
  SeqID: number
  LogID: number
  service: number
  method: number
  headers: { key: string; value: string }[]
  payload?: Buffer
}

function varint(n: number): Buffer {
  const out: number[] = []
  let v = n
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return Buffer.from(out)
}

const key = (field: number, wire: number) => varint(field * 8 + wire)
const bytesField = (field: number, b: Buffer) => Buffer.concat([key(field, 2), varint(b.length), b])

export function encodeFrame(f: Frame): Buffer {
  const parts = [key(1, 0), varint(f.SeqID), key(2, 0), varint(f.LogID), key(3, 0), varint(f.service), key(4, 0), varint(f.method)]
  for (const h of f.headers) parts.push(bytesField(5, Buffer.concat([bytesField(1, Buffer.from(h.key)), bytesField(2, Buffer.from(h.value))])))
  if (f.payload) parts.push(bytesField(8, f.payload))
  return Buffer.concat(parts)
}

class Reader {
  pos = 0
  constructor(readonly buf: Buffer) {}
  varint(): number {
    let result = 0
    let mul = 1
    for (;;) {
      const b = this.buf[this.pos++]
      if (b === undefined) throw new Error('truncated varint')
      result += (b & 0x7f) * mul
      if (b < 0x80) return result
      mul *= 0x80
    }
  }
  bytes(): Buffer {
    const len = this.varint()
    const b = this.buf.subarray(this.pos, this.pos + len)
    this.pos += len
    return b
  }
  skip(wire: number): void {
    if (wire === 0) this.varint()
    else if (wire === 2) this.bytes()
    else if (wire === 1) this.pos += 8
    else if (wire === 5) this.pos += 4
    else throw new Error(`wire type ${wire}`)
  }
}

export function decodeFrame(buf: Buffer): Frame {
  const r = new Reader(buf)
  const f: Frame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [] }
  while (r.pos < buf.length) {
    const tag = r.varint()
    const field = Math.floor(tag / 8)
    const wire = tag % 8
    if (field === 1) f.SeqID = r.varint()
    else if (field === 2) f.LogID = r.varint()
    else if (field === 3) f.service = r.varint()
    else if (field === 4) f.method = r.varint()
    else if (field === 5) {
      const h = new Reader(r.bytes())
      const header = { key: '', value: '' }
      while (h.pos < h.buf.length) {
        const t = h.varint()
        if (Math.floor(t / 8) === 1) header.key = h.bytes().toString('utf8')
        else if (Math.floor(t / 8) === 2) header.value = h.bytes().toString('utf8')
        else h.skip.call(h, t % 8) // protobuf Reader.skip: step over an unknown field
      }
      f.headers.push(header)
    } else if (field === 8) f.payload = Buffer.from(r.bytes())
    else r.skip.call(r, wire) // protobuf Reader.skip: step over an unknown field
  }
  return f
}

export const headerOf = (f: Frame, k: string) => f.headers.find((h) => h.key === k)?.value
