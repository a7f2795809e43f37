"""Linting a file leaves no reference cycles: everything it made is freed as soon as it is
dropped, and a batch does not spend its time in the garbage collector (each file's model
once was a cycle through its memos: ~5% of a corpus run went to collections)."""
import gc
from pathlib import Path

import pytest

from dockerslim_lint.engine.linter import Linter
from dockerslim_lint.engine.plugins import load_rules

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["bench/small.Dockerfile", "fixtures/rules/DSL202-debian-slim-go-static/Dockerfile"])
def test_linting_a_file_makes_no_garbage_cycles(name):
    data = (ROOT / name).read_bytes()
    linter = Linter(load_rules()[0])
    for _ in range(30):  # past the first calls of lazily built functions (records' __init__)
        linter.lint_bytes(data, name)
    gc.collect()
    gc.disable()
    try:
        result = linter.lint_bytes(data, name)
        assert result.findings
        assert gc.collect() == 0
    finally:
        gc.enable()
