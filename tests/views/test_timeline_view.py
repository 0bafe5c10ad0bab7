"""Timeline data: the state after every message, changes from the previous step, numbers."""

import pytest

from ao_kernel import LuaError
from ao_kernel.views import state_timeline
from ao_kernel.views.timeline import Diff, compact, diff, sort_key, state_rows, to_number


def test_values_match_history_and_time_travel(world):
    bank = world.process("bank")
    t = state_timeline(bank, "Balances")
    assert [s.value for s in t.steps] == list(bank.history("Balances"))
    assert len(t) == len(bank.log)
    for step in t.steps:
        if step.slot is not None and step.slot >= 1:
            assert step.value == bank.at(step.slot).get("Balances")
    assert [s.slot for s in t.steps] == [m.slot for m in bank.log]
    assert [s.action for s in t.steps] == [None, "Eval", "Deposit", "Deposit", "Tick",
                                          "Deposit", "Fail", "Make", "Spawned", "Go"]


def test_diffs_from_the_previous_step(world):
    alice, bob = world.wallet("alice").address, world.wallet("bob").address
    t = state_timeline(world.process("bank"), "Balances")
    steps = t.steps
    assert steps[1].diff == Diff(replaced=True)  # nil -> {}
    assert steps[2].diff.added == (alice,)
    assert steps[3].diff.added == (bob,)
    assert not steps[4].diff.any  # the cron does not touch Balances
    assert steps[5].diff.changed == (alice,) and steps[5].value[alice] == 4
    failed = steps[6]
    assert failed.error and "nope" in failed.error and not failed.diff.any
    rows = t.rows(5)
    assert rows == [(alice, 4, "changed"), (bob, 2, "")] or rows == [
        (bob, 2, ""), (alice, 4, "changed")]
    assert [r[0] for r in rows] == sorted([alice, bob])


def test_plot_expression_in_the_same_pass(world):
    bank = world.process("bank")
    t = state_timeline(bank, "Balances", plot="Ticks")
    assert t.numbers == [None, None, None, None, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert [s.value for s in t.steps] == list(bank.history("Balances"))
    alone = state_timeline(bank, "Ticks")
    assert alone.numbers == t.numbers
    assert alone.steps[4].diff == Diff(replaced=True)


def test_a_bad_expression_raises_at_once(world):
    with pytest.raises(LuaError):
        state_timeline(world.process("bank"), "Balances[")


def test_frame(world):
    frame = state_timeline(world.process("bank"), "Balances", plot="Ticks").frame()
    assert list(frame.columns) == ["index", "slot", "timestamp", "kind", "action", "from",
                                   "error", "changed", "number", "value"]
    assert list(frame["changed"]) == [False, True, True, True, False, True, False, False, False,
                                      False]


def test_helpers():
    assert diff({"a": 1}, {"a": 2, "b": 1}) == Diff(added=("b",), changed=("a",))
    assert diff({"a": 1, "c": 0}, {"a": 1}) == Diff(removed=("c",))
    assert diff([1, 2], [1, 3, 4]) == Diff(added=(3,), changed=(2,))
    assert diff(1, 1) == Diff() and diff(1, 2) == Diff(replaced=True)
    assert diff(None, {"x": 1}) == Diff(added=("x",), replaced=True)
    assert state_rows({"b": 1, "a": 2}, {"b": 1, "z": 9}, diff({"b": 1, "z": 9},
                                                                 {"b": 1, "a": 2})) == [
        ("a", 2, "added"), ("b", 1, ""), ("z", 9, "removed")]
    assert state_rows(5, 4, Diff(replaced=True)) == [("value", 5, "changed")]
    assert to_number("1000") == 1000.0 and to_number(" 2.5 ") == 2.5
    assert to_number(True) is None and to_number("abc") is None and to_number({}) is None
    assert to_number(float("nan")) is None
    assert sorted([2, "b", 1, "a"], key=sort_key) == [1, 2, "a", "b"]
    assert compact({"b": [1, 2], "a": None}) == '{"a": null, "b": [1, 2]}'
    assert compact("x" * 100, 10) == "x" * 9 + "…"
    assert compact(None) == "nil" and compact(True) == "true"
