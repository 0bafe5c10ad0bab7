"""The extracted aos library runs in our sandbox and behaves like aos."""

from __future__ import annotations

from aos_reference import (
    ReferenceProcess,
    output_text,
    reference_version,
    tag_map,
)


def test_extraction_finds_the_aos_library(aos_modules):
    for name in (
        "process", "ao", "handlers", "handlers-utils", "utils", "json", "chance", "stringify",
        "pretty", "dump", "eval", "default", "boot", "assignment", "base64", "bint", "crypto",
    ):
        assert name in aos_modules, name
    assert "local json" in aos_modules["json"]
    assert "process.handle" in aos_modules["process"]
    assert reference_version() == "2.0.4"


def test_spawn_puts_the_process_message_in_the_inbox(aos_modules):
    proc = ReferenceProcess(name="N")
    result = proc.spawn()
    assert result.get("Error") is None
    assert output_text(result) == ""
    assert result["Messages"] == []
    assert proc.value("#Inbox") == 1
    assert proc.value("Inbox[1].Id") == proc.pid
    assert proc.value("Owner") == proc.owner
    assert proc.value("Name") == "N"


def test_name_defaults_to_aos(aos_modules):
    proc = ReferenceProcess(name=None)
    proc.spawn()
    assert proc.value("Name") == "aos"


def test_eval_one_plus_one(ref):
    result = ref.eval("1+1")
    assert result.get("Error") is None
    assert output_text(result) == "2"
    assert "[Inbox:" in result["Output"]["prompt"]


def test_ping_handler_replies(ref):
    ref.eval('Handlers.add("ping", "Ping", function(m) m.reply({Data = "pong"}) end)')
    result = ref.send({"Action": "Ping", "Reference": "7"}, from_="A" * 43)
    assert result.get("Error") is None
    [reply] = result["Messages"]
    assert reply["Target"] == "A" * 43
    assert reply["Data"] == "pong"
    tags = tag_map(reply["Tags"])
    assert tags["X-Reference"] == "7"
    assert tags["Data-Protocol"] == "ao"
    assert tags["Type"] == "Message"
    assert reply["Anchor"] == "0" * 31 + "1"


def test_rng_golden_vector(aos_modules):
    proc = ReferenceProcess(pid="PID", owner="OWNER", module="MOD", start_height=1_500_000)
    proc.spawn()
    out = output_text(proc.eval("return math.random(1,100) .. ' ' .. math.random(10) .. ' ' "
                                ".. math.random()"))
    assert out == "40 8 0.5361057613045"


def test_error_rolls_back(ref):
    ref.eval("X = 1")
    result = ref.eval("X = 2; error('boom')")
    assert "boom" in result["Error"]
    assert ref.value("X") == 1


def test_untrusted_message_is_not_processed(ref):
    result = ref.send({"Action": "Ping"}, from_="X" * 43, owner="Y" * 43)
    assert output_text(result) == f"Message is not trusted! From: {'X' * 43} - Owner: {'Y' * 43}"
    assert ref.value("#Inbox") == 1


def test_crypto_runs_with_the_bit32_shim(ref):
    code = ('local c = require(".crypto"); '
            'return c.digest.sha2_256(c.utils.stream.fromString("abc")).asHex()')
    assert output_text(ref.eval(code)) == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_errors_name_modules_as_the_wasm_does(ref):
    # The wasm compiles each module with load(src, ".handlers"), hence `[string ".handlers"]`.
    error = ref.eval('error("x")')["Error"]
    assert error.endswith('[string ".handlers"]:723: [string "aos"]:1: x')
    assert "\x1b[31merror:\n\x1b[0m" in error


def test_handler_patterns_are_case_insensitive_at_head(ref):
    ref.eval('Handlers.add("h", {Action = "hello"}, function() print("hit") end)')
    assert output_text(ref.send({"Action": "HELLO"}, from_="A" * 43)) == "hit"
    assert output_text(ref.send({"action": "hello"}, from_="A" * 43)) == "hit"
