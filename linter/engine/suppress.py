"""Inline suppressions.

    # dockerslim-lint ignore=DSL301,DSL302     comment lines directly above an instruction;
                                               a blank line ends their reach
    # dockerslim-lint global ignore=DSL101     anywhere in the file
"""
from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Dict, Iterable, List, Optional, Set, Tuple

# The IDs are a comma list; whatever follows it after white space is a free-text reason
# (`ignore=DSL101 the image is only a builder`).
_DIRECTIVE = re.compile(r"^\s*dockerslim-lint\s+(global\s+)?ignore\s*=\s*"
                        r"([A-Za-z][A-Za-z0-9_-]*(?:\s*,\s*[A-Za-z][A-Za-z0-9_-]*)*)")


def parse_comment(text: str):
    """`(is_global, [ids])` for a suppression comment's text (after '#'), else None."""
    m = _DIRECTIVE.match(text)
    if not m:
        return None
    ids = [part.strip().upper() for part in m.group(2).split(",") if part.strip()]
    return bool(m.group(1)), ids


def _may_suppress(parsed) -> bool:
    """Whether a comment of the file could be a suppression (most files have none): each
    holds `dockerslim-lint` (_DIRECTIVE)."""
    return any("dockerslim-lint" in text for _, text in _comments(parsed))


def _comments(parsed):
    """The parser's comment lines; in a file it could not parse (DSL001) it stopped early,
    so there every line that looks like a comment counts."""
    if parsed.error is None:
        return parsed.comments
    return [(n, line.lstrip()[1:]) for n, line in enumerate(parsed.lines, 1) if line.lstrip().startswith("#")]


def collect(parsed) -> Tuple[Dict[str, int], Dict[int, List[Tuple[int, str]]], Set[int]]:
    """Global ignores {id: line}, local ignores {comment line: [(line, id)]}, and comment lines."""
    global_ignores: Dict[str, int] = {}
    local: Dict[int, List[Tuple[int, str]]] = {}
    comment_lines: Set[int] = set()
    for line, text in _comments(parsed):
        comment_lines.add(line)
        found = parse_comment(text)
        if not found:
            continue
        is_global, ids = found
        if is_global:
            for rule_id in ids:
                global_ignores.setdefault(rule_id, line)
        else:
            local[line] = [(line, rule_id) for rule_id in ids]
    return global_ignores, local, comment_lines


def _instruction_starts(parsed) -> Dict[int, int]:
    """{line: first line of its instruction} for the later lines of multi-line instructions
    (continuations, heredoc bodies)."""
    starts: Dict[int, int] = {}
    for ins in parsed.instructions:
        for line in range(ins.start_line + 1, ins.end_line + 1):
            starts[line] = ins.start_line
    return starts


class Unused(tuple):
    """An unused suppression: `(line, rule_id)` (compares and unpacks as that pair), plus
    `advice`, what to do about it: "remove it", or "remove the blank line below it" when the
    rule does fire on the instruction that a blank line separates from the comment."""

    def __new__(cls, line: int, rule_id: str, advice: str = "remove it"):
        self = tuple.__new__(cls, (line, rule_id))
        self.advice = advice
        return self


def unused_advice(result, line: int) -> str:
    """What to do about the unused suppression on `line` of a FileResult."""
    for entry in result.unused_ignores:
        if entry[0] == line:
            return getattr(entry, "advice", "remove it")
    return "remove it"


def _after_blank(line: int, comment_lines: Set[int], blank_lines: Set[int], starts: Dict[int, int],
                 n_lines: int) -> Optional[int]:
    """The instruction a blank line separates from the comment block holding `line`, or None."""
    end = line
    while end + 1 in comment_lines:
        end += 1
    nxt = end + 1
    if nxt not in blank_lines:
        return None
    while nxt in blank_lines or nxt in comment_lines:
        nxt += 1
    return nxt if nxt <= n_lines and nxt not in starts else None


def apply(findings, parsed):
    """Drop suppressed findings. Returns (kept, unused) where unused is [Unused(line, rule_id)]."""
    if not _may_suppress(parsed):
        return list(findings), []
    global_ignores, local, comment_lines = collect(parsed)
    if not global_ignores and not local:
        return list(findings), []
    used: Set[Tuple[int, str]] = set()
    kept = []
    starts = _instruction_starts(parsed) if local else {}
    for f in findings:
        if f.rule_id in global_ignores:
            used.add((global_ignores[f.rule_id], f.rule_id))
            continue
        suppressed = False
        # The comments above the instruction, wherever in it the finding points.
        line = starts.get(f.line, f.line) - 1
        while line in comment_lines:  # the block of comment lines right above
            for entry in local.get(line, ()):
                if entry[1] == f.rule_id:
                    used.add(entry)
                    suppressed = True
            line -= 1
        if not suppressed:
            kept.append(f)
    declared = [(line, rule_id) for rule_id, line in global_ignores.items()]
    declared += [entry for entries in local.values() for entry in entries]
    unused = []
    lines = parsed.lines or []
    blank = {n for n, text in enumerate(lines, 1) if not text.strip()}
    for line, rule_id in sorted(entry for entry in declared if entry not in used):
        advice = "remove it"
        if line in local:
            target = _after_blank(line, comment_lines, blank, starts, len(lines))
            if target is not None and any(f.rule_id == rule_id and starts.get(f.line, f.line) == target
                                          for f in findings):
                advice = f"remove the blank line between it and line {target}"
        unused.append(Unused(line, rule_id, advice))
    return kept, unused


# Characters people type for one another in rule IDs (DSL3O7 for DSL307).
_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def did_you_mean(rule_id: str, rules: Iterable) -> Optional[str]:
    """The rule ID closest to an unknown one (a look-alike character, a rule's name, or a near
    spelling), else None."""
    rules = list(rules)
    ids = [r.ID for r in rules]
    head, tail = rule_id[:3], rule_id[3:]
    fixed = head + tail.translate(_LOOKALIKE)
    if fixed in ids:
        return fixed
    for r in rules:
        if getattr(r, "NAME", "") and r.NAME.upper() == rule_id:
            return r.ID
    import difflib  # only for a suppression naming no rule

    close = difflib.get_close_matches(rule_id, ids, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_ids(parsed, rules) -> List[Tuple[int, str, Optional[str]]]:
    """[(line, id, closest known id or None)] for suppression comments naming no rule."""
    if not _may_suppress(parsed):
        return []
    global_ignores, local, _ = collect(parsed)
    entries = [(line, rule_id) for rule_id, line in global_ignores.items()]
    entries += [entry for values in local.values() for entry in values]
    if not entries:
        return []
    rules = list(rules)
    known = {r.ID for r in rules}
    return [(line, rule_id, did_you_mean(rule_id, rules)) for line, rule_id in sorted(entries)
            if rule_id not in known]
