"""Time travel, history and verification by replay."""

import json

import pytest

from ao_kernel import Network

BANK = """
Balances = Balances or {}
Handlers.add("Deposit", "Deposit", function(msg)
  Balances[msg.From] = (Balances[msg.From] or 0) + tonumber(msg.Quantity)
  msg.reply({ Action = "Deposited", Data = tostring(Balances[msg.From]) })
end)
Handlers.add("Fail", "Fail", function() Balances.broken = true; error("nope") end)
Handlers.add("Tick", "Tick", function() Ticks = (Ticks or 0) + 1 end)
"""


@pytest.fixture
def world():
    net = Network()
    bank = net.spawn("bank", code=BANK,
                     tags={"Cron-Interval": "1-minute", "Cron-Tag-Action": "Tick"})
    alice, bob = net.wallet("alice"), net.wallet("bob")
    for i, who in enumerate([alice, bob, alice, bob, alice]):
        net.send(bank, action="Deposit", tags={"Quantity": str(i + 1)}, sender=who)
        if i == 2:
            net.send(bank, action="Fail")
        net.advance("30-seconds")
    return net, bank, alice, bob


def test_at_slot_and_time_match_the_live_state_then(world):
    net, bank, alice, _ = world
    seen = {}
    fresh = Network()
    twin = fresh.spawn("bank", code=BANK,
                       tags={"Cron-Interval": "1-minute", "Cron-Tag-Action": "Tick"})
    seen[twin.log[-1].slot] = twin.get("Balances")
    for i, who in enumerate(["alice", "bob", "alice", "bob", "alice"]):
        m = fresh.send(twin, action="Deposit", tags={"Quantity": str(i + 1)},
                       sender=fresh.wallet(who))
        seen[m.slot] = twin.get("Balances")
        if i == 2:
            fresh.send(twin, action="Fail")
        fresh.advance("30-seconds")
    for slot, balances in seen.items():
        assert bank.at(slot).get("Balances") == balances
    view = bank.at(2)
    assert view.get("Balances") == {alice.address: 1}
    assert view.slot == 2 and view.timestamp == bank.log[2].timestamp
    first_tick = next(m for m in bank.log if m.cron)
    assert bank.at(time=first_tick.timestamp).get("Ticks") == 1
    assert bank.at(time=first_tick.timestamp - 1).get("Ticks") is None
    assert view.eval("Balances.extra = 1 return 7").output == "7"
    assert view.get("Balances.extra") is None
    assert view.inbox == bank.at(2).inbox
    with pytest.raises(ValueError, match="has no slot 999"):
        bank.at(999)
    with pytest.raises(TypeError, match="either a slot or time"):
        bank.at()


def test_history_is_one_value_per_message(world):
    net, bank, alice, _ = world
    series = bank.history(f'Balances["{alice.address}"]')
    assert len(series) == len(bank.log)
    assert list(series.index.names) == ["slot", "timestamp"]
    values = [v for v in series if v is not None]
    assert values == sorted(values) and values[-1] == 1 + 3 + 5
    failed = next(i for i, m in enumerate(bank.log) if m.result.error)
    assert series.iloc[failed] == series.iloc[failed - 1]
    ticks = bank.history("Ticks")
    assert ticks.iloc[-1] == bank.get("Ticks")


def test_verify_passes_on_an_honest_log_and_digests_are_stable(world):
    net, bank, *_ = world
    reports = net.verify()
    assert all(r.ok for r in reports), reports
    assert bank.verify().ok
    assert bank.state_digest() == bank.state_digest()
    twin = net.fork()
    assert twin.process("bank").state_digest() == bank.state_digest()
    net.send(bank, action="Deposit", tags={"Quantity": "1"})
    assert twin.process("bank").state_digest() != bank.state_digest()


def test_verify_catches_a_tampered_message(world):
    net, bank, alice, _ = world
    row = next(r for r in net.store.rows(process=bank.id) if r["action"] == "Deposit")
    tags = [[n, "100" if n == "Quantity" else v] for n, v in json.loads(row["tags"])]
    net.store.db.execute("UPDATE log SET tags = ? WHERE seq = ?", (json.dumps(tags), row["seq"]))
    net.store.db.commit()
    report = bank.verify()
    assert not report.ok
    assert report.slot == row["slot"]
    assert "differs" in report.problem


def test_verify_catches_a_broken_hash_chain(world):
    net, bank, *_ = world
    row = [r for r in net.store.rows(process=bank.id) if r["slot"] is not None][4]
    net.store.db.execute("UPDATE log SET hash_chain = ? WHERE seq = ?", ("x" * 43, row["seq"]))
    net.store.db.commit()
    report = bank.verify()
    assert not report.ok and report.problem == "hash chain broken" and report.slot == row["slot"]


def test_verify_catches_a_live_state_changed_behind_the_logs_back(world):
    net, bank, *_ = world
    net.compute.runtimes[bank.id].runtime.execute("Balances.sneaky = 1")
    report = bank.verify()
    assert not report.ok and "live state" in report.problem
