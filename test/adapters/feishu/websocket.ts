import crypto from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

/**
 * A minimal RFC 6455 server side for the fake's long connection: the handshake, unmasking client
 * frames, binary messages out, ping/pong and close. Enough for the SDK's `ws` client.
 */
export class ServerSocket {
  private buffer = Buffer.alloc(0)
  private fragments: Buffer[] = []
  closed = false

  constructor(
    private readonly socket: Duplex,
    private readonly onMessage: (data: Buffer) => void,
    private readonly onClose: () => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk])
      this.drain()
    })
    const closed = () => {
      if (this.closed) return
      this.closed = true
      this.onClose()
    }
    socket.on('close', closed)
    socket.on('error', closed)
  }

  /** Completes the handshake of an upgrade request; returns null (and refuses) if it is not a WebSocket one. */
  static accept(req: IncomingMessage, socket: Duplex, onMessage: (data: Buffer) => void, onClose: () => void): ServerSocket | null {
    const key = req.headers['sec-websocket-key']
    if (typeof key !== 'string' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')
      return null
    }
    const accept = crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
    return new ServerSocket(socket, onMessage, onClose)
  }

  private drain(): void {
    for (;;) {
      const b = this.buffer
      if (b.length < 2) return
      const fin = (b[0]! & 0x80) !== 0
      const opcode = b[0]! & 0x0f
      const masked = (b[1]! & 0x80) !== 0
      let len = b[1]! & 0x7f
      let offset = 2
      if (len === 126) {
        if (b.length < 4) return
        len = b.readUInt16BE(2)
        offset = 4
      } else if (len === 127) {
        if (b.length < 10) return
        len = Number(b.readBigUInt64BE(2))
        offset = 10
      }
      const maskLen = masked ? 4 : 0
      if (b.length < offset + maskLen + len) return
      const mask = masked ? b.subarray(offset, offset + 4) : null
      const payload = Buffer.from(b.subarray(offset + maskLen, offset + maskLen + len))
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!
      this.buffer = b.subarray(offset + maskLen + len)
      if (opcode === 0x8) {
        this.writeFrame(0x8, Buffer.alloc(0))
        this.socket.end()
        return
      }
      if (opcode === 0x9) this.writeFrame(0xa, payload)
      else if (opcode === 0x0 || opcode === 0x1 || opcode === 0x2) {
        this.fragments.push(payload)
        if (fin) {
          const data = Buffer.concat(this.fragments)
          this.fragments = []
          this.onMessage(data)
        }
      }
    }
  }

  private writeFrame(opcode: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return
    let head: Buffer
    if (payload.length < 126) head = Buffer.from([0x80 | opcode, payload.length])
    else if (payload.length < 65536) {
      head = Buffer.alloc(4)
      head[0] = 0x80 | opcode
      head[1] = 126
      head.writeUInt16BE(payload.length, 2)
    } else {
      head = Buffer.alloc(10)
      head[0] = 0x80 | opcode
      head[1] = 127
      head.writeBigUInt64BE(BigInt(payload.length), 2)
    }
    this.socket.write(Buffer.concat([head, payload]))
  }

  send(data: Buffer): void {
    this.writeFrame(0x2, data)
  }

  /** Drops the TCP connection without a closing handshake (a network failure). */
  destroy(): void {
    this.socket.destroy()
  }
}
