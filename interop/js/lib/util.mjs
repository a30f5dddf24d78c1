// Small helpers shared by the interop scripts (no dependencies beyond Node itself).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

export const toHex = (bytes) => Buffer.from(bytes).toString('hex')

export function fromHex (hex) {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new Error(`not a hex string: ${String(hex).slice(0, 40)}`)
  }
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

export const bytesEqual = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0

/** Reads all of stdin as UTF-8. */
export async function readStdin () {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

/** Versions of the installed packages (read from their package.json files). */
export function packageVersions (names) {
  const out = { node: process.version }
  for (const name of names) {
    try {
      const url = new URL(`../node_modules/${name}/package.json`, import.meta.url)
      out[name] = JSON.parse(readFileSync(url, 'utf8')).version
    } catch {
      out[name] = null
    }
  }
  return out
}

/**
 * Deterministic byte stream: SHA-256(seed || counter) blocks. Good enough for test data; not for keys
 * that protect anything.
 */
export class Rng {
  constructor (seed) {
    this.seed = String(seed)
    this.counter = 0
    this.pool = Buffer.alloc(0)
  }

  bytes (n) {
    while (this.pool.length < n) {
      const block = createHash('sha256').update(this.seed).update(':').update(String(this.counter++)).digest()
      this.pool = Buffer.concat([this.pool, block])
    }
    const out = new Uint8Array(this.pool.subarray(0, n))
    this.pool = this.pool.subarray(n)
    return out
  }

  /** Uniform integer in [0, max). */
  int (max) {
    if (max <= 1) return 0
    const b = this.bytes(6)
    const v = b[0] * 2 ** 40 + b[1] * 2 ** 32 + b[2] * 2 ** 24 + b[3] * 2 ** 16 + b[4] * 2 ** 8 + b[5]
    return v % max
  }

  chance (p) { return this.int(1_000_000) < p * 1_000_000 }

  pick (items) { return items[this.int(items.length)] }
}

/**
 * JSON-lines protocol for long-running scripts (see README.md): emit({ event: ... }) writes one line on stdout;
 * onCommands(fn, onEnd) calls fn(object) for every JSON line read on stdin. Commands run concurrently; a command
 * that throws is answered with { event: 'error', id, error }; a line that is not JSON with { event: 'error' }.
 * When stdin ends, onEnd() runs after every command in flight has settled (default: exit 0).
 */
export function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

export function onCommands (fn, onEnd = () => process.exit(0)) {
  const inflight = new Set()
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
  rl.on('line', (line) => {
    if (line.trim() === '') return
    let cmd
    try {
      cmd = JSON.parse(line)
    } catch (err) {
      emit({ event: 'error', error: `bad command line: ${err.message}` })
      return
    }
    const p = Promise.resolve()
      .then(() => fn(cmd))
      .catch((err) => emit({ event: 'error', id: cmd?.id, cmd: cmd?.cmd, error: String(err?.stack ?? err) }))
      .finally(() => inflight.delete(p))
    inflight.add(p)
  })
  rl.on('close', () => {
    Promise.allSettled([...inflight]).then(() => onEnd())
  })
  return rl
}

/**
 * Serves a js-libp2p node over JSON lines. `commands` maps a command name to an async function of the
 * command object. Replies: { event: 'result', id, cmd, ok: true, result } or
 * { event: 'error', id, cmd, ok: false, error, errorName, errorCode, stack }. The `stop` command, SIGTERM,
 * SIGINT and the end of stdin stop the node, print { event: 'stopped' } and exit 0. Returns that stop function.
 */
export function serveNode (node, commands) {
  let stopping = null
  const stop = () => {
    stopping ??= node.stop()
      .catch((err) => process.stderr.write(`stop failed: ${err.stack ?? err}\n`))
      .finally(() => { emit({ event: 'stopped' }); process.exit(0) })
    return stopping
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  onCommands(async (cmd) => {
    const { id, cmd: name } = cmd
    if (name === 'stop') {
      emit({ event: 'result', id, cmd: name, ok: true, result: {} })
      stop()
      return
    }
    try {
      const fn = commands[name]
      if (fn == null) throw new Error(`unknown command ${name}`)
      const result = await fn(cmd)
      emit({ event: 'result', id, cmd: name, ok: true, result: result ?? {} })
    } catch (err) {
      emit({ event: 'error', id, cmd: name, ok: false, error: String(err?.message ?? err), errorName: err?.name ?? null, errorCode: err?.code ?? null, stack: err?.stack ?? null })
    }
  }, stop)
  return stop
}
