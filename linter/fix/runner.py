"""`--fix`, `--diff` and `--unsafe-fixes`: apply the findings' fixes to a file's bytes, in
passes, until no fix is left to apply; write the result atomically; describe what happened.

A file with DSL001 (it does not parse) or DSL002 (it is not UTF-8) is never changed. A
pass applies the fixes `select` keeps; a fix whose result would not parse (a new DSL001)
is dropped. Fixes that touched each other wait for the next pass, on the re-linted text,
so a second run finds nothing left to do.
"""
from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dockerslim_lint.records import record

from dockerslim_lint.fix.edits import EditError, Fix, apply_fixes, select

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Callable, List, Optional

REFUSE_IDS = ("DSL001", "DSL002")
MAX_PASSES = 10


@record
class Outcome:
    original: bytes
    data: bytes  # the fixed bytes (the original when nothing was applied)
    applied: int  # fixes applied
    result: object  # FileResult of `data`: what remains
    first: object  # FileResult of the original
    refused: bool = False  # DSL001/DSL002: left untouched
    unsafe_available: int = 0  # fixes left that only --unsafe-fixes applies

    @property
    def changed(self) -> bool:
        return self.data != self.original


def available(result, safe: Optional[bool] = None) -> List[Fix]:
    """The distinct fixes a lint result carries (safe only, unsafe only, or all)."""
    seen = {}
    for f in result.findings:
        fix = f.fix
        if fix is not None and fix.edits and (safe is None or fix.safe == safe):
            seen.setdefault(fix.key, fix)
    return list(seen.values())


def _parses(text: str) -> bool:
    from dockerslim_lint.dockerfile.parser import parse

    return parse(text.encode("utf-8")).error is None


def _apply_checked(text: str, fixes: List[Fix]):
    """(new text, fixes applied): all of them when the result parses, else each fix kept
    only when the text with it (and those kept before it) still parses."""
    try:
        new = apply_fixes(text, fixes)
        if _parses(new):
            return new, len(fixes)
    except EditError:
        pass
    kept: List[Fix] = []
    for fix in fixes:
        try:
            if _parses(apply_fixes(text, kept + [fix])):
                kept.append(fix)
        except EditError:
            continue
    return apply_fixes(text, kept), len(kept)


def fix_bytes(data: bytes, lint: Callable[[bytes], object], unsafe: bool = False) -> Outcome:
    """Apply the fixes of `lint(data)` (safe ones; unsafe ones too with `unsafe`)."""
    first = result = lint(data)
    outcome = Outcome(data, data, 0, result, first)
    if any(f.rule_id in REFUSE_IDS for f in result.findings):
        outcome.refused = True
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            outcome.refused = True
            text = None
        for _ in range(MAX_PASSES if text is not None else 0):
            fixes = select(f for f in available(result) if f.safe or unsafe)
            if not fixes:
                break
            new, count = _apply_checked(text, fixes)
            if new == text:
                break
            text = new
            outcome.applied += count
            result = lint(text.encode("utf-8"))
        if text is not None:
            outcome.data = text.encode("utf-8")
        outcome.result = result
    if not unsafe:
        outcome.unsafe_available = len(available(outcome.result, safe=False))
    return outcome


def write_atomic(path: str, data: bytes) -> None:
    """Replace the file at `path` (a symlink's target, which stays a symlink's target) with
    `data`: a temporary file in the same folder, the original's mode, then a rename."""
    target = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    folder = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def unified_diff(outcome: Outcome, shown: str) -> str:
    """The change as a unified diff (`a/PATH`, `b/PATH`), '' when there is none. Line endings
    are kept as they are in the file."""
    if not outcome.changed:
        return ""
    before = outcome.original.decode("utf-8").splitlines(keepends=True)
    after = outcome.data.decode("utf-8").splitlines(keepends=True)
    lines = []
    for line in difflib.unified_diff(before, after, f"a/{shown}", f"b/{shown}"):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "es" if word.endswith("x") else "s")


def summary(outcomes: List[Outcome], diff: bool = False, unsafe: bool = False) -> str:
    """One line: the fixes applied (or that --diff would apply) and the unsafe fixes left."""
    applied = sum(o.applied for o in outcomes)
    files = sum(1 for o in outcomes if o.changed)
    verb = "would apply" if diff else "applied"
    line = f"{verb} {_plural(applied, 'fix')}" + (f" to {_plural(files, 'file')}" if files else "")
    refused = sum(1 for o in outcomes if o.refused)
    if refused:
        line += f"; {_plural(refused, 'file')} not fixed (DSL001/DSL002)"
    hidden = sum(o.unsafe_available for o in outcomes)
    if hidden and not unsafe:
        line += f"; {_plural(hidden, 'unsafe fix')} available with --unsafe-fixes"
    return line
