"""Module-level regular expressions compiled on first use.

`_X = lazyre.compile(r"...")` at module level costs nothing until `_X` is first used;
then the pattern is compiled and the module's global `_X` becomes the compiled
`re.Pattern` itself, so that every later use is exactly as fast as with `re.compile`.
Worth it for a pattern that a run may not need: compiling one costs 0.1-1 ms, and a
one-file run used 27 of the package's 58 module-level patterns (measured on
bench/small.Dockerfile).

The stand-in answers every attribute of the compiled pattern (`match`, `search`, `sub`,
`pattern`, ...), also for a module that imported the name before its first use. It is not
a `re.Pattern`: never hand it to `re.sub(pattern, ...)`, `isinstance` or `pickle`.
"""
from __future__ import annotations

import re
import sys

__all__ = ["compile"]


class LazyPattern:
    """A stand-in for `re.compile(pattern, flags)` until its first use."""

    def __init__(self, pattern, flags, namespace):
        self._args = (pattern, flags)
        self._namespace = namespace  # the defining module's globals
        self._compiled = None

    def __getattr__(self, name):
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(*self._args)
            namespace = self._namespace
            if namespace is not None:
                for key in [k for k, v in namespace.items() if v is self]:
                    namespace[key] = compiled  # the module's later uses find the pattern itself
        value = getattr(compiled, name)
        self.__dict__[name] = value  # and users that kept this stand-in find it directly
        return value

    def __repr__(self) -> str:
        pattern, flags = self._args
        return f"lazyre.compile({pattern!r}{', ' + repr(flags) if flags else ''})"


def compile(pattern, flags=0) -> LazyPattern:  # noqa: A001 - the name of what it stands for
    """re.compile(pattern, flags) on first use (see the module docstring)."""
    frame = sys._getframe(1) if hasattr(sys, "_getframe") else None
    return LazyPattern(pattern, flags, frame.f_globals if frame is not None else None)
