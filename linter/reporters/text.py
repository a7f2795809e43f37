"""`path:line:col: DSL101 error: message` per finding, then the file's suggestion once,
then one summary line.

    Dockerfile:1:1: DSL101 error: ...
    Dockerfile:2:1: DSL401 warning: ...
        suggestion: build in a separate stage and ship gcr.io/...: about 890 MB -> 2.3 MB
                    (a suggestion longer than the 120 columns wraps under itself)
    2 problems (1 error, 1 warning) in 1 file (1 file linted)

With `Report.verbose`, a short `why:` line (the first sentence of the rule's "Why is this
bad?") follows each finding.
"""
from __future__ import annotations

import functools

from dockerslim_lint.reporters import escape, file_suggestion

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


WIDTH = 120  # the suggestion block wraps to fit a terminal this wide


# textwrap's whitespace: each becomes a space before the text is split into words.
_SPACES = {ord(c): " " for c in "\t\n\x0b\x0c\r"}


def _wrap(text: str, width: int) -> list:
    """Words of `text` in lines of at most `width` characters (a longer word stays whole).

    Exactly `textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or
    [""]` (tests/test_output.py compares them), without importing textwrap and compiling its
    regexes (~1.5 ms of a one-file run's start-up): its algorithm on its chunks (words and
    runs of spaces, tabs expanded to 8 columns, other whitespace made spaces)."""
    if width <= 0:
        raise ValueError(f"invalid width {width!r} (must be > 0)")
    chunks, spaces = [], 0
    for i, part in enumerate(text.expandtabs(8).translate(_SPACES).split(" ")):
        spaces += i > 0
        if part:
            if spaces:
                chunks.append(" " * spaces)
                spaces = 0
            chunks.append(part)
    if spaces:
        chunks.append(" " * spaces)
    chunks.reverse()
    lines = []
    while chunks:
        line, length = [], 0
        if lines and chunks[-1].strip() == "":  # whitespace that would start a line is dropped
            del chunks[-1]
        while chunks and length + len(chunks[-1]) <= width:
            length += len(chunks[-1])
            line.append(chunks.pop())
        if chunks and len(chunks[-1]) > width and not line:  # a long word: a line of its own
            line.append(chunks.pop())
        if line and line[-1].strip() == "":  # and whitespace that would end one
            del line[-1]
        if line:
            lines.append("".join(line))
    return lines or [""]


def _block(stream, plain_label: str, label: str, text: str) -> None:
    """`    label text`, wrapped to WIDTH columns under itself."""
    stream.write(_wrapped_block(plain_label, label, text))


@functools.lru_cache(maxsize=256)  # the same suggestions and rewrite notes recur across a batch's files
def _wrapped_block(plain_label: str, label: str, text: str) -> str:
    indent = 4 + len(plain_label) + 1
    lines = _wrap(text, WIDTH - indent)
    return "".join([f"    {label} {lines[0]}\n"] + [" " * indent + line + "\n" for line in lines[1:]])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class Tally:
    """What the summary line needs of the results, gathered as they go by (so that a run
    need not keep every result: see STREAMS)."""

    __slots__ = ("counts", "files", "with_findings")

    def __init__(self, results=()):
        self.counts = {"error": 0, "warning": 0, "info": 0}
        self.files = self.with_findings = 0
        for result in results:
            self.add(result)

    def add(self, result) -> None:
        self.files += 1
        if result.findings:
            self.with_findings += 1
        for f in result.findings:
            self.counts[f.severity] = self.counts.get(f.severity, 0) + 1


def summary(results, errors) -> str:
    """The last line: problems by severity, files, and the run errors (unreadable paths, an
    unknown target...): never "no problems" when there were errors. `results`: the results,
    or their Tally."""
    tally = results if isinstance(results, Tally) else Tally(results)
    counts, files, with_findings = tally.counts, tally.files, tally.with_findings
    total = sum(counts.values())
    if not errors:
        if not total:
            return f"no problems in {_plural(files, 'file')}"
        parts = [_plural(counts[s], s) for s in ("error", "warning", "info") if counts[s]]
        return (f"{_plural(total, 'problem')} ({', '.join(parts)}) in {_plural(with_findings, 'file')}"
                f" ({_plural(files, 'file')} linted)")
    parts = [_plural(counts[s], s) for s in ("error", "warning", "info") if counts[s]]
    found = f"{_plural(total, 'problem')}" + (f" ({', '.join(parts)})" if parts else "")
    return f"{found} in {_plural(files, 'file')}; {_plural(len(errors), 'run error')} (see standard error)"


# write() reads `results` once, in order, and nothing else of it: the CLI may hand it the
# results as they are made, and a batch of any size then holds one file's result at a time.
STREAMS = True


def write(stream, results, report):
    color = report.color
    why = report.why or (lambda rule_id: "")
    tally = Tally()
    for result in results:
        tally.add(result)
        for f in result.findings:
            where = f"{escape(f.path)}:{f.line}:{f.column}:"
            sev = f.severity
            if color:
                where = _BOLD + where + _RESET
                sev = _COLORS.get(sev, "") + sev + _RESET
            stream.write(f"{where} {f.rule_id} {sev}: {escape(f.message)}\n")
            if report.verbose and why(f.rule_id):
                label = (_DIM + "why:" + _RESET) if color else "why:"
                stream.write(f"    {label} {escape(why(f.rule_id))}\n")
        suggestion = file_suggestion(result)
        if suggestion is not None and suggestion.text:
            label = (_DIM + "suggestion:" + _RESET) if color else "suggestion:"
            _block(stream, "suggestion:", label, escape(suggestion.text))
        rewrite = next((f.extra["rewrite"] for f in result.findings if f.extra.get("rewrite")), None)
        if rewrite:  # the multi-stage rewrite (an unsafe fix of DSL101/DSL102), or why there is none
            plain = "rewrite:" if rewrite.startswith("no ") else "rewrite (--unsafe-fixes):"
            label = (_DIM + plain + _RESET) if color else plain
            if not rewrite.startswith("no ") and suggestion is not None and suggestion.image and \
                    rewrite.startswith(f"{suggestion.action} {suggestion.image}"):
                rewrite = "rewrites the file as suggested"  # not the suggestion's paragraph again
            _block(stream, plain, label, escape(rewrite))
        for line, rule_id, advice in _unused(result):
            stream.write(f"{escape(result.path)}:{line}:1: unused suppression of {rule_id}: "
                         f"it silenced nothing; {advice}\n")
    stream.write(summary(tally, report.errors) + "\n")


def _unused(result):
    if not result.unused_ignores:  # most files
        return []
    from dockerslim_lint.engine.suppress import unused_advice

    return [(line, rule_id, unused_advice(result, line)) for line, rule_id in result.unused_ignores]
