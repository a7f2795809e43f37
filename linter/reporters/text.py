"""`path:line:col: DSL101 error: message`, an indented suggestion line, a summary."""
from __future__ import annotations

from dockerslim_lint.reporters import escape

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def write(stream, results, report):
    color = report.color
    counts = {"error": 0, "warning": 0, "info": 0}
    files_with_findings = 0
    for result in results:
        if result.findings:
            files_with_findings += 1
        for f in result.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
            where = f"{escape(f.path)}:{f.line}:{f.column}:"
            sev = f.severity
            if color:
                where = _BOLD + where + _RESET
                sev = _COLORS.get(sev, "") + sev + _RESET
            stream.write(f"{where} {f.rule_id} {sev}: {escape(f.message)}\n")
            if f.suggestion is not None:
                label = (_DIM + "suggestion:" + _RESET) if color else "suggestion:"
                stream.write(f"    {label} {escape(f.suggestion.text)}\n")
        for line, rule_id in result.unused_ignores:
            stream.write(f"{escape(result.path)}:{line}:1: unused suppression of {rule_id}: "
                         "it silenced nothing; remove it\n")
    total = sum(counts.values())
    files = len(results)
    if total:
        parts = [_plural(counts[s], s) for s in ("error", "warning", "info") if counts[s]]
        stream.write(f"{_plural(total, 'problem')} ({', '.join(parts)}) in "
                     f"{_plural(files_with_findings, 'file')}"
                     f" ({_plural(files, 'file')} linted)\n")
    else:
        stream.write(f"no problems in {_plural(files, 'file')}\n")
