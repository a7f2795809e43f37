"""The language server: the CLI's linting, per open Dockerfile, as LSP diagnostics,
quick fixes and hover.

- Diagnostics on open, save, and change (debounced by DEBOUNCE_SECONDS), for files whose
  names the CLI's discovery accepts (Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile,
  ...) and that their configuration does not exclude. Each carries its rule ID as `code`
  and the rule's documentation page as `codeDescription.href`.
- The configuration is found as the CLI finds it for that file (from its folder up to
  the repository root), read again on every lint so an edited config applies at once;
  `target`, `build-args`, `severity`, `select`/`ignore` and inline suppressions apply.
- Code actions: each finding's fix from the edit engine (labelled safe or unsafe), and
  "Suppress DSLnnn on this line", an edit built with the same engine.
- Hover on a diagnostic: the rule's summary and the suggested image with its sizes.
- Nothing kills the server: a file that does not parse is one DSL001 diagnostic, a rule
  that raises is a log message (the other rules still report), a configuration error
  is one diagnostic on line 1, and anything unexpected is logged.
"""
from __future__ import annotations

import asyncio
import os
import re
from dockerslim_lint.records import field, record
from typing import Dict, List, Optional

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from dockerslim_lint import __version__
from dockerslim_lint.files import is_dockerfile_name

DEBOUNCE_SECONDS = 0.3
SOURCE = "dockerslim-lint"
SEVERITIES = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning,
              "info": lsp.DiagnosticSeverity.Information}
CONFIG_NAMES = (".dockerslim-lint.yaml", ".dockerslim-lint.yml", "pyproject.toml")
_INDENT = re.compile(r"[ \t]*")


@record
class Linted:
    """The last lint of one open document."""

    version: Optional[int]
    path: str
    lines: List[str]  # the parser's lines (no line endings), what positions count in
    findings: list = field(default_factory=list)
    crlf: bool = False


# -- the edit engine's fixes and suppressions ------------------------------------------

def suppression_fix(lines, parsed, finding):
    """The edit that silences `finding` with an inline suppression: its rule ID added to a
    `# dockerslim-lint ignore=` comment directly above the finding's instruction, or a new
    such comment line (indented like the instruction) when there is none."""
    from dockerslim_lint.engine.suppress import _DIRECTIVE
    from dockerslim_lint.fix.edits import Edit, Fix

    rule_id = finding.rule_id
    description = f"Suppress {rule_id} on this line"
    line = finding.line
    for ins in getattr(parsed, "instructions", None) or ():
        if ins.start_line <= finding.line <= ins.end_line:
            line = ins.start_line
            break
    if not 1 <= line <= len(lines):
        return None
    above = line - 1
    while above >= 1 and lines[above - 1].lstrip().startswith("#"):
        text = lines[above - 1]
        hash_at = text.index("#")
        match = _DIRECTIVE.match(text[hash_at + 1:])
        if match and not match.group(1):  # a local `ignore=` directive: extend its ID list
            column = hash_at + 1 + match.end(2) + 1
            return Fix(description, (Edit(above, column, above, column, f",{rule_id}"),), safe=True)
        above -= 1
    indent = _INDENT.match(lines[line - 1]).group()
    return Fix(description, (Edit(line, 1, line, 1, f"{indent}# dockerslim-lint ignore={rule_id}\n"),),
               safe=True)


def fix_title(fix) -> str:
    label = "safe fix" if fix.safe else "unsafe fix: check that the image still works"
    return f"{fix.description.rstrip('.')} ({label})"


# -- the server ------------------------------------------------------------------------

class DockerslimLanguageServer(LanguageServer):
    def __init__(self):
        super().__init__("dockerslim-lint", __version__)
        self._rules = None
        self._linters: Dict[tuple, object] = {}
        self._home: Optional[str] = None
        self.linted: Dict[str, Linted] = {}
        self._pending: Dict[str, asyncio.Task] = {}

    # -- helpers -------------------------------------------------------------------------

    def log(self, message: str, kind=lsp.MessageType.Error) -> None:
        self.window_log_message(lsp.LogMessageParams(type=kind, message=f"dockerslim-lint: {message}"))

    def rules(self):
        if self._rules is None:
            from dockerslim_lint.engine.plugins import load_rules

            self._rules, errors = load_rules()
            for error in errors:
                self.log(error)
        return self._rules

    def doc_link(self, rule_id: str) -> Optional[str]:
        from dockerslim_lint.reporters.common import help_uri, homepage, is_builtin

        rule = next((r for r in self.rules() if r.ID == rule_id), None)
        if rule is None or not is_builtin(rule):
            return None
        if self._home is None:
            self._home = homepage()
        return help_uri(rule_id, self._home)

    def linter_for(self, path: str):
        """The Linter for a file as the CLI would build it (None: its config excludes it).
        Raises ConfigError. The config is looked up afresh each time (a cheap walk up the
        folders); a Linter is reused while its config file is unchanged."""
        from dockerslim_lint.config import Resolver, merge_options
        from dockerslim_lint.engine.linter import Linter

        rules = self.rules()
        config = Resolver({r.ID for r in rules}).for_path(path)
        if config.excludes(path):
            return None
        try:
            st = os.stat(config.path) if config.path else None
            key = (config.path, st.st_mtime_ns if st else None, st.st_size if st else None)
        except OSError:
            key = (config.path, None, None)
        if key not in self._linters:
            self._linters[key] = Linter(rules, merge_options(config), catalog=config.catalog())
        return self._linters[key]

    def publish(self, uri: str, version, diagnostics) -> None:
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics))

    def to_client(self, lines, line: int, column: int) -> lsp.Position:
        """1-based line and code-point column -> the client's 0-based position units."""
        line = max(1, line)
        if line > len(lines):  # the end of a text that ends with a newline
            return lsp.Position(line=line - 1, character=0)
        column = min(max(1, column), len(lines[line - 1]) + 1)
        return self.workspace.position_codec.position_to_client_units(
            lines, lsp.Position(line=line - 1, character=column - 1))

    def range_of(self, lines, f) -> lsp.Range:
        end_line = max(f.line, f.end_line or f.line)
        if f.end_column:
            end_column = f.end_column
        else:  # to the end of the last line
            end_column = len(lines[end_line - 1]) + 1 if 1 <= end_line <= len(lines) else 1
        return lsp.Range(start=self.to_client(lines, f.line, f.column or 1),
                         end=self.to_client(lines, end_line, end_column))

    def diagnostic(self, lines, f) -> lsp.Diagnostic:
        link = self.doc_link(f.rule_id)
        return lsp.Diagnostic(
            range=self.range_of(lines, f),
            message=f.message,
            severity=SEVERITIES.get(f.severity, lsp.DiagnosticSeverity.Warning),
            code=f.rule_id,
            code_description=lsp.CodeDescription(href=link) if link else None,
            source=SOURCE,
            data={"rule": f.rule_id, "line": f.line},
        )

    def problem(self, message: str) -> lsp.Diagnostic:
        """One diagnostic on line 1 for what is not a finding (config error, crash)."""
        return lsp.Diagnostic(range=lsp.Range(start=lsp.Position(line=0, character=0),
                                              end=lsp.Position(line=0, character=0)),
                              message=message, severity=lsp.DiagnosticSeverity.Error, source=SOURCE)

    # -- linting -------------------------------------------------------------------------

    def lint(self, uri: str) -> None:
        """Lint the open document now and publish its diagnostics; never raises."""
        try:
            self._lint(uri)
        except Exception as exc:  # the server outlives any bug in a rule, the engine or here
            self.log(f"{uri}: internal error: {type(exc).__name__}: {exc}; please report this")
            try:
                doc = self.workspace.get_text_document(uri)
                self.linted.pop(uri, None)
                self.publish(uri, doc.version, [self.problem(
                    f"dockerslim-lint could not lint this file (internal error: {type(exc).__name__}); "
                    "see the language server's log")])
            except Exception:  # pragma: no cover - the client went away
                pass

    def _lint(self, uri: str) -> None:
        from dockerslim_lint.config import ConfigError

        doc = self.workspace.get_text_document(uri)
        path = doc.path
        if not uri.startswith("file:") or not path or not is_dockerfile_name(os.path.basename(path)):
            return
        try:
            linter = self.linter_for(path)
        except ConfigError as exc:
            self.log(str(exc))
            self.linted.pop(uri, None)
            self.publish(uri, doc.version, [self.problem(str(exc))])
            return
        if linter is None:  # excluded by its configuration, as on the command line
            self.linted.pop(uri, None)
            self.publish(uri, doc.version, [])
            return
        source = doc.source
        result = linter.lint_bytes(source.encode("utf-8", "surrogatepass"), path)
        lines = result.source_lines or [""]
        diagnostics = [self.diagnostic(lines, f) for f in result.findings]
        for error in result.errors:
            self.log(f"{path}: {error}")
            if not error.startswith("internal error in rule"):  # e.g. an unknown target
                diagnostics.append(self.problem(error))
        self.linted[uri] = Linted(doc.version, path, lines, result.findings, crlf="\r\n" in source)
        self.publish(uri, doc.version, diagnostics)

    def schedule(self, uri: str, delay: float) -> None:
        pending = self._pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        if delay <= 0:
            self.lint(uri)
            return

        async def later():
            try:
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                return
            self._pending.pop(uri, None)
            self.lint(uri)

        self._pending[uri] = asyncio.ensure_future(later())

    def current(self, uri: str) -> Optional[Linted]:
        """The document's lint, redone first when the text changed since."""
        doc = self.workspace.get_text_document(uri)
        state = self.linted.get(uri)
        if state is None or state.version != doc.version:
            self.schedule(uri, 0)
            state = self.linted.get(uri)
        return state

    # -- features ------------------------------------------------------------------------

    def findings_at(self, state: Linted, first: int, last: int):
        """Findings whose lines meet the 0-based line range [first, last]."""
        return [f for f in state.findings
                if f.line - 1 <= last and max(f.line, f.end_line or f.line) - 1 >= first]

    def text_edit(self, state: Linted, edit) -> lsp.TextEdit:
        text = edit.text.replace("\r\n", "\n")
        if state.crlf:
            text = text.replace("\n", "\r\n")
        return lsp.TextEdit(range=lsp.Range(start=self.to_client(state.lines, edit.line, edit.column),
                                            end=self.to_client(state.lines, edit.end_line, edit.end_column)),
                            new_text=text)

    def code_actions(self, uri: str, params: lsp.CodeActionParams):
        state = self.current(uri)
        if state is None:
            return []
        from dockerslim_lint.dockerfile.parser import parse

        parsed = parse("\n".join(state.lines).encode("utf-8", "surrogatepass"))
        actions = []
        for f in self.findings_at(state, params.range.start.line, params.range.end.line):
            diagnostic = self.diagnostic(state.lines, f)
            fixes = []
            if getattr(f, "fix", None) is not None and f.fix.edits:
                fixes.append((f.fix, fix_title(f.fix), f.fix.safe))
            suppress = suppression_fix(state.lines, parsed, f)
            if suppress is not None:
                fixes.append((suppress, suppress.description, False))
            for fix, title, preferred in fixes:
                actions.append(lsp.CodeAction(
                    title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                    is_preferred=preferred or None,
                    edit=lsp.WorkspaceEdit(changes={uri: [self.text_edit(state, e) for e in fix.edits]})))
        return actions

    def hover(self, uri: str, params: lsp.HoverParams):
        state = self.current(uri)
        if state is None:
            return None
        found = self.findings_at(state, params.position.line, params.position.line)
        if not found:
            return None
        from dockerslim_lint.reporters.markdown import sizes, size

        rules = {r.ID: r for r in self.rules()}
        parts = []
        suggestion = None
        for f in found:
            rule = rules.get(f.rule_id)
            summary = getattr(rule, "SUMMARY", "") if rule else ""
            link = self.doc_link(f.rule_id)
            head = f"**{f.rule_id}** {f.name} ({f.severity})" + (f": {summary}" if summary else "")
            parts.append(head + (f" [documentation]({link})" if link else ""))
            suggestion = suggestion or f.suggestion
        if suggestion is not None:
            now, then, saving = sizes(suggestion)
            image = getattr(suggestion, "image", None)
            if image:
                line = f"Suggested image: `{image}`"
                if now is not None and then is not None:
                    line += f", about {size(now)} now, {size(then)} with it (saving about {size(saving)})"
                elif then is not None:
                    line += f" (about {size(then)})"
                parts.append(line)
            parts.append(f"Suggestion: {suggestion.text}")
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n\n".join(parts)),
                         range=self.range_of(state.lines, found[0]))

    def forget(self, uri: str) -> None:
        pending = self._pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self.linted.pop(uri, None)
        self.publish(uri, None, [])

    def relint_all(self) -> None:
        for uri in list(self.linted):
            self.schedule(uri, 0)


def create_server() -> DockerslimLanguageServer:
    server = DockerslimLanguageServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DockerslimLanguageServer, params: lsp.DidOpenTextDocumentParams):
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: DockerslimLanguageServer, params: lsp.DidChangeTextDocumentParams):
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DockerslimLanguageServer, params: lsp.DidSaveTextDocumentParams):
        uri = params.text_document.uri
        if os.path.basename(uri) in CONFIG_NAMES:  # a configuration changed: every file may change
            ls.relint_all()
        else:
            ls.schedule(uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DockerslimLanguageServer, params: lsp.DidCloseTextDocumentParams):
        ls.forget(params.text_document.uri)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: DockerslimLanguageServer, params: lsp.DidChangeWatchedFilesParams):
        ls.relint_all()

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    def code_action(ls: DockerslimLanguageServer, params: lsp.CodeActionParams):
        try:
            return ls.code_actions(params.text_document.uri, params)
        except Exception as exc:
            ls.log(f"code actions: internal error: {type(exc).__name__}: {exc}; please report this")
            return []

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: DockerslimLanguageServer, params: lsp.HoverParams):
        try:
            return ls.hover(params.text_document.uri, params)
        except Exception as exc:
            ls.log(f"hover: internal error: {type(exc).__name__}: {exc}; please report this")
            return None

    return server


def serve() -> None:
    create_server().start_io()
