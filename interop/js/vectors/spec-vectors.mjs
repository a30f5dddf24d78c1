#!/usr/bin/env node
// Maintains the published-vector resource (libp2p/src/test/resources/org/lotusia/libp2p/interop/peer-id-spec-vectors.json):
// reads it, recomputes every derived field with the pinned js libraries from the published inputs
// (privateKey/publicKey as printed in the libp2p peer-ids spec, multiaddr strings, peer id strings) and
//   node vectors/spec-vectors.mjs FILE            prints the recomputed JSON
//   node vectors/spec-vectors.mjs FILE --check    exits 1 (listing the differences) when FILE is stale
// Keys js cannot handle (ECDSA, see interop-notes §2.2) keep their values, which follow the spec's rules.
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { privateKeyFromProtobuf, privateKeyToProtobuf, publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromMultihash, peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { multiaddr } from '@multiformats/multiaddr'
import { multiaddr as multiaddr13 } from 'multiaddr-13'
import { fromHex, toHex } from '../lib/util.mjs'

const [file, mode] = process.argv.slice(2)
if (file == null) {
  console.error('usage: spec-vectors.mjs FILE [--check]')
  process.exit(2)
}
const original = JSON.parse(readFileSync(file, 'utf8'))
const doc = structuredClone(original)
const message = fromHex(doc.message)

for (const k of doc.keys) {
  if (k.jsSupported === false) {
    // spec rule only: PublicKey protobuf > 42 bytes -> sha2-256 multihash (cannot be checked with js)
    const pub = fromHex(k.publicKey)
    const digest = pub.length > 42
      ? Digest.create(0x12, createHash('sha256').update(pub).digest())
      : Digest.create(0x00, pub)
    const pid = peerIdFromMultihash(digest)
    k.peerId = pid.toString()
    k.cid = pid.toCID().toString()
    k.multihash = toHex(digest.bytes)
    continue
  }
  const priv = privateKeyFromProtobuf(fromHex(k.privateKey))
  const pub = publicKeyFromProtobuf(fromHex(k.publicKey))
  if (!priv.publicKey.equals(pub)) throw new Error(`${k.name}: the published public key does not belong to the private key`)
  k.type = pub.type
  k.privateKeyReencoded = toHex(privateKeyToProtobuf(priv))
  k.publicKeyReencoded = toHex(publicKeyToProtobuf(pub))
  const pid = peerIdFromPublicKey(pub)
  k.peerId = pid.toString()
  k.cid = pid.toCID().toString()
  k.multihash = toHex(pid.toMultihash().bytes)
  k.signature = toHex(await priv.sign(message))
}

for (const p of doc.peerIds ?? []) {
  const pid = peerIdFromString(p.peerId)
  p.cid = pid.toCID().toString()
  p.multihash = toHex(pid.toMultihash().bytes)
  if (peerIdFromString(p.cid).toString() !== p.peerId) throw new Error(`${p.peerId}: CID does not parse back`)
}

for (const m of doc.multiaddrs ?? []) {
  const bytes = multiaddr(m.string).bytes
  m.bytes = toHex(bytes)
  if (multiaddr(bytes).toString() !== m.string) throw new Error(`${m.string} is not js's canonical spelling: ${multiaddr(bytes).toString()}`)
  if (toHex(multiaddr13(m.string).bytes) !== m.bytes || multiaddr13(bytes).toString() !== m.string) throw new Error(`multiaddr 13 disagrees on ${m.string}`)
}

const out = JSON.stringify(doc, null, 2) + '\n'
if (mode === '--check') {
  const before = JSON.stringify(original, null, 2) + '\n'
  if (before !== out) {
    console.error(`${file} is stale; regenerate with: node vectors/spec-vectors.mjs ${file} > tmp && mv tmp ${file}`)
    process.exit(1)
  }
  console.error(`${file}: all derived values match js`)
} else {
  process.stdout.write(out)
}
