#!/usr/bin/env node
// js-libp2p side of the Kademlia network benchmark (bench/run-kad-bench.sh, org.lotusia.bench.KadNetworkBench).
//
//   kad.mjs --plan=FILE
//
// FILE is JSON: {nodes, protocol, dials:[[from,to],...], bootstrapConcurrency, setupTimeoutMs, lookupTimeoutMs,
// puts:[{node,key,value}], gets:[{node,key,value}]}. Starts `nodes` js-libp2p 3.x nodes in this one process (tcp +
// noise + yamux + identify + ping + @libp2p/kad-dht 16.1.0 in server mode on `protocol`, passthrough peer info mapper so
// 127.0.0.1 peers are kept), dials the given edges, waits until every node has its neighbours in its routing table,
// runs one getClosestPeers(own peer id) per node (`bootstrapConcurrency` at a time, like the Java side's bootstrap),
// then the puts one after the other (dht.put consumed to the end), then the gets (dht.get consumed to the end: it
// yields the value only after its walk, then corrects stale peers). Keys and values are UTF-8 strings.
//
// Per operation, from kad-dht's own query events: latency (performance.now()), messages = SEND_QUERY events
// (FIND_NODE + PUT_VALUE for a put, GET_VALUE + correcting PUT_VALUE for a get), lookup messages (FIND_NODE resp.
// GET_VALUE only), hops (a peer in the node's routing table at the start, or queried before any response named
// it, is at depth 1, otherwise 1 + the smallest
// depth of the peers whose earlier responses named it; a get reports the depth of the first peer that answered with
// the record, a put the deepest peer of its walk), replicas (PUT_VALUE responses echoing the record).
// Success: put - at least one replica; get - the value equals the one put.
//
// stdout: {"type":"progress","message":...} lines, then one {"type":"result", put:{...}, get:{...}, setupSeconds,
// bootstrapSeconds, meanRoutingTableSize, bootstrapMessages, versions}. Logs go to stderr. Exit code 1 on failure.
import { readFileSync } from 'node:fs'
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { packageVersions } from '../lib/util.mjs'

const arg = (name) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const progress = (message) => print({ type: 'progress', message })
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const utf8 = (s) => new TextEncoder().encode(s)
const text = (b) => new TextDecoder().decode(b)

const plan = JSON.parse(readFileSync(arg('plan'), 'utf8'))
const N = plan.nodes

const degrees = new Array(N).fill(0)
for (const [a, b] of plan.dials) { degrees[a]++; degrees[b]++ }

async function createNode () {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: 100_000, maxIncomingPendingConnections: 1000, dialTimeout: 60_000 },
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({ protocol: plan.protocol, clientMode: false, peerInfoMapper: passthroughMapper })
    }
  })
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

/** Hops of one lookup from its events (see the header). */
function hops (events, seeds, lookupType, toRecord) {
  const depth = new Map()
  const responses = [] // {from, closer:Set}
  let deepest = 0
  for (const e of events) {
    if (e.name === 'SEND_QUERY' && e.queryType === lookupType) {
      const to = e.to
      if (!depth.has(to)) {
        let best = Infinity
        for (const r of responses) {
          if (r.closer.has(to) && depth.has(r.from)) best = Math.min(best, depth.get(r.from) + 1)
        }
        depth.set(to, best === Infinity || seeds.has(to) ? 1 : best)
      }
      deepest = Math.max(deepest, depth.get(to))
    } else if (e.name === 'PEER_RESPONSE' && e.queryType === lookupType) {
      responses.push({ from: e.from, closer: new Set(e.closer) })
      if (toRecord && e.hasRecord && depth.has(e.from)) return depth.get(e.from)
    }
  }
  return deepest
}

/** Peer ids in a node's routing table (a walk's possible starting points, depth 1). */
function seedsOf (node) {
  const ids = new Set()
  for (const c of node.services.dht.routingTable.kb?.toIterable?.() ?? []) ids.add(c.peerId.toString())
  return ids
}

/** Runs one dht operation to the end, recording a compact event trace. */
async function traced (iterable) {
  const events = []
  const start = performance.now()
  let value = null
  for await (const event of iterable) {
    if (event.name === 'SEND_QUERY') {
      events.push({ name: 'SEND_QUERY', to: event.to.toString(), queryType: String(event.messageType) })
    } else if (event.name === 'PEER_RESPONSE') {
      events.push({
        name: 'PEER_RESPONSE',
        from: event.from.toString(),
        queryType: String(event.messageType),
        closer: (event.closer ?? []).map((p) => p.id.toString()),
        hasRecord: event.record != null,
        recordValue: event.record?.value
      })
    } else if (event.name === 'QUERY_ERROR') {
      events.push({ name: 'QUERY_ERROR', error: String(event.error?.message ?? event.error) })
    } else if (event.name === 'VALUE') {
      value = event.value
    }
  }
  return { ms: performance.now() - start, events, value }
}

const mean = (xs) => xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length

const nodes = []
try {
  const t0 = performance.now()
  for (let i = 0; i < N; i++) nodes.push(await createNode())
  progress(`${N} nodes started`)
  await dialAll(nodes)
  // js admits peers to its routing table asynchronously; past the deadline the run goes on with what it has.
  const deadline = performance.now() + Math.min(plan.setupTimeoutMs, 30_000)
  for (let i = 0; i < N; i++) {
    while (nodes[i].services.dht.routingTable.size < degrees[i] && performance.now() < deadline) await sleep(20)
  }
  const short = nodes.filter((n, i) => n.services.dht.routingTable.size < degrees[i]).length
  if (short > 0) progress(`${short} nodes have fewer routing table entries than neighbours`)
  const setupSeconds = (performance.now() - t0) / 1000
  progress(`${plan.dials.length} connections, routing tables seeded in ${setupSeconds.toFixed(1)} s`)

  const bootStart = performance.now()
  let bootstrapMessages = 0
  let nextBoot = 0
  async function bootWorker () {
    while (nextBoot < N) {
      const node = nodes[nextBoot++]
      try {
        for await (const event of node.services.dht.getClosestPeers(node.peerId.toMultihash().bytes, { signal: AbortSignal.timeout(plan.setupTimeoutMs) })) {
          if (event.name === 'SEND_QUERY') bootstrapMessages++
        }
      } catch (err) {
        process.stderr.write(`bootstrap lookup failed: ${err.message}\n`)
      }
    }
  }
  await Promise.all(Array.from({ length: plan.bootstrapConcurrency }, bootWorker))
  const bootstrapSeconds = (performance.now() - bootStart) / 1000
  const meanRoutingTableSize = mean(nodes.map((n) => n.services.dht.routingTable.size))
  progress(`bootstrap lookups in ${bootstrapSeconds.toFixed(1)} s, mean routing table ${meanRoutingTableSize.toFixed(1)}`)

  const put = { attempted: 0, succeeded: 0, latencyMs: [], messages: [], lookupMessages: [], hops: [], replicas: [] }
  for (const p of plan.puts) {
    put.attempted++
    let r
    const seeds = seedsOf(nodes[p.node])
    try {
      r = await traced(nodes[p.node].services.dht.put(utf8(p.key), utf8(p.value), { signal: AbortSignal.timeout(plan.lookupTimeoutMs) }))
    } catch (err) {
      process.stderr.write(`put ${p.key} failed: ${err.message}\n`)
      continue
    }
    const sends = r.events.filter((e) => e.name === 'SEND_QUERY')
    const replicas = r.events.filter((e) => e.name === 'PEER_RESPONSE' && e.queryType === 'PUT_VALUE' && e.hasRecord &&
      text(e.recordValue) === p.value).length
    put.latencyMs.push(r.ms)
    put.messages.push(sends.filter((e) => e.queryType === 'FIND_NODE' || e.queryType === 'PUT_VALUE').length)
    put.lookupMessages.push(sends.filter((e) => e.queryType === 'FIND_NODE').length)
    put.hops.push(hops(r.events, seeds, 'FIND_NODE', false))
    put.replicas.push(replicas)
    if (replicas > 0) put.succeeded++
  }
  progress(`${put.succeeded} of ${put.attempted} puts stored`)

  const get = { attempted: 0, succeeded: 0, latencyMs: [], messages: [], lookupMessages: [], hops: [] }
  for (const g of plan.gets) {
    get.attempted++
    let r
    const seeds = seedsOf(nodes[g.node])
    try {
      r = await traced(nodes[g.node].services.dht.get(utf8(g.key), { signal: AbortSignal.timeout(plan.lookupTimeoutMs) }))
    } catch (err) {
      process.stderr.write(`get ${g.key} failed: ${err.message}\n`)
      continue
    }
    const sends = r.events.filter((e) => e.name === 'SEND_QUERY')
    get.latencyMs.push(r.ms)
    get.messages.push(sends.filter((e) => e.queryType === 'GET_VALUE' || e.queryType === 'PUT_VALUE').length)
    get.lookupMessages.push(sends.filter((e) => e.queryType === 'GET_VALUE').length)
    get.hops.push(hops(r.events, seeds, 'GET_VALUE', true))
    if (r.value != null && text(r.value) === g.value) get.succeeded++
  }
  progress(`${get.succeeded} of ${get.attempted} gets found the value`)

  print({
    type: 'result',
    nodes: N,
    put: { ...put, meanReplicas: mean(put.replicas), replicas: undefined },
    get,
    setupSeconds,
    bootstrapSeconds,
    meanRoutingTableSize,
    bootstrapMessages,
    versions: packageVersions(['libp2p', '@libp2p/kad-dht', '@libp2p/yamux', '@chainsafe/libp2p-noise'])
  })
} catch (err) {
  process.stderr.write(`kad bench failed: ${err.stack ?? err}\n`)
  process.exitCode = 1
} finally {
  await Promise.race([Promise.allSettled(nodes.map((n) => n.stop())), sleep(15_000)])
  process.exit(process.exitCode ?? 0)
}
