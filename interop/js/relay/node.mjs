#!/usr/bin/env node
// A js-libp2p node with @libp2p/circuit-relay-v2 (4.1.0) for the Java relay interop test
// (org.lotusia.libp2p.relay.RelayJsInteropTest).
//
// Stack: tcp + circuitRelayTransport + noise + yamux + identify + ping, listening on /ip4/127.0.0.1/tcp/0.
// Arguments:
//   --server          also run circuitRelayServer (js defaults: 2 h reservations, Limit{120000 "s", 128 KiB})
//   --relay=<addr>    reserve a slot on the relay at <addr> (…/p2p/<relay>) by listening on <addr>/p2p-circuit
//   --debug=<ns>      @libp2p/logger output on stderr
// It serves /test/relayed-echo/1.0.0 (echo; runOnLimitedConnection) and /test/echo/1.0.0 (echo; not allowed on
// limited connections).
// stdout: JSON lines. First {"event":"started","peerId","addrs","versions"}, then connection:open /
// connection:close {peer, remoteAddr, direction, limited}, self:peer:update {addrs}.
// stdin commands {"id":N,"cmd":...}, answered with {"event":"result",...} or {"event":"error",...}:
//   addrs {}                       {addrs:[...]}
//   awaitCircuitAddr {timeoutMs}   waits until one of our addresses contains /p2p-circuit: {addrs:[circuit addrs]}
//   dial {addr}                    {peer, remoteAddr, limited, direction}
//   echo {peer, text, protocol?}   opens an echo stream (runOnLimitedConnection) on the open connection to peer,
//                                  sends text, closes write, reads to EOF: {text}
//   connections {peer}             [{remoteAddr, limited, direction, status}]
//   reservations {}                (server) {peers:[...]}
//   stop {}
import { noise } from '@chainsafe/libp2p-noise'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { enable as enableLogs } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { multiaddr } from 'multiaddr-13'
import { emit, packageVersions, serveNode } from '../lib/util.mjs'

const args = process.argv.slice(2)
const arg = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
const debug = arg('debug')
if (debug != null && debug.length > 0) enableLogs(debug)
const server = args.includes('--server')
const relay = arg('relay')

const RELAYED_ECHO = '/test/relayed-echo/1.0.0'
const ECHO = '/test/echo/1.0.0'

const services = { identify: identify(), ping: ping() }
if (server) services.relay = circuitRelayServer()

const listen = ['/ip4/127.0.0.1/tcp/0']
if (relay != null) listen.push(`${relay}/p2p-circuit`)

const node = await createLibp2p({
  addresses: { listen },
  transports: [tcp(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services
})

async function echoHandler (stream) {
  try {
    for await (const chunk of stream) {
      if (!stream.send(chunk)) await stream.onDrain()
    }
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
}
await node.handle(RELAYED_ECHO, echoHandler, { runOnLimitedConnection: true })
await node.handle(ECHO, echoHandler)

const addrs = () => node.getMultiaddrs().map((ma) => ma.toString())
const connInfo = (c) => ({
  peer: c.remotePeer.toString(),
  remoteAddr: c.remoteAddr.toString(),
  direction: c.direction,
  limited: c.limits != null,
  status: c.status
})

node.addEventListener('connection:open', (evt) => emit({ event: 'connection:open', ...connInfo(evt.detail) }))
node.addEventListener('connection:close', (evt) => emit({ event: 'connection:close', ...connInfo(evt.detail) }))
node.addEventListener('self:peer:update', () => emit({ event: 'self:peer:update', addrs: addrs() }))

const circuitAddrs = () => addrs().filter((a) => a.includes('/p2p-circuit'))

const commands = {
  async addrs () {
    return { addrs: addrs() }
  },

  async awaitCircuitAddr ({ timeoutMs = 10_000 }) {
    const deadline = Date.now() + timeoutMs
    while (circuitAddrs().length === 0) {
      if (Date.now() > deadline) throw new Error(`no /p2p-circuit address within ${timeoutMs} ms: ${addrs()}`)
      await new Promise((resolve) => {
        const done = () => { clearTimeout(timer); node.removeEventListener('self:peer:update', done); resolve() }
        const timer = setTimeout(done, 200)
        node.addEventListener('self:peer:update', done)
      })
    }
    return { addrs: circuitAddrs() }
  },

  async dial ({ addr }) {
    const conn = await node.dial(multiaddr(addr))
    return connInfo(conn)
  },

  async echo ({ peer, text, protocol = RELAYED_ECHO }) {
    const open = node.getConnections(peerIdFromString(peer)).filter((c) => c.status === 'open')
    if (open.length === 0) throw new Error(`no open connection to ${peer}`)
    const stream = await open[0].newStream(protocol, { runOnLimitedConnection: true })
    const reading = (async () => {
      const chunks = []
      for await (const chunk of stream) chunks.push(chunk instanceof Uint8Array ? chunk : chunk.subarray())
      return Buffer.concat(chunks).toString('utf8')
    })()
    reading.catch(() => {})
    stream.send(new TextEncoder().encode(text))
    await stream.close()
    return { text: await reading, limited: open[0].limits != null }
  },

  async connections ({ peer }) {
    return node.getConnections(peerIdFromString(peer)).map(connInfo)
  },

  async reservations () {
    if (!server) throw new Error('not a relay server')
    return { peers: [...node.services.relay.reservations.keys()].map((p) => p.toString()) }
  }
}

emit({
  event: 'started',
  peerId: node.peerId.toString(),
  addrs: addrs(),
  server,
  versions: packageVersions(['libp2p', '@libp2p/circuit-relay-v2', '@libp2p/identify', '@libp2p/yamux'])
})
serveNode(node, commands)
