"""The `ao` kernel through jupyter_client: Lua cells, magics, %%python, completion, inspection,
is_complete and interrupts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from jupyter_client.manager import KernelManager, start_new_kernel

from ao_kernel.jupyter.kernel import split_python, to_ipython

TIMEOUT = 30


@pytest.fixture(scope="module")
def kernel(jupyter_env: dict[str, str]) -> Iterator[tuple[KernelManager, Any]]:
    km, kc = start_new_kernel(kernel_name="ao")
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def execute(kc: Any, code: str) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    outputs: list[tuple[str, dict[str, Any]]] = []

    def hook(msg: dict[str, Any]) -> None:
        if msg["msg_type"] not in ("status", "execute_input"):
            outputs.append((msg["msg_type"], msg["content"]))

    reply = kc.execute_interactive(code, output_hook=hook, timeout=TIMEOUT)
    return reply["content"], outputs


def texts(outputs: list[tuple[str, dict[str, Any]]]) -> str:
    parts = []
    for kind, content in outputs:
        if kind == "stream":
            parts.append(content["text"])
        elif kind in ("display_data", "execute_result"):
            parts.append(content["data"].get("text/plain", "") + "\n")
        elif kind == "error":
            parts.append("\n".join(content["traceback"]) + "\n")
    return "".join(parts)


def request(kc: Any, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    msg_id = getattr(kc, method)(*args, **kwargs)
    while True:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def test_cells_are_lua_in_the_current_process(kernel: Any) -> None:
    _, kc = kernel
    reply, out = execute(kc, "%ao reset\n%ao spawn counter")
    assert reply["status"] == "ok"
    reply, out = execute(kc, 'Count = 1\nprint("count " .. Count)\nCount + 41')
    assert reply["status"] == "ok"
    assert out[0][0] == "display_data"
    assert out[0][1]["data"]["text/plain"] == "count 1\n42"
    assert "<pre" in out[0][1]["data"]["text/html"]
    reply, out = execute(kc, "%%python\nprint(net.process('counter').get('Count'), _.output)")
    assert texts(out) == "1 count 1\n42\n"


def test_lua_errors_are_red_with_cell_lines(kernel: Any) -> None:
    _, kc = kernel
    execute(kc, "%ao use counter")
    reply, out = execute(kc, "Count = 100\n\nlocal t = nil\nreturn t.x")
    assert reply["status"] == "error" and reply["ename"] == "LuaCellError"
    assert out == [("error", {"traceback": [
        "\x1b[31mLua error: line 4: attempt to index a nil value (local 't')\x1b[0m"],
        "ename": "LuaCellError", "evalue": "line 4: attempt to index a nil value (local 't')"})]
    reply, out = execute(kc, "%%ao counter\nlocal t = nil\nreturn t.x")
    assert "line 3:" in reply["evalue"]                           # the %%ao line is line 1
    reply, out = execute(kc, "Count")
    assert texts(out) == "1\n"                                    # rolled back, kernel alive


def test_magic_lines_and_usage_errors(kernel: Any) -> None:
    _, kc = kernel
    reply, out = execute(kc, '%ao spawn echo\nHandlers.add("Echo", "Echo", function(msg)\n'
                             '  print("echo " .. msg.Data)\nend)\n%ao send echo Echo -d hi')
    assert reply["status"] == "ok", out
    assert "echo hi" in texts(out) and "<Message" in texts(out)
    reply, out = execute(kc, "%ao send")
    assert reply["status"] == "error"
    assert texts(out).startswith("UsageError: the following arguments are required")
    assert "Traceback" not in texts(out)
    reply, out = execute(kc, "%ao log echo")
    assert reply["status"] == "ok" and "Echo" in texts(out)


def test_python_cells_share_the_namespace(kernel: Any) -> None:
    _, kc = kernel
    reply, out = execute(kc, "%%python\nfrom ao_kernel import Process\n"
                             "isinstance(net.process('echo'), Process)")
    assert out == [("execute_result", {"data": {"text/plain": "True"}, "metadata": {},
                                       "execution_count": out[0][1]["execution_count"]})]
    execute(kc, "%%python\nword = 'python'")
    reply, out = execute(kc, "%ao send echo Echo -d $word")
    assert "echo python" in texts(out)


def test_completion(kernel: Any) -> None:
    _, kc = kernel
    execute(kc, "%ao use echo")
    reply = request(kc, "complete", "x = Hand", 8)
    assert reply["matches"] == ["Handlers"] and reply["cursor_start"] == 4
    reply = request(kc, "complete", "Handlers.a", 10)
    assert set(reply["matches"]) >= {"add", "append", "after"}
    reply = request(kc, "complete", "Handlers.remove('Ec", 19)
    assert reply["matches"] == ["Echo"] and reply["cursor_start"] == 17
    assert request(kc, "complete", "%ao send echo E", 15)["matches"] == ["Echo"]
    assert request(kc, "complete", "%ao use ec", 10)["matches"] == ["echo"]
    assert request(kc, "complete", "%ao spawn t --blueprint to", 26)["matches"] == ["token"]
    assert request(kc, "complete", "%ao ti", 6)["matches"] == ["timeline"]
    assert request(kc, "complete", "%%python\nimport o", 17)["matches"][:1] == ["opcode"] \
        or "os" in request(kc, "complete", "%%python\nimport o", 17)["matches"]
    assert request(kc, "complete", "x = {", 5)["matches"] == request(
        kc, "complete", "", 0)["matches"]


def test_inspection(kernel: Any) -> None:
    _, kc = kernel
    execute(kc, "%ao use counter")
    reply = request(kc, "inspect", "Count + 1", 2)
    assert reply["found"] and reply["data"]["text/plain"] == "Count: number\n1"
    reply = request(kc, "inspect", "x = Handlers.list", 14)
    assert reply["found"] and reply["data"]["text/plain"].startswith("Handlers.list: table (")
    assert "<function>" in reply["data"]["text/plain"]
    assert "0x" not in reply["data"]["text/plain"]
    assert not request(kc, "inspect", "Nothing", 3)["found"]
    reply = request(kc, "inspect", "%%python\nlen", 12)
    assert reply["found"]


def test_is_complete(kernel: Any) -> None:
    _, kc = kernel
    assert request(kc, "is_complete", "for i = 1, 3 do")["status"] == "incomplete"
    assert request(kc, "is_complete", "for i = 1, 3 do\n print(i)\nend")["status"] == "complete"
    assert request(kc, "is_complete", "x = 1\nx")["status"] == "complete"
    assert request(kc, "is_complete", "%ao spawn p\nfunction f()")["status"] == "incomplete"
    assert request(kc, "is_complete", "x = = 1")["status"] == "invalid"
    assert request(kc, "is_complete", "%%python\ndef f():")["status"] == "incomplete"


def test_interrupt_stops_lua_and_the_process_stays_usable(kernel: Any) -> None:
    km, kc = kernel
    execute(kc, "%ao reset --instruction-limit 0\n%ao spawn looper")
    execute(kc, "Kept = 1")
    msg_id = kc.execute("Kept = 2\nwhile true do end")
    time.sleep(0.5)
    started = time.monotonic()
    km.interrupt_kernel()
    errors = []
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            errors.append(msg["content"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    assert time.monotonic() - started < 5
    assert [e["ename"] for e in errors] == ["Interrupted"]
    assert errors[0]["traceback"] == ["\x1b[31mInterrupted: the Lua code was stopped; process "
                                      "looper is as it was before this cell\x1b[0m"]
    reply, out = execute(kc, "Kept")
    assert reply["status"] == "ok" and texts(out) == "1\n"
    reply, out = execute(kc, "%ao send looper Ping")
    assert reply["status"] == "ok"


def test_cell_routing() -> None:
    assert to_ipython("x = 1") == "%%ao --cell-lines\nx = 1"
    assert to_ipython("%ao help\n%ao log") == "%ao help\n%ao log"
    assert to_ipython("%%time\nx = 1") == "%%time\nx = 1"
    assert to_ipython("%%python\nx = 1") == "x = 1"
    assert to_ipython("\n%%python  \nx = 1") == "x = 1"
    assert to_ipython("%ao use p\nx = 1") == "%%ao --cell-lines\n%ao use p\nx = 1"
    assert to_ipython("") == ""
    assert split_python("x = 1") is None


def test_leading_blank_lines_count_in_line_numbers(kernel: Any) -> None:
    _, kc = kernel
    reply, _ = execute(kc, "\n\nlocal t = nil\nreturn t.x")
    assert reply["evalue"].startswith("line 4:")


def test_extension_in_the_stock_python_kernel(jupyter_env: dict[str, str]) -> None:
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        reply, out = execute(kc, "%load_ext ao_kernel\n%ao spawn p")
        assert reply["status"] == "ok" and "<Process p" in texts(out)
        reply, out = execute(kc, "%%ao\nprint('hi')\n6 * 7")
        assert [kind for kind, _ in out] == ["display_data"]
        assert out[0][1]["data"]["text/plain"] == "hi\n42"
        reply, out = execute(kc, "_.output, type(net).__name__")
        assert texts(out) == "('hi\\n42', 'Network')\n"
        reply, out = execute(kc, "%%ao\nerror('boom')")
        assert reply["ename"] == "LuaCellError" and reply["evalue"] == "line 2: boom"
        execute(kc, "%ao reset --instruction-limit 0\n%ao spawn q")
        msg_id = kc.execute("%%ao\nwhile true do end")
        time.sleep(0.5)
        km.interrupt_kernel()
        errors = []
        while True:
            msg = kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "error":
                errors.append(msg["content"]["ename"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        assert errors == ["Interrupted"]
        reply, out = execute(kc, "%%ao\n1 + 1")
        assert texts(out) == "2\n"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
