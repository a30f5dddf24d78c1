#!/usr/bin/env node
// A js-libp2p 3.x node speaking the Lotus direct-message protocol /lotus/message/1.0.0 exactly like the reference
// coordinator (lib/coordinator.ts), for MessageInteropTest.
//
// Stack: tcp + @chainsafe/libp2p-noise + @libp2p/yamux + identify + ping, listening on /ip4/127.0.0.1/tcp/0.
// Receiving (like the reference): read the stream to EOF, abort (reset) once more than 100000 bytes arrived, ignore an
// empty stream, JSON.parse the UTF-8 text, never write anything back. Each outcome is printed as a JSON line:
//   {"event":"message","peer":<remote peer id>,"bytes":N,"message":<the parsed message>,"raw":<the text>}
//   {"event":"message:oversized","peer":..,"bytes":N}   {"event":"message:empty","peer":..}
//   {"event":"message:parse-error","peer":..,"error":..}  {"event":"message:stream-error","peer":..,"error":..}
// Sending (like the reference's sendTo): dialProtocol, one stream.send(bytes), close().
// stdout: JSON lines; first {"event":"started","peerId":..,"addrs":[..]}.
// stdin: commands {"id":N,"cmd":...}, answered with {"event":"result","id":N,"ok":true,"result":..} or
//   {"event":"error","id":N,"ok":false,"error":".."}:
//   send {addr, json?, base64?}  sends one message (the text `json`, or raw bytes) to the multiaddr `addr` (with /p2p/)
//   stall {addr, json, waitMs?}  writes `json` without closing; reports whether the receiver reset the stream
//   stop
// Exits on `stop` or stdin EOF.
import { createInterface } from 'node:readline'
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { multiaddr } from 'multiaddr-13'

const PROTOCOL = '/lotus/message/1.0.0'
const MAX_MESSAGE_SIZE = 100_000

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), ping: ping() }
})

// The reference's inbound handler: accumulate to EOF with a 100000-byte cap, then JSON.parse.
await node.handle(PROTOCOL, async (stream, connection) => {
  const peer = connection.remotePeer.toString()
  const chunks = []
  let total = 0
  try {
    for await (const chunk of stream) {
      const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray()
      total += bytes.byteLength
      if (total > MAX_MESSAGE_SIZE) {
        stream.abort(new Error('Message too large'))
        emit({ event: 'message:oversized', peer, bytes: total })
        return
      }
      chunks.push(bytes)
    }
  } catch (err) {
    emit({ event: 'message:stream-error', peer, error: String(err?.message ?? err) })
    return
  }
  if (total === 0) {
    emit({ event: 'message:empty', peer })
    return
  }
  const text = Buffer.concat(chunks, total).toString('utf8')
  let message
  try {
    message = JSON.parse(text)
  } catch (err) {
    emit({ event: 'message:parse-error', peer, error: String(err?.message ?? err) })
    return
  }
  emit({ event: 'message', peer, bytes: total, message, raw: text })
})

const commands = {
  // The reference's sendTo: one send of the whole UTF-8 JSON, then close (half-close of the write side).
  async send ({ addr, json, base64 }) {
    const bytes = base64 != null ? Buffer.from(base64, 'base64') : Buffer.from(json, 'utf8')
    const stream = await node.dialProtocol(multiaddr(addr), PROTOCOL)
    stream.send(bytes)
    await stream.close()
    return { sent: bytes.byteLength, status: stream.status }
  },

  // Not reference behaviour: a stalling sender that writes `json` but never closes; waits up to `waitMs` for the
  // receiver to reset the stream and reports the stream's status.
  async stall ({ addr, json, waitMs = 5000 }) {
    const stream = await node.dialProtocol(multiaddr(addr), PROTOCOL)
    stream.send(Buffer.from(json, 'utf8'))
    const started = Date.now()
    const closed = new Promise((resolve) => stream.addEventListener('close', resolve, { once: true }))
    let timer
    await Promise.race([closed, new Promise((resolve) => { timer = setTimeout(resolve, waitMs) })])
    clearTimeout(timer)
    const status = stream.status
    if (status !== 'reset' && status !== 'closed' && status !== 'aborted') stream.abort(new Error('stall test over'))
    return { status, waitedMs: Date.now() - started }
  }
}

emit({ event: 'started', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map((ma) => ma.toString()) })

let stopping = null
function stop () {
  stopping ??= node.stop()
    .catch((err) => process.stderr.write(`stop failed: ${err.stack ?? err}\n`))
    .finally(() => { emit({ event: 'stopped' }); process.exit(0) })
  return stopping
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

const inflight = new Set()
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', (line) => {
  if (line.trim() === '') return
  let cmd
  try {
    cmd = JSON.parse(line)
  } catch (err) {
    emit({ event: 'error', ok: false, error: `bad command line: ${err.message}` })
    return
  }
  const { id, cmd: name } = cmd
  if (name === 'stop') {
    emit({ event: 'result', id, ok: true, result: {} })
    stop()
    return
  }
  const fn = commands[name]
  const p = Promise.resolve()
    .then(() => {
      if (fn == null) throw new Error(`unknown command ${name}`)
      return fn(cmd)
    })
    .then(
      (result) => emit({ event: 'result', id, cmd: name, ok: true, result: result ?? {} }),
      (err) => emit({ event: 'error', id, cmd: name, ok: false, error: String(err?.message ?? err), errorName: err?.name ?? null })
    )
    .finally(() => inflight.delete(p))
  inflight.add(p)
})
rl.on('close', () => {
  Promise.allSettled([...inflight]).then(stop)
})
