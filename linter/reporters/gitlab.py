"""GitLab Code Quality: a JSON array of issues for `artifacts:reports:codequality`.

Each finding is one issue with the fields GitLab documents: `description`,
`check_name` (the rule ID), `fingerprint`, `severity` (info, minor, major, critical,
blocker) and `location.path` (relative to the repository root) with
`location.lines.begin`. The fingerprint is SARIF's partialFingerprints scheme (a hash
of the rule ID and the whitespace-normalised text of the finding's line, numbered
among identical pairs) qualified by the file's path, so an issue keeps its identity
when unrelated lines move and GitLab can tell new issues from fixed ones between a
merge request and its target branch. Files that could not be read are not issues:
they are reported on standard error and make the exit code 2.
"""
from __future__ import annotations


from dockerslim_lint.reporters import escape
from dockerslim_lint.reporters.common import line_hashes, sha256
from dockerslim_lint.reporters.github import root_relative, stdin_path
from dockerslim_lint.reporters.indented import dump

# error/warning/info onto GitLab's scale; critical and blocker are left for tools whose
# findings break builds or leak secrets, which no rule here claims.
SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def issue_path(path: str, root) -> str:
    if path == stdin_path():
        return "stdin"
    rel = root_relative(path, root)
    return rel if rel is not None else path


def fingerprint(path: str, line_hash: str) -> str:
    """32 hex digits (GitLab shows MD5-sized fingerprints; any unique string works)."""
    return sha256(f"{path}\0{line_hash}".encode("utf-8", "replace")).hexdigest()[:32]


def description(f) -> str:
    text = escape(f.message)
    if f.suggestion is not None and f.suggestion.text:
        text += "; suggestion: " + escape(f.suggestion.text)
    return text


def issues(results, report) -> list:
    out = []
    for result in results:
        path = issue_path(result.path, report.root)
        for f, line_hash in zip(result.findings, line_hashes(result.findings, result.source_lines)):
            begin = max(1, int(f.line or 1))
            lines = {"begin": begin}
            if f.end_line and f.end_line > begin:
                lines["end"] = int(f.end_line)
            out.append({
                "type": "issue",
                "description": description(f),
                "check_name": f.rule_id,
                "fingerprint": fingerprint(path, line_hash),
                "severity": SEVERITIES.get(f.severity, "minor"),
                "location": {"path": path, "lines": lines},
            })
    return out


def write(stream, results, report):
    dump(issues(results, report), stream)
    stream.write("\n")
