#!/usr/bin/env node
// A js-libp2p 3.1.0 node speaking the Lotus direct-message protocol /lotus/message/1.0.0 exactly like the reference
// coordinator (lib/coordinator.ts), for MessageInteropTest and the coordinator-level interop tests.
// Messages are built like the reference's createMessage,
// every received message carries its reference computeMessageHash, and the developer guide's Pattern 1
// (request-response) is available on both sides.
//
// Stack: tcp + @chainsafe/libp2p-noise + @libp2p/yamux + identify + ping, listening on /ip4/127.0.0.1/tcp/0.
// Receiving (like the reference): read the stream to EOF, abort (reset) once more than 100000 bytes arrived, ignore an
// empty stream, JSON.parse the UTF-8 text, never write anything back. Each outcome is printed as a JSON line:
//   {"event":"message","peer":<remote peer id>,"bytes":N,"message":<the parsed message>,"raw":<the text>,"hash":<hex>}
//   {"event":"message:oversized","peer":..,"bytes":N}   {"event":"message:empty","peer":..}
//   {"event":"message:parse-error","peer":..,"error":..}  {"event":"message:stream-error","peer":..,"error":..}
// A received {"type":"request","protocol":P,"payload":{"requestId","data"}} for a protocol enabled with `respond` is
// answered (guide's Pattern 1) with {"type":"response","payload":{"requestId","data":{"echo":data,"by":"js"}}}; a
// received "response" completes the matching pending `request` (only from the peer asked).
// Sending (like the reference's sendTo): dialProtocol, one stream.send(bytes), close().
// stdout: JSON lines; first {"event":"started","peerId":..,"addrs":[..]}.
// stdin: commands {"id":N,"cmd":...}, answered with {"event":"result","id":N,"ok":true,"result":..} or
//   {"event":"error","id":N,"ok":false,"error":".."}:
//   send {addr, json?, base64?}  sends one message (the text `json`, or raw bytes) to the multiaddr `addr` (with /p2p/)
//   message {addr|peer, type, payload?, to?, protocol?}  builds a message like createMessage (from = this node) and
//                                sends it; returns {message, json, hash}
//   respond {protocol}           answers requests on `protocol` (echo)
//   request {peer, protocol, data, timeoutMs?}  guide's RequestResponseProtocol.request; returns {data, requestId}
//   stall {addr, json, waitMs?}  writes `json` without closing; reports whether the receiver reset the stream
//   stop
// Exits on `stop` or stdin EOF.
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { multiaddr } from 'multiaddr-13'
import { peerIdFromString } from '@libp2p/peer-id'
import { emit, serveNode } from '../lib/util.mjs'

const PROTOCOL = '/lotus/message/1.0.0'
const MAX_MESSAGE_SIZE = 100_000

const HASH_KEY = 'lotus-lib-p2p-message-hash-key'

/** The reference's computeMessageHash: hex(HMAC-SHA256(key, utf8(type) || utf8(from) || utf8(to ?? '') || utf8(messageId))). */
function computeMessageHash (message) {
  const data = Buffer.concat([
    Buffer.from(String(message.type ?? ''), 'utf8'),
    Buffer.from(String(message.from ?? ''), 'utf8'),
    Buffer.from(String(message.to ?? ''), 'utf8'),
    Buffer.from(String(message.messageId ?? ''), 'utf8')
  ])
  return createHmac('sha256', Buffer.from(HASH_KEY, 'ascii')).update(data).digest('hex')
}

/** The reference's createMessage: {type, from, to?, payload, timestamp, messageId, protocol?} in that order. */
function createMessage (type, payload, from, { to, protocol, messageId } = {}) {
  return {
    type,
    from,
    to,
    payload,
    timestamp: Date.now(),
    messageId: messageId ?? `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`,
    protocol
  }
}

/** The reference's sendTo: one stream per message, one send, then close. `target` is a PeerId or a Multiaddr. */
async function sendMessage (target, message) {
  const bytes = Buffer.from(JSON.stringify(message), 'utf8')
  const stream = await node.dialProtocol(target, PROTOCOL)
  stream.send(bytes)
  await stream.close()
  return bytes.byteLength
}

const responding = new Set()
const pendingRequests = new Map() // requestId -> {peer, resolve, reject, timeout}

function onLotusMessage (message, peer) {
  if (message?.type === 'request' && responding.has(message.protocol)) {
    const { requestId, data } = message.payload ?? {}
    const response = createMessage('response', { requestId, data: { echo: data ?? null, by: 'js' } },
      node.peerId.toString(), { to: peer, protocol: message.protocol })
    sendMessage(peerIdFromString(peer), response).then(
      () => emit({ event: 'responded', peer, requestId }),
      (err) => emit({ event: 'respond:error', peer, requestId, error: String(err?.message ?? err) }))
  } else if (message?.type === 'response') {
    const { requestId, data } = message.payload ?? {}
    const pending = pendingRequests.get(requestId)
    if (pending != null && pending.peer === peer) {
      clearTimeout(pending.timeout)
      pendingRequests.delete(requestId)
      if (message.payload.error != null) pending.reject(new Error(`remote error: ${message.payload.error}`))
      else pending.resolve(data)
    }
  }
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
  emit({ event: 'message', peer, bytes: total, message, raw: text, hash: computeMessageHash(message) })
  onLotusMessage(message, peer)
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

  // Builds a message like the reference's createMessage (from = this node) and sends it like sendTo.
  async message ({ addr, peer, type, payload, to, protocol }) {
    const message = createMessage(type, payload, node.peerId.toString(), { to, protocol })
    await sendMessage(addr != null ? multiaddr(addr) : peerIdFromString(peer), message)
    return { message, json: JSON.stringify(message), hash: computeMessageHash(message) }
  },

  async respond ({ protocol }) {
    responding.add(protocol)
    return { protocol }
  },

  // The developer guide's RequestResponseProtocol.request (Pattern 1), answered by the peer's responder.
  async request ({ peer, protocol, data, timeoutMs = 10000 }) {
    const requestId = randomUUID()
    const done = new Promise((resolve, reject) => {
      const timeout = setTimeout(() => {
        pendingRequests.delete(requestId)
        reject(new Error('Request timeout'))
      }, timeoutMs)
      pendingRequests.set(requestId, { peer, resolve, reject, timeout })
    })
    const message = createMessage('request', { requestId, data }, node.peerId.toString(),
      { to: peer, protocol, messageId: requestId })
    await sendMessage(peerIdFromString(peer), message)
    return { requestId, data: await done }
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

serveNode(node, commands)
