"""ARG/ENV substitution as BuildKit's shell lexer does it for Dockerfile instructions.

Supports `$V`, `${V}`, `${V:-d}`, `${V-d}`, `${V:+d}`, `${V+d}`, `${V:?msg}`, and the
escape character before `$`. Undefined variables expand to "" (as BuildKit), but
the caller learns that something was left unresolved, so a rule can treat the
result as unknown instead of guessing.
"""
from __future__ import annotations

import re
from dockerslim_lint import lazyre

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Mapping, Optional, Tuple

_NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_NAME_CHARS = _NAME_START + "0123456789"
_NAME = lazyre.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def expand(text: str, variables: Mapping[str, Optional[str]], escape: str = "\\",
           keep_unresolved: bool = False) -> Tuple[str, bool]:
    """Return (expanded text, unresolved) where unresolved means an undefined variable was used
    without a default. Variables mapped to None are declared without a value (ARG NAME):
    unresolved, like undefined ones. Linear in len(text); never raises."""
    if "$" not in text:
        return text, False
    out = []
    unresolved = False
    i, n = 0, len(text)
    find = text.find
    while i < n:
        k = find("$", i)
        if k < 0:
            out.append(text[i:])
            break
        if k > i and text[k - 1] == escape:  # an escaped `$`: the escape character goes
            out.append(text[i:k - 1])
            out.append("$")
            i = k + 1
            continue
        if k > i:
            out.append(text[i:k])
        i = k
        if i + 1 >= n:
            out.append("$")
            break
        nxt = text[i + 1]
        if nxt == "{":
            close = _find_close(text, i + 2)
            if close < 0:  # unterminated: keep literally, as unknown
                out.append(text[i:])
                unresolved = True
                break
            body = text[i + 2:close]
            value, unres = _expand_braced(body, variables, escape)
            out.append(text[i:close + 1] if unres and keep_unresolved else value)
            unresolved |= unres
            i = close + 1
        elif nxt in _NAME_START:
            j = _NAME.match(text, i + 1).end()
            name = text[i + 1:j]
            value = variables.get(name)
            if value is None:
                unresolved = True
                if keep_unresolved:
                    out.append(text[i:j])
            else:
                out.append(value)
            i = j
        else:
            out.append("$")
            i += 1
    return "".join(out), unresolved


def _find_close(text: str, start: int) -> int:
    """The `}` closing a `${` whose body starts at `start` (nested braces counted), or -1."""
    depth = 1
    i = start
    while True:
        close = text.find("}", i)
        if close < 0:
            return -1
        depth += text.count("{", i, close) - 1
        if depth == 0:
            return close
        i = close + 1


def _expand_braced(body: str, variables, escape) -> Tuple[str, bool]:
    j = 0
    while j < len(body) and body[j] in _NAME_CHARS:
        j += 1
    name, rest = body[:j], body[j:]
    if not name:
        return "", True
    value = variables.get(name)
    if not rest:
        return (value, False) if value is not None else ("", True)
    colon = rest.startswith(":")
    op_text = rest[1:] if colon else rest
    if not op_text:
        return "", True
    op, word = op_text[0], op_text[1:]
    is_set = value is not None and (value != "" or not colon)
    if op == "-":
        if is_set:
            return value, False
        return expand(word, variables, escape)
    if op == "+":
        if is_set:
            return expand(word, variables, escape)
        return "", False
    if op == "?":
        return (value, False) if is_set else ("", True)
    # Pattern operators (${V%x}, ${V#x}, ${V/x/y}) exist in newer BuildKit; not modelled: unknown.
    return "", True
