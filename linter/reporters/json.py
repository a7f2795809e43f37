"""One JSON document (see README): {"version", "files", "findings": [...], "suggestions":
{path: suggestion or null}, "unused_ignores": [...], "errors": [...]}. Each finding keeps
its file's suggestion too (the same on every finding of a file that carries one)."""
from __future__ import annotations

from dockerslim_lint.reporters.indented import dump

from dockerslim_lint.reporters import file_suggestion, suggestion_dict


def finding_dict(f) -> dict:
    return {
        "file": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line or f.line,
        "rule": f.rule_id,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "suggestion": suggestion_dict(f.suggestion),
        # DSL101/DSL102: the multi-stage rewrite's one line (an unsafe fix), or why there is none
        "rewrite": f.extra.get("rewrite"),
    }


def write(stream, results, report):
    doc = {
        "version": report.version,
        "files": [r.path for r in results],
        "findings": [finding_dict(f) for r in results for f in r.findings],
        "suggestions": {r.path: suggestion_dict(file_suggestion(r)) for r in results},
        "unused_ignores": [{"file": r.path, "line": line, "rule": rule_id}
                           for r in results for line, rule_id in r.unused_ignores],
        "errors": list(report.errors),  # the CLI gathers every one-line error here, per-file ones included
    }
    dump(doc, stream, indent=2)  # what json.dump(doc, stream, indent=2) writes, faster
    stream.write("\n")
