#!/usr/bin/env node
// A js-libp2p test node for the Java connection interop tests (ConnectionInteropTest).
//
// Stack: tcp + @chainsafe/libp2p-noise + @libp2p/yamux + identify + ping (the connection monitor stays on, as in
// every js-libp2p 3.x node), listening on /ip4/127.0.0.1/tcp/0. It serves:
//   /test/echo/1.0.0   echoes every byte; closes its write side when the remote closes its write side
//   /test/reset/1.0.0  resets (aborts) the stream as soon as it has received some data
//   /perf/1.0.0        only when a perf package (@libp2p/perf or @libp2p/protocol-perf) is installed
//
// stdout: JSON lines. First {"event":"started","peerId":..,"addrs":[..],"protocols":[..],"perf":bool,"versions":{..}},
// then events: peer:connect, peer:disconnect, peer:identify, connection:open, connection:close.
// stdin: one JSON command per line, {"id":N,"cmd":"...",...}; every command is answered once with
//   {"event":"result","id":N,"ok":true,"result":...}   or   {"event":"error","id":N,"ok":false,"error":"...","errorName":"..."}
// (the "event" field follows the interop/js JSON-lines convention read by JsonLinesProcess).
// Commands: dial {addr}, hangup {peer}, ping {peer}, echo {peer, bytes, streams}, halfclose {peer, bytes},
//   reset {peer}, peerInfo {peer}, connections {peer?}, stats, perf {peer, upload, download} (if perf), stop.
// Exits with 0 on `stop` or stdin EOF (after stopping the node). Logs go to stderr: DEBUG=libp2p:* in the
// environment or the argument --debug=libp2p:* (what the Java side passes, -Dlotus.interop.jsDebug=...).
// Everything listens and dials on 127.0.0.1 only.
import { randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { enable as enableLogs } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { multiaddr } from 'multiaddr-13'
import { emit, packageVersions, serveNode } from '../lib/util.mjs'

// --debug=<namespaces> turns on @libp2p/logger output on stderr (like DEBUG=..., e.g. --debug='libp2p:*').
const debugArg = process.argv.slice(2).find((a) => a.startsWith('--debug='))
if (debugArg != null && debugArg.length > '--debug='.length) enableLogs(debugArg.slice('--debug='.length))

const ECHO = '/test/echo/1.0.0'
const RESET = '/test/reset/1.0.0'
const WRITE_CHUNK = 64 * 1024
const STREAM_LIMIT = 512

function describeError (err) {
  if (err == null) return null
  return { name: err.name ?? 'Error', message: String(err.message ?? err), code: err.code }
}

// ---------------------------------------------------------------------------------------------- optional perf
async function loadPerf () {
  for (const pkg of ['@libp2p/perf', '@libp2p/protocol-perf']) {
    try {
      const mod = await import(pkg)
      if (typeof mod.perf === 'function') return { pkg, factory: mod.perf }
    } catch (err) {
      if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err
    }
  }
  return null
}
const perf = await loadPerf()

// ------------------------------------------------------------------------------------------------------ node
const services = { identify: identify(), ping: ping() }
if (perf != null) services.perf = perf.factory()

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services
})

const stats = {
  echo: { streams: 0, completed: 0, bytes: 0, errors: [] },
  reset: { streams: 0, aborted: 0 }
}
const keepLast = (list, item, max = 20) => { list.push(item); if (list.length > max) list.shift() }

/** Reads a stream until the remote closes its write side; resolves with the bytes (iteration throws on reset). */
async function readAll (stream) {
  const chunks = []
  let length = 0
  for await (const chunk of stream) {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray()
    chunks.push(bytes)
    length += bytes.byteLength
  }
  return Buffer.concat(chunks, length)
}

/** Writes bytes in chunks, honouring backpressure. */
async function writeAll (stream, bytes) {
  for (let off = 0; off < bytes.byteLength; off += WRITE_CHUNK) {
    if (!stream.send(bytes.subarray(off, Math.min(off + WRITE_CHUNK, bytes.byteLength)))) {
      await stream.onDrain()
    }
  }
}

await node.handle(ECHO, async (stream, connection) => {
  stats.echo.streams++
  try {
    for await (const chunk of stream) {
      stats.echo.bytes += chunk.byteLength
      if (!stream.send(chunk)) await stream.onDrain()
    }
    await stream.close()
    stats.echo.completed++
  } catch (err) {
    keepLast(stats.echo.errors, { peer: connection.remotePeer.toString(), ...describeError(err), status: stream.status })
    stream.abort(err)
  }
}, { maxInboundStreams: STREAM_LIMIT, maxOutboundStreams: STREAM_LIMIT })

await node.handle(RESET, async (stream) => {
  stats.reset.streams++
  try {
    for await (const chunk of stream) {
      if (chunk.byteLength > 0) break
    }
  } catch {}
  stats.reset.aborted++
  stream.abort(new Error('reset by the js /test/reset/1.0.0 handler'))
}, { maxInboundStreams: STREAM_LIMIT, maxOutboundStreams: STREAM_LIMIT })

// ---------------------------------------------------------------------------------------------------- events
const addrs = () => node.getMultiaddrs().map((ma) => ma.toString())
const connInfo = (c) => ({
  id: c.id,
  peer: c.remotePeer.toString(),
  direction: c.direction,
  remoteAddr: c.remoteAddr.toString(),
  status: c.status,
  multiplexer: c.multiplexer,
  encryption: c.encryption,
  rtt: c.rtt ?? null,
  openedAt: c.timeline?.open,
  streams: c.streams.map((s) => ({ id: s.id, protocol: s.protocol, direction: s.direction, status: s.status }))
})

node.addEventListener('peer:connect', (evt) => emit({ event: 'peer:connect', peer: evt.detail.toString() }))
node.addEventListener('peer:disconnect', (evt) => emit({ event: 'peer:disconnect', peer: evt.detail.toString() }))
node.addEventListener('connection:open', (evt) => emit({ event: 'connection:open', ...connInfo(evt.detail) }))
node.addEventListener('connection:close', (evt) => emit({ event: 'connection:close', ...connInfo(evt.detail) }))
node.addEventListener('peer:identify', (evt) => {
  const r = evt.detail
  emit({
    event: 'peer:identify',
    peer: r.peerId.toString(),
    protocols: r.protocols,
    agentVersion: r.agentVersion ?? null,
    protocolVersion: r.protocolVersion ?? null,
    listenAddrs: r.listenAddrs.map((ma) => ma.toString()),
    observedAddr: r.observedAddr?.toString() ?? null,
    signedPeerRecord: r.signedPeerRecord == null
      ? null
      : { seq: String(r.signedPeerRecord.seqNumber), addrs: r.signedPeerRecord.addresses.map((ma) => ma.toString()) },
    connection: r.connection?.id ?? null
  })
})

// -------------------------------------------------------------------------------------------------- commands
/** The open connection to a peer (dialled if there is none and the peer store knows an address). */
async function connectionTo (peer) {
  const id = peerIdFromString(peer)
  const open = node.getConnections(id).filter((c) => c.status === 'open')
  return open[0] ?? node.dial(id)
}

function withTimeout (promise, ms, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms) })
  ]).finally(() => clearTimeout(timer))
}

/** One echo round trip on a fresh stream: write `size` random bytes, close write, read everything back. */
async function echoOnce (conn, size, index) {
  const started = Date.now()
  const sent = randomBytes(size)
  let stream
  try {
    stream = await conn.newStream(ECHO, { maxOutboundStreams: STREAM_LIMIT })
    const reading = readAll(stream)
    reading.catch(() => {}) // reported below
    await writeAll(stream, sent)
    await stream.close()
    const received = await reading
    const equal = Buffer.compare(sent, received) === 0
    let firstDifference = null
    if (!equal) {
      const n = Math.min(sent.length, received.length)
      firstDifference = n
      for (let i = 0; i < n; i++) if (sent[i] !== received[i]) { firstDifference = i; break }
    }
    return { index, ok: equal, sent: sent.length, received: received.length, firstDifference, status: stream.status, ms: Date.now() - started }
  } catch (err) {
    stream?.abort(err)
    return { index, ok: false, sent: sent.length, error: describeError(err), status: stream?.status ?? null, ms: Date.now() - started }
  }
}

const commands = {
  async dial ({ addr }) {
    const conn = await node.dial(multiaddr(addr))
    return connInfo(conn)
  },

  async hangup ({ peer }) {
    await node.hangUp(peerIdFromString(peer))
    return {}
  },

  async ping ({ peer }) {
    const rtt = await node.services.ping.ping(peerIdFromString(peer))
    return { rtt }
  },

  async echo ({ peer, bytes = 1024, streams = 1 }) {
    const conn = await connectionTo(peer)
    const started = Date.now()
    const results = await Promise.all(Array.from({ length: streams }, (_, i) => echoOnce(conn, bytes, i)))
    const failures = results.filter((r) => !r.ok)
    return {
      ok: failures.length === 0,
      streams,
      bytes,
      connection: conn.id,
      connections: node.getConnections(conn.remotePeer).length,
      failures: failures.slice(0, 20),
      failureCount: failures.length,
      elapsedMs: Date.now() - started
    }
  },

  // Duplex on a live stream, then half-close: write A, read A's echo while still open, write B, close the write
  // side, then the rest of the echo (B) must still arrive, followed by a clean EOF.
  async halfclose ({ peer, bytes = 100_000 }) {
    const conn = await connectionTo(peer)
    const stream = await conn.newStream(ECHO, { maxOutboundStreams: STREAM_LIMIT })
    try {
      const a = randomBytes(1000)
      const b = randomBytes(bytes)
      const chunks = []
      let received = 0
      let gotA
      const aEchoed = new Promise((resolve) => { gotA = resolve })
      let remoteClosedWriteAt = null
      stream.addEventListener('remoteCloseWrite', () => { remoteClosedWriteAt = Date.now() })
      const reading = (async () => {
        for await (const chunk of stream) {
          const c = chunk instanceof Uint8Array ? chunk : chunk.subarray()
          chunks.push(c)
          received += c.byteLength
          if (received >= a.length) gotA()
        }
      })()
      reading.catch(() => {})
      stream.send(a)
      await withTimeout(Promise.race([aEchoed, reading]), 10_000, 'echo of the first part before half-close')
      const echoedBeforeClose = received
      await writeAll(stream, b)
      const closedWriteAt = Date.now()
      await stream.close()
      const writeStatusAfterClose = stream.writeStatus
      await withTimeout(reading, 10_000, 'rest of the echo after half-close')
      const all = Buffer.concat(chunks)
      const expected = Buffer.concat([a, b])
      // both sides closed their write side: the stream must end as 'closed', not reset/aborted
      await new Promise((resolve) => setTimeout(resolve, 50))
      return {
        echoedBeforeClose,
        sent: expected.length,
        received: all.length,
        equal: Buffer.compare(all, expected) === 0,
        eof: true,
        remoteClosedWrite: remoteClosedWriteAt != null,
        remoteClosedWriteAfterLocal: remoteClosedWriteAt != null && remoteClosedWriteAt >= closedWriteAt,
        writeStatusAfterClose,
        status: stream.status,
        readStatus: stream.readStatus,
        writeStatus: stream.writeStatus,
        remoteWriteStatus: stream.remoteWriteStatus
      }
    } catch (err) {
      stream.abort(err)
      throw err
    }
  },

  // Opens /test/reset/1.0.0 on the remote (it resets after receiving data) and reports what js saw.
  async reset ({ peer }) {
    const conn = await connectionTo(peer)
    const stream = await conn.newStream(RESET, { maxOutboundStreams: STREAM_LIMIT })
    const closeEvent = new Promise((resolve) => stream.addEventListener('close', (evt) => resolve(evt), { once: true }))
    let iterationError = null
    let receivedBytes = 0
    const reading = (async () => {
      try {
        for await (const chunk of stream) receivedBytes += chunk.byteLength
      } catch (err) {
        iterationError = err
      }
    })()
    stream.send(randomBytes(64))
    let sendError = null
    try {
      await withTimeout(reading, 10_000, 'reset from the remote')
    } catch (err) {
      stream.abort(err)
      return { reset: false, timedOut: true, error: describeError(err), status: stream.status }
    }
    // writing after the reset must fail
    try {
      stream.send(new Uint8Array([1]))
    } catch (err) {
      sendError = err
    }
    const evt = await withTimeout(closeEvent, 2_000, 'close event').catch(() => null)
    return {
      reset: stream.status === 'reset',
      status: stream.status,
      error: describeError(iterationError),
      closeEventError: describeError(evt?.error),
      closeEventLocal: evt?.local ?? null,
      sendAfterResetError: describeError(sendError),
      receivedBytes,
      connectionStatus: conn.status
    }
  },

  async peerInfo ({ peer }) {
    const id = peerIdFromString(peer)
    const p = await node.peerStore.get(id)
    const text = (key) => {
      const v = p.metadata.get(key)
      return v == null ? null : new TextDecoder().decode(v)
    }
    return {
      peer: p.id.toString(),
      protocols: p.protocols,
      agentVersion: text('AgentVersion'),
      protocolVersion: text('ProtocolVersion'),
      addresses: p.addresses.map((a) => ({ addr: a.multiaddr.toString(), certified: a.isCertified })),
      hasPeerRecord: p.peerRecordEnvelope != null,
      connections: node.getConnections(id).map(connInfo)
    }
  },

  async connections ({ peer }) {
    const list = peer == null ? node.getConnections() : node.getConnections(peerIdFromString(peer))
    return list.map(connInfo)
  },

  async stats () {
    return stats
  },

  async perf ({ peer, upload = 0, download = 0 }) {
    if (perf == null) throw new Error('no perf package installed')
    const id = peerIdFromString(peer)
    const conn = await connectionTo(peer)
    let last = null
    for await (const output of node.services.perf.measurePerformance(conn.remoteAddr.encapsulate(`/p2p/${id}`), upload, download)) {
      last = output
    }
    return last
  }
}

// -------------------------------------------------------------------------------------------------- main loop
emit({
  event: 'started',
  peerId: node.peerId.toString(),
  addrs: addrs(),
  protocols: node.getProtocols(),
  perf: perf?.pkg ?? false,
  versions: packageVersions(['libp2p', '@libp2p/tcp', '@chainsafe/libp2p-noise', '@libp2p/yamux', '@libp2p/identify', '@libp2p/ping'])
})

serveNode(node, commands)
