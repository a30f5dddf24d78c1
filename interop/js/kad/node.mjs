#!/usr/bin/env node
// A js-libp2p node running @libp2p/kad-dht (16.1.0, as the Lotus SDK pins it) for the Java kad interop test
// (org.lotusia.libp2p.kad.KadJsInteropTest).
//
// Stack: tcp + noise + yamux + identify + ping + kad-dht with protocol /lotus/kad/1.0.0 (or --protocol=...),
// clientMode false (server) and the passthrough peerInfoMapper so 127.0.0.1 peers are kept. Listens on
// /ip4/127.0.0.1/tcp/0. The `lotus` record namespace is registered (accept-all validator, first-value selector)
// so namespaced keys /lotus/<key> (org.lotusia.libp2p.kad.KadKeys.namespaced) work as well as raw
// resource:<type>:<id> keys.
// --nodes=N runs N independent nodes in this one process (module loading dominates start-up, so a mixed network
// test pays it once); every command takes an optional "node" index (default 0).
// stdout: JSON lines. First {"event":"started","peerId":..,"addrs":[..],"protocols":[..],"versions":{..},
// "nodes":[{peerId, addrs}, ...]} (top-level peerId/addrs are node 0's), then peer:identify events (with "node").
// stdin: one JSON command per line {"id":N,"cmd":"...",...}, each answered once with
// {"event":"result","id":N,"ok":true,"result":...} or {"event":"error","id":N,"ok":false,"error":"..."}.
// Commands (keys and values are UTF-8 strings):
//   dial {addr}                  connect to a multiaddr
//   routingTable {}              {size, peers:[...]}
//   put {key, value}             dht.put; result {events, errors:[..]}
//   get {key}                    dht.get; result {value|null, from}
//   provide {mh}                 dht.provide(CIDv1 raw of the sha2-256 multihash given in hex)
//   findProviders {mh}           dht.findProviders; result {providers:[peer ids]}
//   bootstrap {}                 getClosestPeers(own peer id) to fill the routing table; result {peers, size}
//   getMany {keys:[..]}          dht.get of each key concurrently; result {values:{key: value|null}}
//   findProvidersMany {mhs:[..]} findProviders of each key concurrently; result {providers:{mh:[peer ids]}}
//   stop {}
// Exits on `stop` or stdin EOF. --debug=<namespaces> enables @libp2p/logger output on stderr.
import { createInterface } from 'node:readline'
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { enable as enableLogs } from '@libp2p/logger'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { multiaddr } from 'multiaddr-13'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { packageVersions } from '../lib/util.mjs'

const arg = (name) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
const debug = arg('debug')
if (debug != null && debug.length > 0) enableLogs(debug)
const PROTOCOL = arg('protocol') ?? '/lotus/kad/1.0.0'

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const utf8 = (s) => new TextEncoder().encode(s)
const text = (b) => new TextDecoder().decode(b)
const cidOf = (mh) => CID.createV1(0x55, Digest.decode(new Uint8Array(Buffer.from(mh, 'hex'))))

const NODES = Number(arg('nodes') ?? '1')

const createNode = () => createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    ping: ping(),
    dht: kadDHT({
      protocol: PROTOCOL,
      clientMode: false,
      peerInfoMapper: passthroughMapper,
      validators: { lotus: async () => {} },
      selectors: { lotus: () => 0 }
    })
  }
})

const nodes = await Promise.all(Array.from({ length: NODES }, createNode))
nodes.forEach((n, index) => n.addEventListener('peer:identify', (evt) => emit({
  event: 'peer:identify', node: index, peer: evt.detail.peerId.toString(), protocols: evt.detail.protocols
})))
const node = nodes[0]
const pick = (index) => {
  const n = nodes[index ?? 0]
  if (n == null) throw new Error(`no node ${index}`)
  return { node: n, dht: n.services.dht }
}

const commands = {
  async dial ({ node: index, addr }) {
    const { node } = pick(index)
    const conn = await node.dial(multiaddr(addr))
    return { peer: conn.remotePeer.toString() }
  },
  async routingTable ({ node: index }) {
    const { dht } = pick(index)
    const rt = dht.routingTable
    const peers = []
    try {
      for (const c of rt.kb?.toIterable?.() ?? []) peers.push(c.peerId.toString())
    } catch {}
    return { size: rt.size, peers }
  },
  async put ({ node: index, key, value }) {
    const { dht } = pick(index)
    let events = 0
    const errors = []
    for await (const event of dht.put(utf8(key), utf8(value), { signal: AbortSignal.timeout(20_000) })) {
      events++
      if (event.name === 'QUERY_ERROR') errors.push(String(event.error?.message ?? event.error))
    }
    return { events, errors: errors.slice(0, 10) }
  },
  async get ({ node: index, key }) {
    const { dht } = pick(index)
    for await (const event of dht.get(utf8(key), { signal: AbortSignal.timeout(20_000) })) {
      if (event.name === 'VALUE') return { value: text(event.value), from: event.from.toString() }
    }
    return { value: null }
  },
  async provide ({ node: index, mh }) {
    const { dht } = pick(index)
    let events = 0
    for await (const event of dht.provide(cidOf(mh), { signal: AbortSignal.timeout(20_000) })) events++
    return { events }
  },
  async findProviders ({ node: index, mh }) {
    const { dht } = pick(index)
    const providers = new Set()
    for await (const event of dht.findProviders(cidOf(mh), { signal: AbortSignal.timeout(20_000) })) {
      if (event.name === 'PROVIDER') for (const p of event.providers) providers.add(p.id.toString())
    }
    return { providers: [...providers] }
  },
  async bootstrap ({ node: index }) {
    const { node, dht } = pick(index)
    const peers = new Set()
    for await (const event of dht.getClosestPeers(node.peerId.toMultihash().bytes, { signal: AbortSignal.timeout(20_000) })) {
      if (event.name === 'FINAL_PEER') peers.add(event.peer.id.toString())
    }
    return { peers: [...peers], size: dht.routingTable.size }
  },
  async getMany ({ node: index, keys }) {
    const values = {}
    await Promise.all(keys.map(async (key) => {
      try {
        values[key] = (await commands.get({ node: index, key })).value
      } catch (err) {
        values[key] = null
      }
    }))
    return { values }
  },
  async findProvidersMany ({ node: index, mhs }) {
    const providers = {}
    await Promise.all(mhs.map(async (mh) => {
      try {
        providers[mh] = (await commands.findProviders({ node: index, mh })).providers
      } catch (err) {
        providers[mh] = []
      }
    }))
    return { providers }
  },
  async stop () {
    setTimeout(stop, 10)
    return {}
  }
}

let stopping = false
async function stop () {
  if (stopping) return
  stopping = true
  await Promise.all(nodes.map(async (n) => { try { await n.stop() } catch {} }))
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

emit({
  event: 'started',
  peerId: node.peerId.toString(),
  addrs: node.getMultiaddrs().map((ma) => ma.toString()),
  protocols: node.getProtocols(),
  versions: packageVersions(['libp2p', '@libp2p/kad-dht']),
  nodes: nodes.map((n) => ({ peerId: n.peerId.toString(), addrs: n.getMultiaddrs().map((ma) => ma.toString()) }))
})

const rl = createInterface({ input: process.stdin })
rl.on('line', (line) => {
  if (line.trim() === '') return
  let cmd
  try { cmd = JSON.parse(line) } catch (err) { emit({ event: 'error', id: null, ok: false, error: String(err) }); return }
  const fn = commands[cmd.cmd]
  if (fn == null) { emit({ event: 'error', id: cmd.id, ok: false, error: `unknown command ${cmd.cmd}` }); return }
  fn(cmd).then(
    (result) => emit({ event: 'result', id: cmd.id, ok: true, result }),
    (err) => emit({ event: 'error', id: cmd.id, ok: false, error: String(err?.message ?? err), errorName: err?.name })
  )
})
rl.on('close', stop)
