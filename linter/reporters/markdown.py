"""Markdown for GitHub job summaries ($GITHUB_STEP_SUMMARY) and pull-request comments.

A headline with the counts, the estimated image size now and with the suggestions
summed over every file that has one (the saving across the repository), a table of
files, then one table of findings per file with its suggestion. Text from a Dockerfile
is escaped so it cannot break a table or inject markup: control characters become
visible \\xNN escapes, and markdown punctuation (| ` * _ [ ] < > & ~ ! # \\) is
backslash-escaped. GitHub refuses a job summary over 1 MiB, so the per-file sections
stop before that size and the report says how many files it left out.
"""
from __future__ import annotations

import re

from dockerslim_lint.reporters import escape, file_suggestion
from dockerslim_lint.reporters.common import help_uri, homepage, is_builtin, writable
from dockerslim_lint.reporters.github import all_errors

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Optional

# GitHub's limit for one step's summary is 1 MiB; leave room for the closing lines.
MAX_CHARS = 1_000_000
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|&~!#])")
_CODE = re.compile(r"`([^`\\]+)`")  # a code span with no backslash or backtick inside
_ORDER = ("error", "warning", "info")


def md(text) -> str:
    """Dockerfile-derived text, safe inside a markdown paragraph or table cell: a
    `code span` stays one (its content is literal in markdown; only | is escaped, as
    GitHub splits table cells before reading code spans), the rest is escaped."""
    out = []
    for i, part in enumerate(_CODE.split(writable(escape(str(text or ""))))):
        if i % 2:
            out.append("`" + part.replace("|", "\\|") + "`")
        else:
            out.append(_MARKDOWN.sub(r"\\\1", part))
    return "".join(out)


def size(mb: Optional[float]) -> str:
    if mb is None:
        return "unknown"
    if mb >= 1000:
        return f"{mb / 1000:.1f} GB"
    return f"{mb:.0f} MB" if mb >= 10 else f"{mb:.1f} MB"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def sizes(suggestion):
    """(now, with the suggestion, saving) in MB; None where not known."""
    if suggestion is None:
        return None, None, None
    now = getattr(suggestion, "current_size_mb", None)
    then = getattr(suggestion, "image_size_mb", None)
    if getattr(suggestion, "image", None) is None:
        then = None  # no image suggested: nothing to compare with
    saving = max(now - then, 0.0) if now is not None and then is not None else None
    return now, then, saving


def _counts(results) -> str:
    counts = {s: 0 for s in _ORDER}
    for result in results:
        for f in result.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
    total = sum(counts.values())
    if not total:
        return f"No problems in {_plural(len(results), 'file')}."
    parts = ", ".join(_plural(counts[s], s) for s in _ORDER if counts.get(s))
    with_findings = sum(1 for r in results if r.findings)
    return (f"**{_plural(total, 'problem')}** ({parts}) in {with_findings} of "
            f"{_plural(len(results), 'file')}.")


def _total(results) -> Optional[str]:
    now_total = then_total = 0.0
    sized = unsized = 0
    for result in results:
        suggestion = file_suggestion(result)
        if suggestion is None or getattr(suggestion, "image", None) is None:
            continue
        now, then, saving = sizes(suggestion)
        if saving is None:
            unsized += 1
            continue
        sized += 1
        now_total += now
        then_total += then
    if not sized and not unsized:
        return None
    text = ""
    if sized:
        text = (f"Estimated image size across the repository: **{size(now_total)} now, "
                f"{size(then_total)} with the suggestions**, saving about "
                f"**{size(now_total - then_total)}** ({_plural(sized, 'image')}).")
    if unsized:
        text += (" " if text else "") + (f"{_plural(unsized, 'suggestion')} without a known size "
                                         "not counted.")
    return text


def _rule_links(report) -> dict:
    home = None
    links = {}
    for rule in report.rules:
        if is_builtin(rule):
            home = home or homepage()
            links[rule.ID] = help_uri(rule.ID, home)
    return links


def _overview(results) -> list:
    lines = ["| File | Problems | Image now | With the suggestion | Saving |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for result in results:
        now, then, saving = sizes(file_suggestion(result))
        cells = [size(v) if v is not None else "–" for v in (now, then, saving)]  # – : not known
        lines.append(f"| {md(result.path)} | {len(result.findings)} | " + " | ".join(cells) + " |")
    return lines


def _file_section(result, links) -> list:
    lines = ["", f"#### {md(result.path)}", ""]
    suggestion = file_suggestion(result)
    if suggestion is not None and suggestion.text:
        lines += [f"Suggestion: {md(suggestion.text)}", ""]
    lines += ["| Line | Rule | Severity | Message |", "| ---: | --- | --- | --- |"]
    for f in result.findings:
        rule = f"[{f.rule_id}]({links[f.rule_id]})" if f.rule_id in links else md(f.rule_id)
        lines.append(f"| {int(f.line or 1)} | {rule} | {md(f.severity)} | {md(f.message)} |")
    for line, rule_id in result.unused_ignores:
        lines.append(f"| {int(line)} | {md(rule_id)} | unused | suppression that silenced nothing; "
                     "remove it |")
    return lines


def render(results, report) -> str:
    lines = ["### dockerslim-lint", "", _counts(results)]
    total = _total(results)
    if total:
        lines += ["", total]
    if results:
        lines += [""] + _overview(results)
    links = _rule_links(report)
    used = sum(len(line) + 1 for line in lines)
    left_out = 0
    for result in results:
        if not result.findings and not result.unused_ignores:
            continue
        section = _file_section(result, links)
        cost = sum(len(line) + 1 for line in section)
        if left_out or used + cost > MAX_CHARS:
            left_out += 1
            continue
        lines += section
        used += cost
    if left_out:
        lines += ["", f"{_plural(left_out, 'more file')} with findings not shown (GitHub's 1 MiB "
                      "limit for a job summary); the other formats list every finding."]
    errors = all_errors(results, report)
    if errors:
        lines += ["", "#### Errors", ""] + [f"- {md(e)}" for e in errors]
    return "\n".join(lines) + "\n"


def write(stream, results, report):
    stream.write(render(results, report))
