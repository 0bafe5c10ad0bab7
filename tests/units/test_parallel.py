"""Parallel evaluation: messages for different processes side by side, same log as one by one."""

import os
import signal
import threading

import pytest

import ao_kernel.units.parallel as parallel
from ao_kernel import Network

WORKER = """
Handlers.add("Work", "Work", function(msg)
  local x = 0
  for i = 1, tonumber(msg.Size or "20000") do x = (x + i * 7) % 1000003 end
  Total = (Total or 0) + x
  Seen = (Seen or 0) + 1
  if msg.Fail == "yes" then error("failed on purpose after changing state") end
  if msg.Forward then Send({ Target = msg.Forward, Action = "Work", Size = "3000" }) end
  if msg.Child == "yes" then Spawn(ao.env.Module.Id, { Data = "", Name = "child" }) end
  msg.reply({ Action = "Done", Data = tostring(Total) })
end)
"""

HUB = """
Handlers.add("Fan", "Fan", function(msg)
  for i, target in ipairs(Workers) do
    Send({ Target = target, Action = "Work", Size = tostring(10000 + 1000 * i),
           Fail = (i % 4 == 0) and "yes" or "no",
           Forward = Workers[(i % #Workers) + 1],
           Child = (i == 2) and "yes" or "no" })
  end
end)
"""


def _world(workers: int) -> Network:
    net = Network(workers=workers)
    procs = [net.spawn(f"w{i}", code=WORKER, tags={"Cron-Interval": "2-seconds"})
             for i in range(6)]
    for p in procs:
        p.eval('Handlers.add("Cron", "Cron", function() Ticks = (Ticks or 0) + 1 end)')
    hub = net.spawn("hub", code=HUB)
    hub.eval("Workers = {" + ", ".join(f'"{p.id}"' for p in procs) + "}")
    for _ in range(3):
        net.send(hub, "Fan")
        net.advance("5-seconds")
    first = net.send(procs[0], "Work")
    net.assign(first, *procs[1:])
    return net


@pytest.fixture
def counted(monkeypatch):
    """Counts jobs that ran on pool threads; any batch is worth a thread in these tests."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_SECONDS", 0.0)
    seen = []
    original = parallel._evaluate_chunk

    def chunk(runtimes, args):
        if threading.current_thread() is not threading.main_thread():
            seen.append(len(args))
        return original(runtimes, args)

    monkeypatch.setattr(parallel, "_evaluate_chunk", chunk)
    return seen


def test_parallel_log_ids_and_states_equal_the_sequential_run(counted):
    one = _world(workers=1)
    assert counted == []
    four = _world(workers=4)
    assert sum(counted) > 20, "batches should have gone to the thread pool"
    assert one.messages().equals(four.messages())
    assert one.results().equals(four.results())
    assert [p.id for p in one.processes] == [p.id for p in four.processes]
    for a, b in zip(one.processes, four.processes, strict=True):
        assert a.get("Total") == b.get("Total") and a.get("Ticks") == b.get("Ticks")
        assert one.compute.runtimes[a.id].digest() == four.compute.runtimes[b.id].digest()
    assert all(r.ok for r in four.verify())


def test_durable_parallel_network_reopens_sequentially(tmp_path, counted):
    path = str(tmp_path / "d.ao")
    net = Network(path=path, workers=3)
    procs = [net.spawn(f"w{i}", code=WORKER) for i in range(4)]
    hub = net.spawn("hub", code=HUB)
    hub.eval("Workers = {" + ", ".join(f'"{p.id}"' for p in procs) + "}")
    net.send(hub, "Fan")
    assert counted
    log = net.messages()
    net.close()
    reopened = Network.open(path, workers=1)
    assert reopened.store.mismatches == []
    assert reopened.messages().equals(log)
    reopened.close()


def test_single_steps_and_run_until_stop_where_sequential_steps_do(counted):
    nets = []
    for workers in (1, 4):
        net = Network(workers=workers, auto_run=False)
        procs = [net.spawn(f"w{i}", code=WORKER) for i in range(5)]
        net.run()
        msgs = [net.send(p, "Work", tags={"Size": "5000"}) for p in procs]
        net.step()
        net.run_until(msgs[2])
        net.run(limit=1)
        nets.append((net, [m.result is not None for m in msgs], len(net.pending())))
    (a, done_a, left_a), (b, done_b, left_b) = nets
    assert done_a == done_b == [True, True, True, True, False]
    assert left_a == left_b
    assert a.messages().equals(b.messages())


def test_interrupt_inside_a_batch_rolls_back_what_ran_ahead(counted):
    net = Network(workers=2, instruction_limit=10**12)
    spinner = net.spawn("spin", code="""
      Handlers.add("Spin", "Spin", function() Spun = true; while true do end end)
    """)
    procs = [net.spawn(f"w{i}", code=WORKER) for i in range(3)]
    hub = net.spawn("hub", code="""
      Handlers.add("Go", "Go", function(msg)
        for _, t in ipairs(Targets) do
          Send({ Target = t, Action = t == Targets[1] and "Spin" or "Work", Size = "100" })
        end
      end)
    """)
    hub.eval("Targets = {" + ", ".join(f'"{p.id}"' for p in [spinner, *procs]) + "}")
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        net.send(hub, "Go")
    timer.join()
    assert "interrupted by the user" in spinner.log[-1].result.error
    assert spinner.get("Spun") is None
    # what the batch evaluated after the interrupted message was undone and requeued
    assert [m.target for m in net.pending()] == [p.id for p in procs]
    assert all(p.get("Seen") is None for p in procs)
    net.run()
    assert all(p.get("Seen") == 1 for p in procs)
    assert all(r.ok for r in net.verify())


def test_workers_default_to_the_cores_and_one_means_sequential():
    assert Network().compute.workers == max(1, min(8, os.cpu_count() or 1))
    assert Network(workers=1).compute.workers == 1
    assert Network(workers=0).compute.workers == 1
    for bad in ("2", 1.5, True):
        with pytest.raises(TypeError, match="workers must be a whole number"):
            Network(workers=bad)
        with pytest.raises(TypeError, match="resident must be a whole number"):
            Network(resident=bad)


def test_small_messages_go_one_by_one_and_big_ones_side_by_side(monkeypatch):
    """A batch of messages too small to be worth a thread (by the processes' running costs) is
    carried one by one, without the batch's bookkeeping; worth it, they go as a batch."""
    batches = []
    net = Network(workers=2)
    original = net.compute.evaluate_many

    def spy(jobs):
        batches.append(len(jobs))
        return original(jobs)

    monkeypatch.setattr(net.compute, "evaluate_many", spy)
    small = 'Handlers.add("Tick", "Tick", function() Seen = (Seen or 0) + 1 end)'
    procs = [net.spawn(f"w{i}", code=small) for i in range(4)]
    hub = net.spawn("hub", code="""
Handlers.add("Fan", "Fan", function()
  for _, target in ipairs(Workers) do Send({ Target = target, Action = "Tick" }) end
end)""")
    hub.eval("Workers = {" + ", ".join(f'"{p.id}"' for p in procs) + "}")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_SECONDS", 10.0)  # every message is "small"
    net.send(hub, "Fan")
    assert batches == [] and all(p.get("Seen") == 1 for p in procs)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_SECONDS", 0.0)  # every message is "big"
    net.send(hub, "Fan")
    assert batches == [4] and all(p.get("Seen") == 2 for p in procs)
