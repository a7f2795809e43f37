"""GitHub Actions workflow commands: one annotation per finding.

    ::error file=Dockerfile,line=1,col=1,endLine=1,title=DSL101::message%0Asuggestion: ...

error/warning/info map to ::error/::warning/::notice. Paths are relative to the
repository root (Report.root), as GitHub resolves them against the workspace.
Property values escape % CR LF : and , and messages escape % CR LF, as the Actions
toolkit does; other control characters from a Dockerfile become visible escapes.
Files that could not be read become annotations without a file.
"""
from __future__ import annotations

import os

from dockerslim_lint.reporters import escape

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
_STDIN = "<stdin>"


def stdin_path() -> str:
    """The path the CLI reports for standard input when --stdin-filename is not given."""
    return _STDIN


def escape_data(text: str) -> str:
    """A workflow command's message: % CR LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: % CR LF : , escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def root_relative(path: str, root) -> "str | None":
    """`path` relative to the repository root, with '/' separators.

    Inside the root it has no '..' (the real paths are tried too, so a symlinked
    spelling still lands inside); outside it climbs with '../'. None only when no
    relative path exists (another drive on Windows, or no current directory).
    """
    if not root:
        try:
            root = os.getcwd()
        except OSError:
            return None
    found = None
    for p, r in ((os.path.abspath(path), os.path.abspath(root)),
                 (os.path.realpath(path), os.path.realpath(root))):
        try:
            rel = os.path.relpath(p, r).replace(os.sep, "/")
        except ValueError:  # another drive (Windows)
            continue
        if rel != ".." and not rel.startswith("../"):
            return rel
        found = found or rel
    return found


def all_errors(results, report) -> list:
    """Run-level and per-file one-line errors ("path: message"), each once, in order.

    The CLI already copies each FileResult error, prefixed with its path, into
    Report.errors; a Report built elsewhere may hold them only in the FileResults.
    """
    out = []
    for message in list(report.errors) + [f"{r.path}: {e}" for r in results for e in r.errors]:
        if message not in out:
            out.append(message)
    return out


def _file_property(path: str, root):
    if path == _STDIN:
        return None
    rel = root_relative(path, root)
    return rel if rel is not None else os.path.abspath(path)


def _command(kind: str, message: str, **props) -> str:
    parts = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{kind}{' ' + parts if parts else ''}::{escape_data(message)}\n"


def _clean(text: str) -> str:
    """Dockerfile-derived text with control characters made visible (CR and LF too)."""
    return escape(text or "")


def write(stream, results, report):
    root = report.root
    for result in results:
        file = _file_property(result.path, root)
        for f in result.findings:
            message = _clean(f.message)
            if f.suggestion is not None and f.suggestion.text:
                message += "\nsuggestion: " + _clean(f.suggestion.text)
            end_line = f.end_line if f.end_line and f.end_line != f.line else None
            stream.write(_command(
                COMMANDS.get(f.severity, "warning"), message,
                file=_clean(file) if file is not None else None,
                line=f.line, col=f.column, endLine=end_line,
                endColumn=f.end_column if f.end_column and end_line is None else None,
                title=f.rule_id))
        for entry in result.unused_ignores:
            line, rule_id = entry
            advice = getattr(entry, "advice", "remove it")
            stream.write(_command(
                "warning", f"unused suppression of {rule_id}: it silenced nothing; {advice}",
                file=_clean(file) if file is not None else None, line=line,
                title="unused-suppression"))
    for message in all_errors(results, report):
        stream.write(_command("error", _clean(message), title="dockerslim-lint"))
