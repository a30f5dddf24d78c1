#!/usr/bin/env node
// Smoke test of the pinned js stack on its own: two js-libp2p nodes with every service the Lotus SDK configures
// (except UPnP and bootstrap, which would reach outside 127.0.0.1) listen on 127.0.0.1 over TCP and WebSockets,
// dial each other, ping and exchange a gossipsub message. Prints one JSON summary; exit 0 on success.
import { noise } from '@chainsafe/libp2p-noise'
import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { packageVersions } from '../lib/util.mjs'

const timer = setTimeout(() => { console.log(JSON.stringify({ ok: false, error: 'timed out' })); process.exit(1) }, 30_000)

function node (relay) {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [tcp(), webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      identifyPush: identifyPush(),
      ping: ping(),
      dht: kadDHT({ clientMode: false, protocol: '/lotus/kad/1.0.0' }),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
      dcutr: dcutr(),
      autonat: autoNAT(),
      ...(relay ? { relay: circuitRelayServer() } : {})
    }
  })
}

const started = Date.now()
const a = await node(true)
const b = await node(false)
try {
  const tcpAddr = a.getMultiaddrs().find((ma) => !ma.toString().includes('/ws'))
  const wsAddr = a.getMultiaddrs().find((ma) => ma.toString().includes('/ws'))
  await b.dial(tcpAddr)
  const rtt = await b.services.ping.ping(a.peerId)
  const topic = 'lotus-selftest'
  a.services.pubsub.subscribe(topic)
  b.services.pubsub.subscribe(topic)
  const received = new Promise((resolve) => a.services.pubsub.addEventListener('message', (e) => resolve(new TextDecoder().decode(e.detail.data))))
  // wait for the mesh/subscription exchange, then publish
  for (let i = 0; i < 50 && b.services.pubsub.getSubscribers(topic).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100))
  await b.services.pubsub.publish(topic, new TextEncoder().encode('hello'))
  const message = await received
  await b.hangUp(a.peerId)
  await b.dial(wsAddr)
  const wsRtt = await b.services.ping.ping(a.peerId)
  console.log(JSON.stringify({
    ok: message === 'hello',
    pingMs: rtt,
    wsPingMs: wsRtt,
    message,
    protocols: a.getProtocols(),
    elapsedMs: Date.now() - started,
    versions: packageVersions(['libp2p', '@libp2p/gossipsub', '@libp2p/kad-dht', '@libp2p/yamux', '@chainsafe/libp2p-noise'])
  }))
} finally {
  clearTimeout(timer)
  await Promise.all([a.stop(), b.stop()])
}
