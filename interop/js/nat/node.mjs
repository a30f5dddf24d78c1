#!/usr/bin/env node
// A js-libp2p node run inside a network namespace by org.lotusia.libp2p.nat.NatJsInteropNetnsTest
// (ip netns exec <ns> interop/js/.node/bin/node interop/js/nat/node.mjs [options]).
//
// Stack: tcp + circuitRelayTransport + noise + yamux + identify + ping, listening on /ip4/0.0.0.0/tcp/4001.
// Options:
//   --server            run circuitRelayServer (js defaults) so peers behind NATs can reserve on this node
//   --dcutr             run @libp2p/dcutr
//   --announce=<addr>   add <addr> to our announced addresses (e.g. the NAT's public address)
//   --debug=<ns>        @libp2p/logger output on stderr
// stdout: JSON lines: {"event":"started","peerId","addrs","versions"}, then connection:open / connection:close
// {peer, remoteAddr, direction, limited}.
// stdin commands {"id":N,"cmd":...} (answered by serveNode):
//   addrs {}                 {addrs}
//   reservations {}          (server) {peers}
//   dial {addr}              {peer, remoteAddr, limited, direction}
//   echo {peer, text}        one uvarint-framed message on /lotus-test/nat-echo/1.0.0 (the Java NatNodeMain echo)
//                            over an open connection to peer (limited allowed): {text, limited, remoteAddr}
//   connections {peer}       [{peer, remoteAddr, limited, direction, status}]
import { noise } from '@chainsafe/libp2p-noise'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
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
const announce = arg('announce')

const NAT_ECHO = '/lotus-test/nat-echo/1.0.0'
const MAX_MESSAGE = 4096

const services = { identify: identify(), ping: ping() }
if (server) services.relay = circuitRelayServer()
if (args.includes('--dcutr')) services.dcutr = dcutr()

const node = await createLibp2p({
  addresses: { listen: ['/ip4/0.0.0.0/tcp/4001'], appendAnnounce: announce != null ? [announce] : [] },
  transports: [tcp(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  // the test network's addresses are private; let the connection gater accept them
  connectionGater: { denyDialMultiaddr: () => false },
  services
})

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

function uvarint (n) {
  const out = []
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n >>>= 7 }
  out.push(n)
  return Uint8Array.from(out)
}

/** Reads one uvarint-length-prefixed message (bounded by MAX_MESSAGE) from the stream. */
async function readFrame (stream) {
  let buf = Buffer.alloc(0)
  for await (const chunk of stream) {
    buf = Buffer.concat([buf, chunk instanceof Uint8Array ? chunk : chunk.subarray()])
    let len = 0; let shift = 0; let i = 0
    for (; i < buf.length && i < 3; i++) {
      len |= (buf[i] & 0x7f) << shift
      shift += 7
      if ((buf[i] & 0x80) === 0) break
    }
    if (i >= 3 || len > MAX_MESSAGE) throw new Error('echo frame too large')
    if (i < buf.length && buf.length >= i + 1 + len) return buf.subarray(i + 1, i + 1 + len).toString('utf8')
    if (buf.length > MAX_MESSAGE + 3) throw new Error('echo frame too large')
  }
  throw new Error('stream ended before a whole echo frame arrived')
}

const commands = {
  async addrs () {
    return { addrs: addrs() }
  },

  async reservations () {
    if (!server) throw new Error('not a relay server')
    return { peers: [...node.services.relay.reservations.keys()].map((p) => p.toString()) }
  },

  async dial ({ addr }) {
    return connInfo(await node.dial(multiaddr(addr)))
  },

  async echo ({ peer, text }) {
    const open = node.getConnections(peerIdFromString(peer)).filter((c) => c.status === 'open')
    if (open.length === 0) throw new Error(`no open connection to ${peer}`)
    const conn = open[0]
    const stream = await conn.newStream(NAT_ECHO, { runOnLimitedConnection: true })
    const reading = readFrame(stream)
    reading.catch(() => {})
    const body = new TextEncoder().encode(text)
    stream.send(Buffer.concat([uvarint(body.length), body]))
    const reply = await reading
    await stream.close().catch(() => {})
    return { text: reply, limited: conn.limits != null, remoteAddr: conn.remoteAddr.toString() }
  },

  async connections ({ peer }) {
    return node.getConnections(peerIdFromString(peer)).map(connInfo)
  }
}

emit({
  event: 'started',
  peerId: node.peerId.toString(),
  addrs: addrs(),
  server,
  versions: packageVersions(['libp2p', '@libp2p/circuit-relay-v2', '@libp2p/dcutr', '@libp2p/yamux'])
})
serveNode(node, commands)
