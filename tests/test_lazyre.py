"""dockerslim_lint.lazyre: module-level patterns compiled on first use, then the pattern itself."""
from __future__ import annotations

import re
import types

import pytest

from dockerslim_lint import lazyre


def _module(source: str) -> types.ModuleType:
    module = types.ModuleType("lazy_probe")
    exec(compile(source, "lazy_probe", "exec"), module.__dict__)
    return module


def test_compiled_on_first_use_then_the_global_is_the_pattern():
    module = _module("from dockerslim_lint import lazyre\n"
                     "WORD = lazyre.compile(r'[a-z]+', 2)\n"  # re.IGNORECASE
                     "ALIAS = WORD\n"
                     "def first(text):\n"
                     "    return WORD.match(text).group()\n")
    stand_in = module.WORD
    assert isinstance(stand_in, lazyre.LazyPattern) and stand_in._compiled is None
    assert module.first("Abc def") == "Abc"
    assert isinstance(module.WORD, re.Pattern) and module.WORD is module.ALIAS
    assert module.WORD.pattern == "[a-z]+" and module.WORD.flags & re.IGNORECASE
    assert module.first("XY z") == "XY"


def test_a_kept_stand_in_answers_as_the_pattern():
    module = _module("from dockerslim_lint import lazyre\nDIGITS = lazyre.compile(r'\\d+')\n")
    kept = module.DIGITS  # as `from module import DIGITS` before its first use
    compiled = re.compile(r"\d+")
    assert kept.sub("#", "a1b22") == compiled.sub("#", "a1b22") == "a#b#"
    assert kept.findall("1 22 333") == ["1", "22", "333"] and kept.fullmatch("12") and not kept.search("x")
    assert [m.group() for m in kept.finditer("4 5")] == ["4", "5"] and kept.split("a1b") == ["a", "b"]
    assert kept.pattern == r"\d+" and kept.groups == 0 and isinstance(module.DIGITS, re.Pattern)
    assert repr(lazyre.compile("x", re.I)) == "lazyre.compile('x', re.IGNORECASE)"


def test_a_bad_pattern_fails_at_first_use():
    bad = lazyre.compile("(")
    with pytest.raises(re.error):
        bad.match("x")


_CHECK_ALL = r"""
import importlib, re, sys
from dockerslim_lint import lazyre
found = 0
for module_name in sys.argv[1:]:
    module = importlib.import_module(module_name)
    for name, value in list(vars(module).items()):
        values = value.values() if isinstance(value, dict) else [value]
        for stand_in in [v for v in values if isinstance(v, lazyre.LazyPattern)]:
            pattern, flags = stand_in._args
            assert stand_in.pattern == pattern, (module_name, name)
            assert re.compile(pattern, flags).flags == stand_in.flags, (module_name, name)
            found += 1
print(found)
"""


def test_every_lazy_pattern_of_the_package_compiles():
    """A lazy pattern's syntax is checked only when it is used: here all of them are, in a
    fresh process (where none has been used yet)."""
    import subprocess
    import sys

    from conftest import package_module_names

    proc = subprocess.run([sys.executable, "-c", _CHECK_ALL, *package_module_names()], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) >= 20
