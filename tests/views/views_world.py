"""A small network with every kind of hop: spawns (by wallets and by a process), messages,
replies to wallets, a cron, a failed message, a process-to-process exchange and an assignment."""

from ao_kernel import Network

BANK = """
Balances = Balances or {}
Handlers.add("Deposit", "Deposit", function(msg)
  Balances[msg.From] = (Balances[msg.From] or 0) + tonumber(msg.Tags.Quantity)
  msg.reply({ Action = "Deposited", Data = tostring(Balances[msg.From]) })
end)
Handlers.add("Tick", "Tick", function() Ticks = (Ticks or 0) + 1 end)
Handlers.add("Fail", "Fail", function() Balances.broken = true; error("nope") end)
Handlers.add("Make", "Make", function() Spawn(ao.env.Module.Id, { Name = "child" }) end)
"""
PING = 'Handlers.add("Ping", "Ping", function(msg) msg.reply({ Action = "Pong" }) end)'
PONG = """
Handlers.add("Go", "Go", function(msg) Send({ Target = msg.Tags.Peer, Action = "Ping" }) end)
Handlers.add("Pong", "Pong", function() Pongs = (Pongs or 0) + 1 end)
"""
START = 1735689600000


def build() -> Network:
    net = Network()
    alice, bob = net.wallet("alice"), net.wallet("bob")
    bank = net.spawn("bank", owner=alice, code=BANK,
                     tags={"Cron-Interval": "1-minute", "Cron-Tag-Action": "Tick"})
    ping = net.spawn("ping", code=PING)
    pong = net.spawn("pong", code=PONG)
    for i, who in enumerate([alice, bob, alice]):
        net.send(bank, action="Deposit", tags={"Quantity": str(i + 1)}, sender=who)
        net.advance("30-seconds")
    net.send(bank, action="Fail", sender=alice)
    net.send(pong, action="Go", tags={"Peer": ping.id})
    go = net.send(pong, action="Go", tags={"Peer": ping.id})
    net.send(bank, action="Make", sender=alice)
    net.assign(go, bank)
    return net
