"""JSON Lines (`--format jsonl`): one JSON object per line, written as each file is linted,
for batches too large to wait for (or to hold) one document. Every record has a `type`:

    {"type":"finding", <the fields of a `--format json` finding: file, line, column, end_line,
                        rule, name, severity, message, suggestion, rewrite>}
    {"type":"unused_ignore","file":...,"line":...,"rule":...}   (--report-unused-ignores)
    {"type":"file","file":...,"suggestion":{...} or null}       once per linted file, last of its records
    {"type":"error","message":"path: ..."}                      a run error, as it happens
    {"type":"summary","version":...,"files":N,"findings":N,"unused_ignores":N,"errors":N}   always last

A finding line stands alone (a consumer may filter lines with grep or `jq -c 'select(...)'`
and still have the finding's suggestion); the `file` record says a file is done and carries
its suggestion once, as `suggestions` does in the JSON document; the `summary` record says the
run completed (a stream cut short has none). ASCII only (`ensure_ascii`), so no text from a
Dockerfile (newlines, U+2028, terminal escapes) can break a line. See docs/jsonl.md.
"""
from __future__ import annotations

import json

from dockerslim_lint.reporters import file_suggestion, suggestion_dict
from dockerslim_lint.reporters.json import finding_dict

# write() reads `results` once, in order: the CLI hands it the results as they are made.
STREAMS = True

_encode = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def write(stream, results, report):
    errors = report.errors  # the CLI appends a file's errors before handing over its result
    put = stream.write
    sent = files = findings = unused = 0
    for result in results:
        for message in errors[sent:]:
            put(_encode({"type": "error", "message": message}) + "\n")
        sent = len(errors)
        for f in result.findings:
            record = {"type": "finding"}
            record.update(finding_dict(f))
            put(_encode(record) + "\n")
        for line, rule_id in result.unused_ignores:
            put(_encode({"type": "unused_ignore", "file": result.path, "line": line, "rule": rule_id}) + "\n")
        put(_encode({"type": "file", "file": result.path,
                     "suggestion": suggestion_dict(file_suggestion(result))}) + "\n")
        files += 1
        findings += len(result.findings)
        unused += len(result.unused_ignores)
        stream.flush()  # a reader at the other end of a pipe sees each file as it is done
    for message in errors[sent:]:
        put(_encode({"type": "error", "message": message}) + "\n")
    put(_encode({"type": "summary", "version": report.version, "files": files, "findings": findings,
                 "unused_ignores": unused, "errors": len(errors)}) + "\n")
