"""The `ao` kernel against jupyter_kernel_test (the kernelspec comes from a temporary
JUPYTER_PATH, see conftest.py)."""

from __future__ import annotations

import unittest

import jupyter_kernel_test
import pytest


@pytest.mark.usefixtures("jupyter_env")
class AoKernelConformance(jupyter_kernel_test.KernelTests):
    kernel_name = "ao"
    language_name = "lua"
    file_extension = ".lua"

    code_hello_world = "%%python\nprint('hello, world')"
    code_stderr = "%%python\nimport sys\nprint('oops', file=sys.stderr)"
    code_generate_error = "error('boom')"
    code_execute_result = [
        {"code": "%ao get 1 + 2", "result": "3"},
        {"code": "%%python\n6 * 7", "result": "42"},
    ]
    code_display_data = [
        {"code": "print('hi')", "mime": "text/html"},
        {"code": "x = 2\nx * 21", "mime": "text/plain"},
    ]
    completion_samples = [
        {"text": "Handl", "matches": {"Handlers"}},
        {"text": "Handlers.li", "matches": {"list"}},
        {"text": "whi", "matches": {"while"}},
        {"text": "%ao sp", "matches": {"spawn"}},
    ]
    complete_code_samples = ["x = 1", "1 + 1", "function f() return 1 end", "x = 1\nx",
                             "%ao help", "%%python\nx = 1\n"]
    incomplete_code_samples = ["function f()", "x = {", "if x then\n  y = 1",
                               "s = [[\nlong", "%%python"]
    invalid_code_samples = ["x = = 1", "end", "1 +* 2"]
    code_inspect_sample = "Handlers"
    code_history_pattern = "%ao get*"
    supported_history_operations = ("tail", "search")

    def test_ao_kernel_info(self) -> None:
        self.flush_channels()
        self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=10)
        info = reply["content"]
        assert info["implementation"] == "ao_kernel"
        assert info["language_info"]["name"] == "lua"
        assert "cells are Lua" in info["banner"]
        # Which engine runs (compiled or plain Python), for timings a user reports.
        assert "\nEngine: compiled (Cython): " in info["banner"] or \
            "\nEngine: pure Python" in info["banner"]


if __name__ == "__main__":
    unittest.main()
