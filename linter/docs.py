"""Rule documentation: one source, shipped in the package (`data/rules/DSLnnn.md`).

`--explain`, SARIF `help`, and the repository's `docs/rules/DSLnnn.md` all come from
here; `python -m dockerslim_lint.docs DIR` writes the repository pages, and a test
fails when they drift.
"""
from __future__ import annotations

import os
import sys

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "rules")


def rule_doc(rule) -> str:
    """The markdown documentation of a rule ('' when it has none)."""
    if getattr(rule, "DOC", ""):
        return rule.DOC
    path = os.path.join(DATA_DIR, f"{rule.ID}.md")
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def write_pages(directory: str) -> list:
    from dockerslim_lint.engine.plugins import builtin_rules

    written = []
    os.makedirs(directory, exist_ok=True)
    for rule in builtin_rules():
        path = os.path.join(directory, f"{rule.ID}.md")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(rule_doc(rule))
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    for p in write_pages(sys.argv[1] if len(sys.argv) > 1 else "docs/rules"):
        print(p)
