"""Output formats. Each module exports `write(stream, results, report)`; a format's
module is imported only when that format is chosen (SARIF's sarif-om costs ~40 ms)."""
from __future__ import annotations

import importlib
from dockerslim_lint import lazyre
from dockerslim_lint.records import field, record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Callable, List, Optional

FORMATS = ("text", "json", "jsonl", "sarif", "github", "gitlab", "checkstyle", "markdown")

# C0/C1 controls and DEL: never raw on a terminal or in a log (ESC sequences could
# rewrite the screen). Tab is kept. Backslash-escaped as \xNN / \uNNNN.
# (Compiled on first use: its ranges past U+00FF cost ~0.4 ms to compile, and printable
# ASCII, which is most text, never needs it.)
_CONTROL = lazyre.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape(text: str) -> str:
    """Make text from a Dockerfile safe to print: control characters become escapes."""
    if text.isascii() and text.isprintable():  # no character of _CONTROL (tab is not printable)
        return text
    return _CONTROL.sub(lambda m: "\\x%02x" % ord(m.group()) if ord(m.group()) < 0x100
                        else "\\u%04x" % ord(m.group()), text)


@record
class Report:
    """Everything a reporter may need besides the per-file results."""

    rules: list  # the rules that ran (Rule objects), sorted by ID
    version: str = ""
    color: bool = False
    root: Optional[str] = None  # repository root for relative URIs (SARIF)
    sarif_category: Optional[str] = None
    failure_threshold: str = "info"
    errors: List[str] = field(default_factory=list)  # run-level one-line errors (plugins, I/O)
    verbose: bool = False  # text: a short `why:` line under each finding
    why: Optional[Callable[[str], str]] = None  # rule id -> one sentence (text, --verbose)


def file_suggestion(result):
    """The one suggestion of a file (every finding that carries one carries the same), or None."""
    return next((f.suggestion for f in result.findings if f.suggestion is not None), None)


def suggestion_dict(suggestion) -> Optional[dict]:
    """A suggestion as JSON data (`image`, `reason`, `action`, `text`, sizes), or None."""
    return suggestion.as_dict() if suggestion is not None else None


def get_writer(name: str):
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    return importlib.import_module(f"{__name__}.{name}").write
