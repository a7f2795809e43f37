"""Inline suppressions (RULES.md "Suppression").

    # dockerslim-lint ignore=DSL301,DSL302     comment lines directly above an instruction;
                                               a blank line ends their reach
    # dockerslim-lint global ignore=DSL101     anywhere in the file
"""
from __future__ import annotations

import re
from typing import Dict, List, Set, Tuple

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


def apply(findings, parsed):
    """Drop suppressed findings. Returns (kept, unused) where unused is [(line, rule_id)]."""
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
    unused = sorted(entry for entry in declared if entry not in used)
    return kept, unused
