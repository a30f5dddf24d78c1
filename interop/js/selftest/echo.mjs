#!/usr/bin/env node
// JSON-lines self test for the Java harness (JsonLinesProcess): announces itself, answers commands, exits on
// stdin EOF.
//   {"id":1,"cmd":"echo","value":X}    -> {"event":"result","id":1,"value":X}
//   {"id":2,"cmd":"events","count":N}  -> N x {"event":"tick","n":i}, then {"event":"result","id":2}
//   {"id":3,"cmd":"fail"}              -> {"event":"error","id":3,"error":"..."}
//   {"cmd":"exit","code":C}            -> exits with code C
import { emit, onCommands, packageVersions } from '../lib/util.mjs'

emit({
  event: 'ready',
  pid: process.pid,
  withResolvers: typeof Promise.withResolvers === 'function',
  versions: packageVersions(['libp2p', '@libp2p/crypto', '@libp2p/peer-id', '@libp2p/yamux', '@chainsafe/libp2p-noise'])
})
console.log('this line is not JSON and must be ignored by the reader')

onCommands(async (cmd) => {
  switch (cmd.cmd) {
    case 'echo':
      emit({ event: 'result', id: cmd.id, value: cmd.value })
      break
    case 'events':
      for (let i = 0; i < cmd.count; i++) emit({ event: 'tick', n: i })
      emit({ event: 'result', id: cmd.id })
      break
    case 'fail':
      throw new Error('failing on request')
    case 'exit':
      process.exit(cmd.code ?? 0)
      break
    default:
      emit({ event: 'error', id: cmd.id, error: `unknown command ${cmd.cmd}` })
  }
}, () => { emit({ event: 'bye' }); process.exit(0) })
