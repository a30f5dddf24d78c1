#!/usr/bin/env node
// Reference formulas of the Lotus P2P message layer (reimplemented from the documented behaviour of
// lib/protocol.ts) for MessageInteropTest.
//
// stdin: one JSON object {"messages": ["<base64 of a serialized P2PMessage>", ...], "timestamps": [ms, ...], "ids": N}
// stdout: one JSON object {
//   "results": [{"hash": hex, "json": JSON.stringify(JSON.parse(utf8)), "base36": timestamp.toString(36)}, ...],
//   "base36": [ts.toString(36) for each of "timestamps"],
//   "ids": [N message ids generated like the reference's _generateMessageId]
// }
import { createHmac, randomBytes } from 'node:crypto'

const HASH_KEY = 'lotus-lib-p2p-message-hash-key'

/** computeMessageHash: hex(HMAC-SHA256(key, utf8(type) || utf8(from) || utf8(to ?? '') || utf8(messageId))). */
export function computeMessageHash (message) {
  const data = Buffer.concat([
    Buffer.from(message.type, 'utf8'),
    Buffer.from(message.from, 'utf8'),
    Buffer.from(message.to ?? '', 'utf8'),
    Buffer.from(message.messageId, 'utf8')
  ])
  return createHmac('sha256', Buffer.from(HASH_KEY, 'ascii')).update(data).digest('hex')
}

/** _generateMessageId: Date.now() in base 36, '-', 16 lowercase hex chars of 8 random bytes. */
export function generateMessageId () {
  return `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`
}

async function readStdin () {
  const chunks = []
  for await (const c of process.stdin) chunks.push(c)
  return Buffer.concat(chunks).toString('utf8')
}

const input = JSON.parse(await readStdin())
const results = (input.messages ?? []).map((b64) => {
  const message = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'))
  return { hash: computeMessageHash(message), json: JSON.stringify(message) }
})
const base36 = (input.timestamps ?? []).map((ts) => Number(ts).toString(36))
const ids = Array.from({ length: input.ids ?? 0 }, generateMessageId)
process.stdout.write(JSON.stringify({ results, base36, ids }) + '\n')
