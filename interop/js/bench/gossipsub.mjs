#!/usr/bin/env node
// js-libp2p side of the GossipSub network benchmark (bench/run-gossipsub-bench.sh, org.lotusia.bench.GossipSubNetworkBench).
//
//   gossipsub.mjs --plan=FILE
//
// FILE is JSON: {nodes, topic, dials:[[from,to],...], publishers:[node per message], ratePerSecond, messageBytes,
// meshTimeoutMs, drainTimeoutMs, settleMs}. Starts `nodes` js-libp2p 3.x nodes in this one process (tcp + noise +
// yamux + identify + @libp2p/gossipsub with its defaults) on 127.0.0.1, subscribes them all to `topic`, dials the
// given edges, waits until every node sees all its neighbours on the topic and has a mesh of at least
// min(Dlo = 4, neighbours), then publishes message i from node publishers[i] at the given rate (first 4 bytes: i,
// big-endian; zero padding to messageBytes).
//
// Measured (performance.now(), one clock): per receiver and message the first 'message' event after publish();
// per node the message entries of every inbound RPC (each gossipsub instance's handleReceivedRpc is wrapped, as the
// package has no public duplicate counter), so duplicates = entries - first deliveries.
// Scoring: the default peer score parameters except IPColocationFactorWeight = 0 (every node here shares
// 127.0.0.1; a real network has one node per address, and the Java side has no colocation penalty either).
// The inbound connection rate limit (5/s per IP) is raised so the dials need no pacing.
//
// stdout: {"type":"progress","message":...} lines, then one {"type":"result", nodes, expected, delivered,
// latenciesMs:[...], receivedEntries, publishFailures, setupSeconds, meshSeconds, meanMeshSize, versions}.
// Logs go to stderr. Exit code 1 on failure.
import { readFileSync } from 'node:fs'
import { noise } from '@chainsafe/libp2p-noise'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { packageVersions } from '../lib/util.mjs'

const arg = (name) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const progress = (message) => print({ type: 'progress', message })
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const plan = JSON.parse(readFileSync(arg('plan'), 'utf8'))
const N = plan.nodes
const M = plan.publishers.length
const TOPIC = plan.topic
const DLO = 4

const degrees = new Array(N).fill(0)
for (const [a, b] of plan.dials) { degrees[a]++; degrees[b]++ }

const firstAt = new Float64Array(N * M) // 0 = not delivered
const publishedAt = new Float64Array(M)
let delivered = 0
let receivedEntries = 0
let publishFailures = 0

async function createNode (index) {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: 100_000, maxIncomingPendingConnections: 1000, dialTimeout: 60_000 },
    services: {
      identify: identify(),
      pubsub: gossipsub({ scoreParams: { IPColocationFactorWeight: 0 } })
    }
  })
  const ps = node.services.pubsub
  const original = ps.handleReceivedRpc.bind(ps)
  ps.handleReceivedRpc = (from, rpc) => {
    receivedEntries += rpc.messages?.length ?? 0
    return original(from, rpc)
  }
  ps.addEventListener('message', (evt) => {
    const now = performance.now()
    const data = evt.detail.data
    if (evt.detail.topic !== TOPIC || data.length < 4) return
    const i = new DataView(data.buffer, data.byteOffset, data.byteLength).getInt32(0)
    if (i >= 0 && i < M && firstAt[index * M + i] === 0) {
      firstAt[index * M + i] = now
      delivered++
    }
  })
  ps.subscribe(TOPIC)
  return node
}

/** Dials every edge, 8 at a time; a dial is tried 3 times (one process hosting every node is slow under load). */
async function dialAll (nodes) {
  let next = 0
  let failed = 0
  async function worker () {
    while (next < plan.dials.length) {
      const [from, to] = plan.dials[next++]
      const addr = nodes[to].getMultiaddrs()[0]
      for (let attempt = 1; ; attempt++) {
        try {
          await nodes[from].dial(addr)
          break
        } catch (err) {
          if (attempt === 3) {
            failed++
            process.stderr.write(`dial ${from} -> ${to} failed: ${err.message}\n`)
            break
          }
          await sleep(500)
        }
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  if (failed > 0) progress(`${failed} of ${plan.dials.length} dials failed`)
}

async function awaitMeshes (nodes) {
  const deadline = performance.now() + plan.meshTimeoutMs
  while (true) {
    let ready = 0
    let meshTotal = 0
    nodes.forEach((node, i) => {
      const ps = node.services.pubsub
      const mesh = ps.getMeshPeers(TOPIC).length
      meshTotal += mesh
      if (ps.getSubscribers(TOPIC).length >= degrees[i] && mesh >= Math.min(DLO, degrees[i])) ready++
    })
    if (ready === nodes.length) return meshTotal / nodes.length
    if (performance.now() > deadline) throw new Error(`meshes not formed: ${ready} of ${nodes.length} nodes ready`)
    await sleep(200)
  }
}

const nodes = []
try {
  const t0 = performance.now()
  for (let i = 0; i < N; i++) nodes.push(await createNode(i))
  progress(`${N} nodes started`)
  await dialAll(nodes)
  const setupSeconds = (performance.now() - t0) / 1000
  progress(`${plan.dials.length} connections in ${setupSeconds.toFixed(1)} s`)

  const meshStart = performance.now()
  const meanMeshSize = await awaitMeshes(nodes)
  const meshSeconds = (performance.now() - meshStart) / 1000
  progress(`meshes formed in ${meshSeconds.toFixed(1)} s (mean size ${meanMeshSize.toFixed(2)})`)

  const interval = 1000 / plan.ratePerSecond
  const start = performance.now() + 50
  for (let i = 0; i < M; i++) {
    const wait = start + i * interval - performance.now()
    if (wait > 0) await sleep(wait)
    const data = new Uint8Array(Math.max(4, plan.messageBytes))
    new DataView(data.buffer).setInt32(0, i)
    publishedAt[i] = performance.now()
    nodes[plan.publishers[i]].services.pubsub.publish(TOPIC, data).catch((err) => {
      publishFailures++
      process.stderr.write(`publish ${i} failed: ${err.message}\n`)
    })
  }
  const expected = M * (N - 1)
  const drainDeadline = performance.now() + plan.drainTimeoutMs
  while (delivered < expected && performance.now() < drainDeadline) await sleep(20)
  await sleep(plan.settleMs) // late copies still count as duplicates

  const latenciesMs = []
  for (let node = 0; node < N; node++) {
    for (let i = 0; i < M; i++) {
      const at = firstAt[node * M + i]
      if (at !== 0 && plan.publishers[i] !== node) latenciesMs.push(Math.round((at - publishedAt[i]) * 1000) / 1000)
    }
  }
  print({
    type: 'result',
    nodes: N,
    expected,
    delivered: latenciesMs.length,
    latenciesMs,
    receivedEntries,
    publishFailures,
    setupSeconds,
    meshSeconds,
    meanMeshSize,
    versions: packageVersions(['libp2p', '@libp2p/gossipsub', '@libp2p/yamux', '@chainsafe/libp2p-noise'])
  })
} catch (err) {
  process.stderr.write(`gossipsub bench failed: ${err.stack ?? err}\n`)
  process.exitCode = 1
} finally {
  await Promise.race([Promise.allSettled(nodes.map((n) => n.stop())), sleep(10_000)])
  process.exit(process.exitCode ?? 0)
}
