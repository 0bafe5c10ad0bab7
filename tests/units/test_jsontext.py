"""The log's JSON text is exactly json.dumps's, with or without the C accelerator."""

import json

import pytest

from ao_kernel.store import jsontext

VALUES = [
    [("Action", "Inc"), ("Data-Protocol", "ao")],
    {"output": "héllo \x1b[31m✓\U0001F600", "prompt": None, "error": "bad\udcff bytes",
     "messages": [{"target": "x", "tags": [["a", "b"]], "pushed": None}], "spawns": [],
     "assignments": [{"processes": ["p"], "message": "m"}]},
    {"n": 1, "f": 0.1, "big": 10**30, "neg": -0.0, "t": True, "z": False, "nan": float("nan"),
     "inf": float("inf")},
    "just a string with \udc80 and é",
    [],
    {},
    None,
    3,
]


@pytest.mark.parametrize("value", VALUES)
def test_dumps_is_json_dumps(value):
    assert jsontext.dumps(value) == json.dumps(value)


def test_without_the_accelerator_it_is_json_dumps(monkeypatch):
    monkeypatch.setattr(jsontext, "_ONE", None)
    for value in VALUES:
        assert jsontext.dumps(value) == json.dumps(value)


def test_unknown_objects_are_refused_as_json_dumps_does():
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsontext.dumps({"x": object()})


def test_loads_all_is_json_loads_of_each_text():
    texts = [jsontext.dumps(v) for v in VALUES if v == v and "nan" not in str(v)] + [None, "[]"]
    assert jsontext.loads_all(texts) == [None if t is None else json.loads(t) for t in texts]
    assert jsontext.loads_all([]) == []
