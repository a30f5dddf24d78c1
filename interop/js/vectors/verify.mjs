#!/usr/bin/env node
// Checks vectors produced by another implementation (the Java stack) against the pinned js libraries.
//
//   node vectors/verify.mjs < vectors.json
//
// Input (every section optional):
//   { keys: [{ type, privateKey?, publicKey, peerId, cid?, multihash?, message?, signature? }],
//     peerIds: [{ peerId, cid?, multihash? }],
//     multiaddrs: [{ string, bytes, input? }] }
// Hex for bytes (any case); key type names as in js ('Ed25519', 'secp256k1', 'RSA'), case-insensitive.
// For every case js must decode it, re-encode it byte for byte, derive the same peer id / CID / multihash, verify
// the signature (and reject it for a changed message), and, for Ed25519 and RSA (deterministic), produce the
// same signature. Multiaddrs are checked with @multiformats/multiaddr 12.x and 13.x.
//
// Output: { checked, counts, assertions, failures: [{ section, index, check, expected?, actual?, error? }], info }
// Exit code 0 when there are no failures, 1 otherwise, 2 when the input is not usable.
import { privateKeyFromProtobuf, privateKeyToProtobuf, publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr as multiaddr12 } from '@multiformats/multiaddr'
import { multiaddr as multiaddr13 } from 'multiaddr-13'
import { fromHex, toHex, readStdin, packageVersions } from '../lib/util.mjs'

const MAX_FAILURES = 500
const failures = []
let failureCount = 0
let assertions = 0
const info = { secp256k1Signatures: 0, secp256k1SignaturesIdenticalToJs: 0 }

function fail (section, index, check, details) {
  failureCount++
  if (failures.length < MAX_FAILURES) failures.push({ section, index, check, ...details })
}

/** Runs one named check; a thrown error counts as a failure of that check. Returns false on failure. */
async function check (section, index, name, fn) {
  assertions++
  try {
    const r = await fn()
    if (r === true || r === undefined) return true
    fail(section, index, name, typeof r === 'object' ? r : { actual: String(r) })
  } catch (err) {
    fail(section, index, name, { error: String(err?.message ?? err) })
  }
  return false
}

const same = (expected, actual) => expected === actual ? true : { expected, actual }
const sameHex = (expected, actual) => same(String(expected).toLowerCase(), actual)

async function checkKey (c, i) {
  const S = 'keys'
  let pub
  const pubOk = await check(S, i, 'publicKey decodes and re-encodes', () => {
    pub = publicKeyFromProtobuf(fromHex(c.publicKey))
    return sameHex(c.publicKey, toHex(publicKeyToProtobuf(pub)))
  })
  if (!pubOk) return
  await check(S, i, 'key type', () => same(String(c.type).toLowerCase(), pub.type.toLowerCase()))

  let priv
  if (c.privateKey != null) {
    const privOk = await check(S, i, 'privateKey decodes and re-encodes', () => {
      priv = privateKeyFromProtobuf(fromHex(c.privateKey))
      return sameHex(c.privateKey, toHex(privateKeyToProtobuf(priv)))
    })
    if (privOk) {
      await check(S, i, 'privateKey matches publicKey', () => sameHex(c.publicKey, toHex(publicKeyToProtobuf(priv.publicKey))))
    }
  }

  let pid
  const pidOk = await check(S, i, 'peer id from public key', () => {
    pid = peerIdFromPublicKey(pub)
    return same(c.peerId, pid.toString())
  })
  if (!pidOk && pid == null) return
  await check(S, i, 'peer id string parses', () => {
    const parsed = peerIdFromString(c.peerId)
    if (!parsed.equals(pid)) return { expected: pid.toString(), actual: parsed.toString() }
    // identity peer ids carry the key: it must be the same key
    if (parsed.publicKey != null) return sameHex(c.publicKey, toHex(publicKeyToProtobuf(parsed.publicKey)))
  })
  if (c.cid != null) {
    await check(S, i, 'CID string', () => same(c.cid, pid.toCID().toString()))
    await check(S, i, 'CID string parses', () => same(pid.toString(), peerIdFromString(c.cid).toString()))
  }
  if (c.multihash != null) await check(S, i, 'multihash', () => sameHex(c.multihash, toHex(pid.toMultihash().bytes)))

  if (c.signature != null) {
    const message = fromHex(c.message ?? '')
    const signature = fromHex(c.signature)
    await check(S, i, 'signature verifies', async () => (await pub.verify(message, signature)) === true ? true : { actual: 'verify() returned false' })
    await check(S, i, 'signature rejected for another message', async () => {
      const other = Uint8Array.from([...message, 0x01])
      let ok
      try { ok = await pub.verify(other, signature) } catch { ok = false }
      return ok === false ? true : { actual: 'verify() accepted a changed message' }
    })
    if (priv != null && (pub.type === 'Ed25519' || pub.type === 'RSA')) {
      // deterministic schemes (RFC 8032, PKCS#1 v1.5): the bytes must be identical
      await check(S, i, `${pub.type} signature identical to js`, async () => sameHex(c.signature, toHex(await priv.sign(message))))
    }
    if (priv != null && pub.type === 'secp256k1') {
      info.secp256k1Signatures++
      if (toHex(await priv.sign(message)) === String(c.signature).toLowerCase()) info.secp256k1SignaturesIdenticalToJs++
    }
  }
}

async function checkPeerId (c, i) {
  const S = 'peerIds'
  let pid
  const ok = await check(S, i, 'peer id string parses and prints', () => {
    pid = peerIdFromString(c.peerId)
    return same(c.peerId, pid.toString())
  })
  if (!ok) return
  if (c.cid != null) {
    await check(S, i, 'CID string', () => same(c.cid, pid.toCID().toString()))
    await check(S, i, 'CID string parses', () => same(c.peerId, peerIdFromString(c.cid).toString()))
  }
  if (c.multihash != null) await check(S, i, 'multihash', () => sameHex(c.multihash, toHex(pid.toMultihash().bytes)))
}

async function checkMultiaddr (c, i) {
  const S = 'multiaddrs'
  for (const [v, multiaddr] of [['12', multiaddr12], ['13', multiaddr13]]) {
    await check(S, i, `multiaddr ${v}: string to bytes`, () => sameHex(c.bytes, toHex(multiaddr(c.string).bytes)))
    await check(S, i, `multiaddr ${v}: bytes to string`, () => same(c.string, multiaddr(fromHex(c.bytes)).toString()))
    if (c.input != null) {
      await check(S, i, `multiaddr ${v}: input spelling to bytes`, () => sameHex(c.bytes, toHex(multiaddr(c.input).bytes)))
    }
  }
}

let input
try {
  input = JSON.parse(await readStdin())
  for (const k of ['keys', 'peerIds', 'multiaddrs']) {
    if (input[k] != null && !Array.isArray(input[k])) throw new Error(`"${k}" must be an array`)
  }
} catch (err) {
  process.stdout.write(JSON.stringify({ error: `unusable input: ${err.message}` }) + '\n')
  process.exit(2)
}

const counts = { keys: input.keys?.length ?? 0, peerIds: input.peerIds?.length ?? 0, multiaddrs: input.multiaddrs?.length ?? 0 }
for (const [i, c] of (input.keys ?? []).entries()) await checkKey(c, i)
for (const [i, c] of (input.peerIds ?? []).entries()) await checkPeerId(c, i)
for (const [i, c] of (input.multiaddrs ?? []).entries()) await checkMultiaddr(c, i)

process.stdout.write(JSON.stringify({
  checked: counts.keys + counts.peerIds + counts.multiaddrs,
  counts,
  assertions,
  failureCount,
  failures,
  info,
  verifier: packageVersions(['@libp2p/crypto', '@libp2p/peer-id', '@multiformats/multiaddr', 'multiaddr-13'])
}, null, 1) + '\n')
process.exit(failureCount === 0 ? 0 : 1)
