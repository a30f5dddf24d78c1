#!/usr/bin/env node
// js-libp2p 3.x side of the connection benchmarks (bench/run-connection-bench.sh): a /perf/1.0.0 server and client
// written directly on js-libp2p streams (no perf package is installed: @libp2p/perf is not on the registry this
// machine reaches), and a connection-establishment timer. TCP + Noise + Yamux + identify + ping, 127.0.0.1 only.
//
// The perf wire protocol (libp2p specs perf/perf.md): the client opens a stream, writes the number of bytes it
// wants back as an 8-byte big-endian unsigned integer, writes its upload, closes its write side and reads until
// EOF. The server reads the 8-byte count (which may arrive split across chunks), discards everything until EOF,
// then writes the requested bytes and closes.
//
// Modes (command-line contract of the libp2p test-plans perf binaries, plus extras for the benchmark):
//   perf.mjs --run-server --server-address 127.0.0.1:0
//       Serves perf and ping. Prints one line {"type":"ready","multiaddr":...,"peerId":...,"versions":{...}} on
//       stdout, then runs until stdin closes or SIGTERM. The inbound connection rate limit (js default: 5 per
//       second per IP) is raised to --inbound-threshold (default 10000) so connection benchmarks need no pacing.
//   perf.mjs --server-address HOST:PORT|MULTIADDR --upload-bytes N --download-bytes M [--runs R] [--warmup-runs W]
//       One connection, W unreported then R reported exchanges, each on a new stream. One line per reported run:
//       {"type":"final","timeSeconds":total,"uploadBytes":N,"downloadBytes":received,
//        "uploadSeconds":stream open -> first downloaded byte,"downloadSeconds":first -> last downloaded byte,
//        "cpuSeconds":CPU time (user + system) this process used during the run}
//       If the server's EOF arrives before M bytes, that run's line also has "error" and the process exits with 3
//       after the remaining runs (so a short read is reported with its timing instead of hiding the run).
//   perf.mjs --connect-latency --server-address MULTIADDR [--count N] [--warmup W] [--gap-ms G]
//       W unreported then N reported fresh connections: dial (TCP + Noise + Yamux), one ping round trip on a new
//       stream, then close the connection and wait G ms. One line {"type":"connect","ms":...,"dialMs":...} per
//       reported one (dialMs: until dial() resolved, i.e. upgraded), then {"type":"summary","count":N,"ms":[...],
//       "dialMs":[...]}.
// Timings use process.hrtime (ns). Logs and errors go to stderr; exit code 1 on failure.
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { packageVersions } from '../lib/util.mjs'

const PERF = '/perf/1.0.0'
const BLOCK = 64 * 1024
const ZEROS = new Uint8Array(BLOCK)
const MAX_DOWNLOAD = 2 ** 40

function parseArgs (argv) {
  const out = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`)
    const eq = a.indexOf('=')
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1)
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      out[a.slice(2)] = argv[++i]
    } else {
      out[a.slice(2)] = true
    }
  }
  return out
}

function toMultiaddr (address) {
  if (address.startsWith('/')) return multiaddr(address)
  const colon = address.lastIndexOf(':')
  if (colon <= 0) throw new Error(`server address must be HOST:PORT or a multiaddr: ${address}`)
  let host = address.slice(0, colon)
  const port = address.slice(colon + 1)
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  return multiaddr(`/${host.includes(':') ? 'ip6' : 'ip4'}/${host}/tcp/${port}`)
}

const nowNs = () => process.hrtime.bigint()
const seconds = (fromNs, toNs) => Number(toNs - fromNs) / 1e9
const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

async function createNode (listen, inboundThreshold) {
  return createLibp2p({
    addresses: { listen: listen == null ? [] : [listen.toString()] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping() },
    connectionManager: {
      // js refuses more than 5 inbound connections per second from one IP by default.
      inboundConnectionThreshold: inboundThreshold,
      maxIncomingPendingConnections: 100
    }
  })
}

/** Writes `count` zero bytes with backpressure: waits for 'drain' whenever send() says the buffer is full. */
async function sendZeros (stream, count) {
  let remaining = count
  while (remaining > 0) {
    const n = Math.min(BLOCK, remaining)
    remaining -= n
    if (!stream.send(n === BLOCK ? ZEROS : ZEROS.subarray(0, n))) {
      await stream.onDrain()
    }
  }
}

/**
 * Calls onData(chunk) for every received chunk; resolves once the remote closed its write side and everything
 * was delivered, rejects if the stream is reset or aborted first.
 */
function readUntilEnd (stream, onData) {
  return new Promise((resolve, reject) => {
    const onMessage = (evt) => onData(evt.data)
    const finish = (err) => {
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('end', onEnd)
      stream.removeEventListener('close', onClose)
      if (err != null) reject(err)
      else resolve()
    }
    const onEnd = () => finish()
    const onClose = (evt) => finish(evt.error ?? (stream.readableEnded ? undefined : new Error('stream closed before EOF')))
    stream.addEventListener('message', onMessage)
    stream.addEventListener('end', onEnd)
    stream.addEventListener('close', onClose)
    if (stream.readableEnded) finish()
  })
}

async function serve (args) {
  const listen = toMultiaddr(String(args['server-address'] ?? '127.0.0.1:0'))
  const node = await createNode(listen, Number(args['inbound-threshold'] ?? 10_000))
  await node.handle(PERF, (stream) => {
    servePerf(stream).catch((err) => {
      console.error(`perf server stream failed: ${err?.stack ?? err}`)
      stream.abort(err)
    })
  }, { maxInboundStreams: 1, maxOutboundStreams: 1 })
  const addr = node.getMultiaddrs().find((ma) => ma.toString().includes('/tcp/'))
  print({
    type: 'ready',
    multiaddr: addr.toString(),
    peerId: node.peerId.toString(),
    versions: packageVersions(['libp2p', '@chainsafe/libp2p-noise', '@libp2p/yamux', '@libp2p/tcp'])
  })
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await node.stop()
    process.exit(0)
  }
  process.stdin.on('end', stop)
  process.stdin.on('close', stop)
  process.stdin.resume()
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

async function servePerf (stream) {
  const header = new Uint8Array(8)
  let headerLength = 0
  await readUntilEnd(stream, (chunk) => {
    if (headerLength < 8) {
      const take = Math.min(8 - headerLength, chunk.byteLength)
      header.set(chunk.subarray(0, take), headerLength)
      headerLength += take
    }
  })
  if (headerLength < 8) throw new Error('perf client closed before sending the 8-byte length')
  const requested = new DataView(header.buffer).getBigUint64(0, false)
  if (requested > BigInt(MAX_DOWNLOAD)) throw new Error(`perf client asked for ${requested} bytes`)
  await sendZeros(stream, Number(requested))
  await stream.close()
}

async function perfOnce (connection, uploadBytes, downloadBytes) {
  const cpu0 = process.cpuUsage()
  const t0 = nowNs()
  const stream = await connection.newStream(PERF)
  let received = 0
  let firstByte = null
  const reading = readUntilEnd(stream, (chunk) => {
    if (firstByte == null) firstByte = nowNs()
    received += chunk.byteLength
  })
  const header = new Uint8Array(8)
  new DataView(header.buffer).setBigUint64(0, BigInt(downloadBytes), false)
  stream.send(header)
  await sendZeros(stream, uploadBytes)
  await stream.close()
  await reading
  const t2 = nowNs()
  const cpu = process.cpuUsage(cpu0)
  const t1 = firstByte ?? t2
  const result = {
    type: 'final',
    timeSeconds: seconds(t0, t2),
    uploadBytes,
    downloadBytes: received,
    uploadSeconds: seconds(t0, t1),
    downloadSeconds: seconds(t1, t2),
    cpuSeconds: (cpu.user + cpu.system) / 1e6
  }
  if (received !== downloadBytes) {
    result.error = `perf server sent ${received} of ${downloadBytes} bytes before EOF`
  }
  return result
}

async function perfClient (args) {
  const target = toMultiaddr(String(args['server-address']))
  const uploadBytes = Number(args['upload-bytes'] ?? 0)
  const downloadBytes = Number(args['download-bytes'] ?? 0)
  const runs = Number(args.runs ?? 1)
  const warmups = Number(args['warmup-runs'] ?? 0)
  const node = await createNode(null, 5)
  let failed = false
  try {
    const connection = await node.dial(target)
    for (let i = 0; i < warmups + runs; i++) {
      const result = await perfOnce(connection, uploadBytes, downloadBytes)
      if (result.error != null) {
        failed = true
        console.error(`run ${i}: ${result.error}`)
      }
      if (i >= warmups) print(result)
    }
  } finally {
    await node.stop()
  }
  return failed ? 3 : 0
}

async function connectLatency (args) {
  const target = toMultiaddr(String(args['server-address']))
  const count = Number(args.count ?? 50)
  const warmups = Number(args.warmup ?? 0)
  const gapMs = Number(args['gap-ms'] ?? 0)
  const node = await createNode(null, 5)
  const ms = []
  const dialMs = []
  try {
    for (let i = 0; i < warmups + count; i++) {
      const t0 = nowNs()
      const connection = await node.dial(target, { force: true })
      const dialled = nowNs()
      await node.services.ping.ping(connection.remotePeer)
      const t1 = nowNs()
      await connection.close()
      if (i >= warmups) {
        ms.push(Number(t1 - t0) / 1e6)
        dialMs.push(Number(dialled - t0) / 1e6)
        print({ type: 'connect', ms: ms[ms.length - 1], dialMs: dialMs[dialMs.length - 1] })
      }
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs))
    }
    print({ type: 'summary', count, ms, dialMs })
  } finally {
    await node.stop()
  }
}

const args = parseArgs(process.argv.slice(2))
try {
  if (args['run-server']) {
    await serve(args)
  } else if (args['server-address'] == null) {
    throw new Error('--server-address is required')
  } else if (args['connect-latency']) {
    await connectLatency(args)
    process.exit(0)
  } else {
    process.exit(await perfClient(args))
  }
} catch (err) {
  console.error(err?.stack ?? String(err))
  process.exit(1)
}
