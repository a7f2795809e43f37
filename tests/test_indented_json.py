"""reporters/indented.dumps writes what json.dumps(obj, indent=N, ensure_ascii=True) writes."""
import enum
import json
import random
from collections import OrderedDict

import pytest

import io

from dockerslim_lint.reporters import indented
from dockerslim_lint.reporters.indented import dump, dumps


class Text(str):
    pass


class Level(enum.IntEnum):
    LOW = 1


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 10 ** 30, 1.5, -0.0, 1e100, 1e-7, float("nan"), float("inf"), float("-inf"),
    "", "plain", "quote \" backslash \\ tab \t newline \n", "\x00\x1f\x7f", "é ü \u2028 \U0001f600",
    [], {}, [[]], [{}], {"a": {}}, {"a": []}, (1, 2), [1, [2, [3, [4]]]],
    {"a": [1, {"b": None, "c": [True, False]}], "d": "x"},
    # types the fast path leaves to json.dumps: the same text
    {1: "int key"}, {None: 1, True: 2, 1.5: 3}, {Text("k"): Text("v")}, [Level.LOW], {"a": Level.LOW},
    OrderedDict([("z", 1), ("a", 2)]),
])
@pytest.mark.parametrize("indent", [2, 4])
def test_same_text_as_json_dumps(value, indent):
    assert dumps(value, indent=indent) == json.dumps(value, indent=indent, ensure_ascii=True)
    assert _dumped(value, indent) == json.dumps(value, indent=indent, ensure_ascii=True)
    assert dumps({"k": value}, indent=indent) == json.dumps({"k": value}, indent=indent, ensure_ascii=True)
    assert dumps([value, value], indent=indent) == json.dumps([value, value], indent=indent, ensure_ascii=True)


def _random_value(rng, depth):
    leaves = [None, True, False, rng.randint(-10 ** 6, 10 ** 6), rng.random() * 10 ** rng.randint(-5, 20),
              "".join(chr(rng.choice([rng.randint(32, 126), rng.randint(0, 0x10FFFF) & 0xD7FF]))
                      for _ in range(rng.randint(0, 12)))]
    if depth > 4 or rng.random() < 0.4:
        return rng.choice(leaves)
    if rng.random() < 0.5:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return {str(_random_value(rng, 5)): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def test_same_text_on_random_documents():
    rng = random.Random(16)
    for _ in range(500):
        doc = _random_value(rng, 0)
        assert dumps(doc) == json.dumps(doc, indent=2, ensure_ascii=True) == _dumped(doc, 2)


def test_errors_are_json_dumps_errors():
    loop = []
    loop.append(loop)
    for encode in (dumps, lambda v: dump(v, io.StringIO())):
        with pytest.raises(ValueError, match="Circular reference"):
            encode({"a": loop})
        with pytest.raises(TypeError, match="not JSON serializable"):
            encode({"a": object()})
    deep = []
    for _ in range(300):
        deep = [deep]
    assert dumps(deep) == json.dumps(deep, indent=2) == _dumped(deep, 2)


def _dumped(value, indent):
    stream = io.StringIO()
    dump(value, stream, indent=indent)
    return stream.getvalue()


def test_dump_writes_in_chunks(monkeypatch):
    monkeypatch.setattr(indented, "_CHUNK", 5)
    doc = {"findings": [{"file": f"f{i}", "line": i, "suggestion": {"image": None, "sizes": [1.5, i]}}
                        for i in range(50)], "errors": []}
    writes = []

    class Stream:
        def write(self, text):
            writes.append(text)

    dump(doc, Stream())
    assert "".join(writes) == json.dumps(doc, indent=2)
    assert len(writes) > 10 and max(len(w) for w in writes) < len(json.dumps(doc, indent=2)) / 5
