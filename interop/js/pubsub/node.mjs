#!/usr/bin/env node
// A js-libp2p 3.x node with @libp2p/gossipsub for the Java pubsub interop tests (GossipSubJsInteropTest).
//
// Stack: tcp + @chainsafe/libp2p-noise + @libp2p/yamux + identify + ping + gossipsub (js defaults: StrictSign,
// floodPublish, js message ids), listening on /ip4/127.0.0.1/tcp/0.
//
// stdout: JSON lines. First {"event":"started","peerId":..,"addrs":[..],"versions":{..}}, then events:
//   {"event":"message","topic":..,"from":..,"dataHex":..,"seqnoHex":..,"type":"signed"|"unsigned"}
//   {"event":"subscription-change","peer":..,"subscriptions":[{"topic":..,"subscribe":bool}]}
//   {"event":"peer:identify","peer":..,"protocols":[..]}
// stdin: one JSON command per line, {"id":N,"cmd":"...",...}; answered with {"event":"result","id":N,"ok":true,"result":..}
//   or {"event":"error","id":N,"ok":false,"error":".."}.
// Commands: dial {addr}, subscribe {topic}, unsubscribe {topic}, publish {topic, dataHex}, subscribers {topic},
//   mesh {topic}, score {peer}, scores {peers?} ({peerId: score}), peers, stop. Exits 0 on `stop` or stdin EOF.
import { noise } from '@chainsafe/libp2p-noise'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { enable as enableLogs } from '@libp2p/logger'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { multiaddr } from 'multiaddr-13'
import { emit, fromHex, packageVersions, serveNode, toHex } from '../lib/util.mjs'

const debugArg = process.argv.slice(2).find((a) => a.startsWith('--debug='))
if (debugArg != null && debugArg.length > '--debug='.length) enableLogs(debugArg.slice('--debug='.length))

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), ping: ping(), pubsub: gossipsub() }
})
const pubsub = node.services.pubsub

pubsub.addEventListener('message', (evt) => {
  const m = evt.detail
  emit({
    event: 'message',
    topic: m.topic,
    type: m.type,
    from: m.type === 'signed' ? m.from.toString() : null,
    seqnoHex: m.type === 'signed' ? m.sequenceNumber.toString(16).padStart(16, '0') : null,
    dataHex: toHex(m.data)
  })
})
pubsub.addEventListener('subscription-change', (evt) => {
  emit({
    event: 'subscription-change',
    peer: evt.detail.peerId.toString(),
    subscriptions: evt.detail.subscriptions.map((s) => ({ topic: s.topic, subscribe: s.subscribe }))
  })
})
node.addEventListener('peer:identify', (evt) => {
  emit({ event: 'peer:identify', peer: evt.detail.peerId.toString(), protocols: evt.detail.protocols })
})


const commands = {
  async dial ({ addr }) {
    const conn = await node.dial(multiaddr(addr))
    return { peer: conn.remotePeer.toString(), direction: conn.direction }
  },
  async subscribe ({ topic }) {
    pubsub.subscribe(topic)
    return {}
  },
  async unsubscribe ({ topic }) {
    pubsub.unsubscribe(topic)
    return {}
  },
  async publish ({ topic, dataHex }) {
    const result = await pubsub.publish(topic, fromHex(dataHex))
    return { recipients: result.recipients.map((p) => p.toString()) }
  },
  async subscribers ({ topic }) {
    return pubsub.getSubscribers(topic).map((p) => p.toString())
  },
  async mesh ({ topic }) {
    return pubsub.getMeshPeers(topic).map((p) => p.toString())
  },
  async score ({ peer }) {
    return pubsub.score.score(peer)
  },
  // {peerId: score} for the given peers (default: every pubsub peer), as js's own PeerScore sees them.
  async scores ({ peers }) {
    const ids = peers ?? pubsub.getPeers().map((p) => p.toString())
    return Object.fromEntries(ids.map((id) => [id, pubsub.score.score(id)]))
  },
  async peers () {
    return pubsub.getPeers().map((p) => p.toString())
  }
}

emit({
  event: 'started',
  peerId: node.peerId.toString(),
  addrs: node.getMultiaddrs().map((ma) => ma.toString()),
  protocols: node.getProtocols(),
  versions: packageVersions(['libp2p', '@libp2p/gossipsub', '@libp2p/identify', '@libp2p/yamux'])
})

serveNode(node, commands)
