#!/usr/bin/env node
// Generates random cross-implementation test vectors with the pinned js libraries and prints them as JSON.
//
//   node vectors/generate.mjs N [SEED] [--rsa=K] [--multiaddrs=M]
//
// N key cases (K of them RSA-2048, default 3; the rest Ed25519 and secp256k1, about half each) and M multiaddr
// cases (default N). Everything except the RSA keys is derived from SEED (random when absent; the seed used is in
// the output, so a failing run can be reproduced).
//
// Output: { generator: {...versions, seed}, keys: [KeyCase], multiaddrs: [AddrCase] }
//   KeyCase  = { type: 'Ed25519'|'secp256k1'|'RSA', privateKey, publicKey (protobuf hex), peerId (base58btc),
//                cid (CIDv1 base32), multihash (hex), message (hex), signature (hex) }
//   AddrCase = { string (js canonical), bytes (hex), input? (an equivalent non-canonical spelling js accepts) }
// Multiaddr strings and bytes are checked to be identical under @multiformats/multiaddr 12.x (what the Lotus SDK
// imports) and 13.x (what js-libp2p 3.x itself uses); the script fails if the two disagree.
import { randomBytes } from 'node:crypto'
import { generateKeyPair, generateKeyPairFromSeed, privateKeyFromRaw, privateKeyToProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromMultihash } from '@libp2p/peer-id'
import { multiaddr as multiaddr12 } from '@multiformats/multiaddr'
import { multiaddr as multiaddr13 } from 'multiaddr-13'
import { base58btc } from 'multiformats/bases/base58'
import { base32 } from 'multiformats/bases/base32'
import { base64url } from 'multiformats/bases/base64'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { Rng, toHex, packageVersions } from '../lib/util.mjs'

function parseArgs (argv) {
  const opts = { n: NaN, seed: undefined, rsa: 3, multiaddrs: undefined }
  const positional = []
  for (const a of argv) {
    if (a.startsWith('--rsa=')) opts.rsa = Number(a.slice(6))
    else if (a.startsWith('--multiaddrs=')) opts.multiaddrs = Number(a.slice(13))
    else positional.push(a)
  }
  opts.n = Number(positional[0])
  opts.seed = positional[1] ?? toHex(randomBytes(8))
  if (!Number.isInteger(opts.n) || opts.n < 0 || !Number.isInteger(opts.rsa) || opts.rsa < 0) {
    console.error('usage: generate.mjs N [SEED] [--rsa=K] [--multiaddrs=M]')
    process.exit(2)
  }
  opts.rsa = Math.min(opts.rsa, opts.n)
  opts.multiaddrs = opts.multiaddrs ?? opts.n
  return opts
}

const opts = parseArgs(process.argv.slice(2))
const rng = new Rng(opts.seed)

// ---------------------------------------------------------------------------------------------------------------
// keys

function randomMessage () {
  const r = rng.int(20)
  const len = r === 0 ? 0 : r < 16 ? 1 + rng.int(64) : 65 + rng.int(1024)
  return rng.bytes(len)
}

async function secp256k1Key (index) {
  for (;;) {
    const raw = rng.bytes(32)
    // Every 8th key gets leading zero bytes: the private Data field must stay 32 bytes, not be trimmed.
    if (index % 8 === 3) raw.fill(0, 0, 1 + rng.int(3))
    try {
      return privateKeyFromRaw(raw)
    } catch {
      // out of range scalar (astronomically rare): draw again
    }
  }
}

async function keyCase (type, index) {
  let key
  if (type === 'Ed25519') key = await generateKeyPairFromSeed('Ed25519', rng.bytes(32))
  else if (type === 'secp256k1') key = await secp256k1Key(index)
  else key = await generateKeyPair('RSA', 2048)
  const peerId = peerIdFromPrivateKey(key)
  const message = randomMessage()
  const signature = await key.sign(message)
  if (!(await key.publicKey.verify(message, signature))) throw new Error(`js cannot verify its own ${type} signature`)
  return {
    type,
    privateKey: toHex(privateKeyToProtobuf(key)),
    publicKey: toHex(publicKeyToProtobuf(key.publicKey)),
    peerId: peerId.toString(),
    cid: peerId.toCID().toString(),
    multihash: toHex(peerId.toMultihash().bytes),
    message: toHex(message),
    signature: toHex(signature)
  }
}

const keys = []
for (let i = 0; i < opts.n; i++) {
  const type = i < opts.rsa ? 'RSA' : rng.chance(0.5) ? 'Ed25519' : 'secp256k1'
  keys.push(await keyCase(type, i))
}

// ---------------------------------------------------------------------------------------------------------------
// multiaddrs: each generator returns [canonicalish, alternative] value strings for one component

const LABEL_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789'
function label () {
  const len = 1 + rng.int(rng.chance(0.1) ? 63 : 12)
  let s = ''
  for (let i = 0; i < len; i++) {
    const inner = i > 0 && i < len - 1
    s += inner && rng.chance(0.05) ? '-' : LABEL_CHARS[rng.int(LABEL_CHARS.length)]
  }
  if (rng.chance(0.05)) s = s.toUpperCase() // case must be preserved byte for byte
  if (rng.chance(0.03)) s = 'bücher-' + s // non-ASCII: UTF-8 in the binary form
  return s
}

function hostname () {
  if (rng.chance(0.05)) {
    // long names make the length prefix a 2-byte varint
    const parts = []
    while (parts.join('.').length < 130) parts.push(label())
    return fitDnsLength(parts.join('.'))
  }
  const parts = []
  const n = 1 + rng.int(4)
  for (let i = 0; i < n; i++) parts.push(label())
  return fitDnsLength(parts.join('.'))
}

/** DNS names are at most 253 bytes; js does not check, but a bounded decoder (Java caps at 255) may. */
function fitDnsLength (name) {
  while (Buffer.byteLength(name) > 253) name = name.slice(0, -1)
  return name.replace(/[.-]+$/, '') || 'x'
}

function ip4 () {
  const special = ['0.0.0.0', '127.0.0.1', '255.255.255.255', '10.0.0.1', '192.168.1.1']
  if (rng.chance(0.15)) return [rng.pick(special)]
  return [Array.from(rng.bytes(4)).join('.')]
}

function ip6 () {
  let groups
  const r = rng.int(10)
  if (r === 0) groups = [0, 0, 0, 0, 0, 0, 0, rng.int(2)] // :: and ::1
  else if (r === 1) groups = [0, 0, 0, 0, 0, 0xffff, rng.int(65536), rng.int(65536)] // v4-mapped
  else if (r === 2) groups = [0xfe80, 0, 0, 0, rng.int(65536), rng.int(65536), rng.int(65536), rng.int(65536)]
  else {
    groups = []
    for (let i = 0; i < 8; i++) {
      const g = rng.int(4)
      groups.push(g === 0 ? 0 : g === 1 ? rng.int(16) : rng.int(65536))
    }
  }
  const full = groups.map((g) => g.toString(16)).join(':')
  const bytes = new Uint8Array(16)
  groups.forEach((g, i) => { bytes[2 * i] = g >> 8; bytes[2 * i + 1] = g & 0xff })
  // value string is whatever js prints for these bytes; an uncompressed, sometimes upper-case, form as input
  const alt = rng.chance(0.5) ? full.toUpperCase() : groups.map((g) => g.toString(16).padStart(4, '0')).join(':')
  return [ip6String(bytes), alt]
}

function ip6String (bytes) {
  return multiaddr12(Uint8Array.from([0x29, ...bytes])).toString().slice('/ip6/'.length)
}

function port () {
  return [String(rng.chance(0.3) ? rng.pick([0, 1, 80, 443, 4001, 8080, 65535]) : rng.int(65536))]
}

const randomPeerIds = []
function peerIdValue () {
  let pid
  if (rng.chance(0.25) || keys.length === 0) {
    pid = peerIdFromMultihash(Digest.create(sha256.code, rng.bytes(32)))
    randomPeerIds.push(pid)
  } else {
    pid = peerIdFromMultihash(Digest.decode(Buffer.from(rng.pick(keys).multihash, 'hex')))
  }
  // js accepts the CIDv1 (base32 libp2p-key) spelling too and stores the same multihash
  return [pid.toString(), pid.toCID().toString()]
}

function certhash () {
  const code = rng.chance(0.1) ? 0x13 : 0x12 // sha2-512 now and then
  const digest = Digest.create(code, rng.bytes(code === 0x13 ? 64 : 32))
  return [base64url.encode(digest.bytes), rng.chance(0.5) ? base58btc.encode(digest.bytes) : base32.encode(digest.bytes)]
}

const VALUE = {
  ip4,
  ip6,
  tcp: port,
  udp: port,
  dns: () => [hostname()],
  dns4: () => [hostname()],
  dns6: () => [hostname()],
  dnsaddr: () => [hostname()],
  sni: () => [hostname()],
  certhash,
  p2p: peerIdValue
}
const ZERO = ['ws', 'wss', 'tls', 'quic', 'quic-v1', 'webtransport', 'p2p-circuit', 'noise', 'http', 'https',
  'webrtc', 'webrtc-direct']
const ALL = [...Object.keys(VALUE), ...ZERO]

/** A component as [name, value|null, alternative input spelling|null]. */
function comp (name) {
  if (!(name in VALUE)) return [name, null, null]
  const [value, alt] = VALUE[name]()
  return [name, value, alt ?? null]
}

function host () {
  return comp(rng.pick(['ip4', 'ip4', 'ip6', 'dns', 'dns4', 'dns6']))
}

function realistic () {
  const out = []
  switch (rng.int(6)) {
    case 0:
    case 1: {
      out.push(host(), comp('tcp'))
      const t = rng.int(5)
      if (t === 1) out.push(comp('ws'))
      else if (t === 2) out.push(comp('wss'))
      else if (t === 3) out.push(comp('tls'), comp('sni'), comp('ws'))
      if (rng.chance(0.6)) out.push(comp('p2p'))
      if (rng.chance(0.3)) out.push(comp('p2p'), comp('p2p-circuit'), comp('p2p'))
      break
    }
    case 2:
      out.push(host(), comp('udp'), comp('quic-v1'))
      if (rng.chance(0.5)) {
        out.push(comp('webtransport'))
        for (let i = 1 + rng.int(2); i > 0; i--) out.push(comp('certhash'))
      }
      if (rng.chance(0.6)) out.push(comp('p2p'))
      break
    case 3:
      out.push(host(), comp('udp'), comp('webrtc-direct'), comp('certhash'), comp('p2p'))
      break
    case 4:
      out.push(comp('dnsaddr'))
      if (rng.chance(0.7)) out.push(comp('p2p'))
      break
    default:
      out.push(comp('p2p'), comp('p2p-circuit'), comp('p2p'))
  }
  return out
}

function randomComponents () {
  const out = []
  for (let n = 1 + rng.int(6); n > 0; n--) out.push(comp(rng.pick(ALL)))
  return out
}

function render (components, useAlt) {
  return components.map(([name, value, alt]) => {
    let n = name
    let v = value
    if (useAlt && alt != null) v = alt
    if (useAlt && name === 'p2p' && rng.chance(0.3)) n = 'ipfs'
    return v == null ? `/${n}` : `/${n}/${v}`
  }).join('')
}

function addrCase () {
  const components = rng.chance(0.7) ? realistic() : randomComponents()
  const first = multiaddr12(render(components, false))
  const bytes = first.bytes
  const canonical = multiaddr12(bytes).toString()
  const c = { string: canonical, bytes: toHex(bytes) }
  const check13 = multiaddr13(bytes)
  if (check13.toString() !== canonical || toHex(multiaddr13(canonical).bytes) !== c.bytes) {
    throw new Error(`multiaddr 12 and 13 disagree on ${canonical}: 13 prints ${check13.toString()}`)
  }
  if (rng.chance(0.3)) {
    const input = render(components, true)
    if (input !== canonical) {
      for (const [v, m] of [['12', multiaddr12], ['13', multiaddr13]]) {
        const got = toHex(m(input).bytes)
        if (got !== c.bytes) throw new Error(`multiaddr ${v} parses ${input} to ${got}, expected ${c.bytes}`)
      }
      c.input = input
    }
  }
  return c
}

const multiaddrs = []
for (let i = 0; i < opts.multiaddrs; i++) multiaddrs.push(addrCase())

process.stdout.write(JSON.stringify({
  generator: {
    ...packageVersions(['@libp2p/crypto', '@libp2p/peer-id', '@multiformats/multiaddr', 'multiaddr-13', 'multiformats']),
    seed: opts.seed,
    rsa: opts.rsa
  },
  keys,
  multiaddrs
}, null, 1) + '\n')
