"""Our blueprints (ao_kernel/lua/blueprints) loaded into the REFERENCE aos process: scenarios 38-45.

Each blueprint is loaded the way the aos CLI does it: its source is the Data of an Eval sent by
the owner. Messages from the process to itself arrive through the MU (Owner = MU, From-Process =
the process), which the Authority tag makes trusted.
"""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from aos_reference import DEFAULT_MU, ReferenceProcess, output_text, tag_map

A = "A" * 43
B = "B" * 43
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SUPPLY = "10000000000000000"


def blueprint(name: str) -> str:
    return resources.files("ao_kernel.lua").joinpath("blueprints", f"{name}.lua").read_text()


def load(proc: ReferenceProcess, *names: str) -> None:
    for name in names:
        result = proc.eval(blueprint(name))
        assert result.get("Error") is None, (name, result.get("Error"))


def only_message(result: dict) -> dict:
    assert result.get("Error") is None, result.get("Error")
    [msg] = [m for m in result["Messages"] if m.get("Target")]
    return msg


def from_self(proc: ReferenceProcess, tags: dict, data: str = "") -> dict:
    return proc.send(tags, data, from_=proc.pid, owner=DEFAULT_MU)


@pytest.fixture
def token(ref: ReferenceProcess) -> ReferenceProcess:
    load(ref, "token")
    return ref


# -- token ------------------------------------------------------------------------------------


def test_38_info(token):
    reply = only_message(token.send({"Action": "Info"}, from_=A))
    tags = tag_map(reply["Tags"])
    assert reply["Target"] == A
    assert tags["name"] == "N"  # the process Name wins over 'Points Coin'
    assert tags["ticker"] == "PNTS"
    assert tags["denomination"] == "12"
    assert tags["supply"] == SUPPLY
    assert "logo" in tags


def test_38_state_after_load(token):
    assert token.value("Balances[ao.id]") == SUPPLY
    assert token.value("TotalSupply") == SUPPLY
    assert token.value("Denomination") == 12
    assert token.value("Ticker") == "PNTS"


def test_39_balance(token):
    reply = only_message(token.send({"Action": "Balance", "Recipient": token.pid}, from_=A))
    tags = tag_map(reply["Tags"])
    assert tags["Balance"] == SUPPLY
    assert tags["Account"] == token.pid
    assert tags["Ticker"] == "PNTS"
    assert reply["Data"] == SUPPLY

    reply = only_message(token.send({"Action": "Balance"}, from_=A))
    tags = tag_map(reply["Tags"])
    assert tags["Balance"] == "0"
    assert tags["Account"] == A
    assert reply["Data"] == "0"


def test_39_balance_by_target_tag(token):
    reply = only_message(token.send({"Action": "Balance", "Target": token.pid}, from_=A))
    assert tag_map(reply["Tags"])["Balance"] == SUPPLY
    assert tag_map(reply["Tags"])["Account"] == A


def test_balances_json(token):
    reply = only_message(token.send({"Action": "Balances"}, from_=A))
    assert json.loads(reply["Data"]) == {token.pid: SUPPLY}


def test_40_transfer_errors(token):
    reply = only_message(
        token.send({"Action": "Transfer", "Recipient": B, "Quantity": "5"}, from_=A,
                   msg_id="M" * 43)
    )
    tags = tag_map(reply["Tags"])
    assert tags["Action"] == "Transfer-Error"
    assert tags["Error"] == "Insufficient Balance!"
    assert tags["Message-Id"] == "M" * 43

    result = token.send({"Action": "Transfer", "Recipient": B}, from_=A)
    assert "Quantity is required!" in result["Error"]
    result = token.send({"Action": "Transfer", "Recipient": B, "Quantity": "0"}, from_=A)
    assert "Quantity must be greater than 0" in result["Error"]
    result = token.send({"Action": "Transfer", "Quantity": "1"}, from_=A)
    assert "Recipient is required!" in result["Error"]


def test_41_transfer_notices(token):
    result = from_self(token, {"Action": "Transfer", "Recipient": A, "Quantity": "1000",
                               "X-Note": "hi", "Reference": "4"})
    assert result.get("Error") is None, result["Error"]
    sent = [m for m in result["Messages"] if m.get("Target")]
    debit, credit = sent
    dtags, ctags = tag_map(debit["Tags"]), tag_map(credit["Tags"])
    assert debit["Target"] == token.pid
    assert dtags["Action"] == "Debit-Notice"
    assert dtags["Recipient"] == A
    assert dtags["Quantity"] == "1000"
    assert dtags["X-Note"] == "hi"
    assert dtags["X-Reference"] == "4"
    assert ANSI.sub("", debit["Data"]) == f"You transferred 1000 to {A}"
    assert credit["Target"] == A
    assert ctags["Action"] == "Credit-Notice"
    assert ctags["Sender"] == token.pid
    assert ctags["Quantity"] == "1000"
    assert ctags["X-Note"] == "hi"
    assert ANSI.sub("", credit["Data"]) == f"You received 1000 from {token.pid}"
    assert token.value(f"Balances['{A}']") == "1000"
    assert token.value("Balances[ao.id]") == str(int(SUPPLY) - 1000)
    # HEAD: a target-less patch@1.0 message rides along and prints the WARN line
    patches = [m for m in result["Messages"] if not m.get("Target")]
    assert len(patches) == 1
    assert tag_map(patches[0]["Tags"])["device"] == "patch@1.0"
    assert "WARN: No target specified" in output_text(result)


def test_41_cast_sends_no_notices(token):
    result = from_self(token, {"Action": "Transfer", "Recipient": A, "Quantity": "7",
                               "Cast": "true"})
    assert [m for m in result["Messages"] if m.get("Target")] == []
    assert token.value(f"Balances['{A}']") == "7"


def test_42_mint_and_total_supply(token):
    reply = only_message(token.send({"Action": "Mint", "Quantity": "100"}, from_=A))
    tags = tag_map(reply["Tags"])
    assert tags["Action"] == "Mint-Error"
    assert tags["Error"] == "Only the Process Id can mint new PNTS tokens!"
    assert "Message-Id" in tags

    result = from_self(token, {"Action": "Mint", "Quantity": "100"})
    reply = only_message(result)
    assert ANSI.sub("", reply["Data"]) == "Successfully minted 100"
    assert token.value("TotalSupply") == str(int(SUPPLY) + 100)

    reply = only_message(token.send({"Action": "Total-Supply"}, from_=A))
    tags = tag_map(reply["Tags"])
    assert tags["Action"] == "Total-Supply"
    assert tags["Ticker"] == "PNTS"
    assert reply["Data"] == str(int(SUPPLY) + 100)

    result = from_self(token, {"Action": "Total-Supply"})
    assert "Cannot call Total-Supply from the same process!" in result["Error"]


def test_reload_keeps_the_ledger(token):
    from_self(token, {"Action": "Transfer", "Recipient": A, "Quantity": "5", "Cast": "1"})
    load(token, "token")
    assert token.value(f"Balances['{A}']") == "5"
    names = token.value("(function() local t = {} for _, h in ipairs(Handlers.list) do "
                        "t[#t+1] = h.name end return t end)()")
    assert len(names) == len(set(names))


# -- chatroom ---------------------------------------------------------------------------------


def test_43_chatroom(ref):
    load(ref, "chatroom")
    assert only_message(ref.send({"Action": "Register"}, from_=A))["Data"] == "Registered."
    assert only_message(ref.send({"Action": "Register"}, from_=A))["Data"] == (
        "Already registered."
    )
    assert only_message(ref.send({"Action": "Register"}, from_=B))["Data"] == "Registered."

    result = ref.send({"Action": "Broadcast"}, "hello room", from_="C" * 43)
    assert result.get("Error") is None
    notices, reply = result["Messages"][:-1], result["Messages"][-1]
    assert [m["Target"] for m in notices] == [A, B]
    for m in notices:
        assert m["Data"] == "hello room"
        assert tag_map(m["Tags"])["Action"] == "Broadcast-Notice"
    assert reply["Target"] == "C" * 43 and reply["Data"] == "Broadcasted."

    assert only_message(ref.send({"Action": "Unregister"}, from_=A))["Data"] == "Unregistered"
    assert only_message(ref.send({"Action": "Unregister"}, from_=A))["Data"] == "Not registered"
    assert ref.value("Members") == [B]


# -- staking ----------------------------------------------------------------------------------


def test_44_staking(token):
    load(token, "staking")
    from_self(token, {"Action": "Transfer", "Recipient": A, "Quantity": "1000", "Cast": "1"})
    assert token.value(f"Balances['{A}']") == "1000"

    height = 1_600_000
    result = token.send({"Action": "Stake", "Quantity": "400"}, from_=A, block_height=height)
    reply = only_message(result)
    assert reply["Data"] == "Successfully Staked 400"
    assert "Successfully Staked 400" in output_text(result)
    assert token.value(f"Stakers['{A}'].amount") == "400"
    assert token.value(f"Stakers['{A}'].unstake_at") == height + 670
    assert token.value(f"Balances['{A}']") == "600"

    result = token.send({"Action": "Stake", "Quantity": "1"}, from_=B)
    assert "Insufficient balance to stake" in result["Error"]

    reply = only_message(token.send({"Action": "Unstake", "Quantity": "100"}, from_=A))
    assert reply["Data"] == "Successfully unstaked 100"
    result = token.send({"Action": "Unstake", "Quantity": "1000"}, from_=A)
    assert "Insufficient staked amount" in result["Error"]

    stakers = json.loads(only_message(token.send({"Action": "Stakers"}, from_=B))["Data"])
    assert stakers[A]["amount"] == "300"

    token.send({"Action": "Anything"}, from_=B, block_height=height + 669)
    assert token.value(f"Balances['{A}']") == "600"
    token.send({"Action": "Anything"}, from_=B, block_height=height + 670)
    assert token.value(f"Balances['{A}']") == "700"
    assert token.value("next(Unstaking)") is None


def test_44_unstake_overwrites_pending(token):
    load(token, "staking")
    from_self(token, {"Action": "Transfer", "Recipient": A, "Quantity": "1000", "Cast": "1"})
    token.send({"Action": "Stake", "Quantity": "500"}, from_=A)
    token.send({"Action": "Unstake", "Quantity": "100"}, from_=A)
    token.send({"Action": "Unstake", "Quantity": "50"}, from_=A)
    assert token.value(f"Unstaking['{A}'].amount") == "50"


# -- voting -----------------------------------------------------------------------------------


def test_45_voting(token):
    load(token, "staking", "voting")
    from_self(token, {"Action": "Transfer", "Recipient": A, "Quantity": "1000", "Cast": "1"})
    token.send({"Action": "Stake", "Quantity": "400"}, from_=A)
    result = token.send({"Action": "Vote", "Target": "T", "Side": "yay", "Deadline": "5"},
                        from_=A)
    assert "attempt to compare number with string" in result["Error"]
    result = token.send({"Action": "Vote", "Target": "T", "Side": "yay", "Deadline": "5"},
                        from_=B)
    assert "attempt to index a nil value" in result["Error"]


def test_voting_settles_numeric_stakes(token):
    load(token, "staking", "voting")
    token.eval(f'Stakers[{A!r}] = {{ amount = 10 }}')
    token.send({"Action": "Vote", "Target": "T", "Side": "yay", "Deadline": "5"}, from_=A,
               block_height=2_000_000)
    assert token.value("Votes.T.yay") == 10
    result = token.send({"Action": "Later"}, from_=B, block_height=2_000_005)
    assert "Handle Vote" in output_text(result)
    assert token.value("Votes.T") is None
