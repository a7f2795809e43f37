"""The engine: one model per file, every selected rule over it, suppressions, sorting.

Rules never see files or options; they read the model and yield findings. The
engine owns select/ignore, severity overrides, inline suppressions, and turns a
rule that raises into one internal-error line instead of a traceback.
"""
from __future__ import annotations

from dockerslim_lint.records import field, fields, record

from dockerslim_lint.engine.findings import Finding, severity_rank
from dockerslim_lint.engine.rule import Rule
from dockerslim_lint.engine import suppress

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Dict, List, Optional, Sequence

PARSE_ERROR_ID = "DSL001"
NOT_UTF8_ID = "DSL002"


@record
class Options:
    """Which rules run and how: selection, severities, target, build args."""

    select: Optional[frozenset] = None  # None: every rule
    ignore: frozenset = frozenset()
    severity: Dict[str, str] = field(default_factory=dict)  # rule id -> severity or "off"
    target: Optional[str] = None
    build_args: Dict[str, str] = field(default_factory=dict)
    suggestions: str = "distroless"
    failure_threshold: str = "info"
    report_unused_ignores: bool = False

    def enabled(self, rule_id: str) -> bool:
        if self.select is not None and rule_id not in self.select:
            return False
        if rule_id in self.ignore:
            return False
        return self.severity.get(rule_id) != "off"


@record
class FileResult:
    """The findings and one-line errors of one linted file."""

    path: str  # as given / as reported
    findings: List[Finding] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # one-line messages: I/O, target, internal errors (exit 2)
    unused_ignores: List[tuple] = field(default_factory=list)  # [(line, rule_id)]
    source_lines: Optional[list] = None  # decoded lines, for reporters that fingerprint

    def fails(self, threshold: str) -> bool:
        if threshold == "none":
            return False
        limit = severity_rank(threshold)
        return any(severity_rank(f.severity) <= limit for f in self.findings)


class Context:
    """What rules may read besides the model: the catalog and the suggestion family."""

    def __init__(self, catalog, options: Options):
        self.catalog = catalog
        self.options = options
        self.suggestion_family = options.suggestions
        # Do rules attach fixes (Finding.fix)? The CLI turns this off when nothing reads them
        # (no --fix/--diff, a format that shows none): a fix costs more than its finding.
        self.fixes = True


class Linter:
    def __init__(self, rules: Sequence[Rule], options: Optional[Options] = None, catalog=None):
        from dockerslim_lint.images.catalog import default_catalog

        self.options = options or Options()
        self.catalog = catalog if catalog is not None else default_catalog()
        self.all_rules = list(rules)
        self.rules = [r for r in self.all_rules if self.options.enabled(r.ID)]
        # The rules that read a model (DSL001/DSL002 come from the parser itself).
        self._model_rules = [r for r in self.rules if r.ID not in (PARSE_ERROR_ID, NOT_UTF8_ID)]
        self.rules_by_id = {r.ID: r for r in self.all_rules}
        self.context = Context(self.catalog, self.options)

    def severity_of(self, rule_id: str) -> str:
        override = self.options.severity.get(rule_id)
        if override and override != "off":
            return override
        rule = self.rules_by_id.get(rule_id)
        return rule.SEVERITY if rule else "error"

    def lint_bytes(self, data: bytes, path: str) -> FileResult:
        from dockerslim_lint.dockerfile.parser import parse
        from dockerslim_lint.model.stages import build_model, ModelError

        result = FileResult(path)
        parsed = parse(data)
        result.source_lines = parsed.lines
        findings: List[Finding] = []
        if parsed.not_utf8_line is not None:
            findings.append(Finding(
                NOT_UTF8_ID, parsed.not_utf8_line,
                "this line holds bytes that are not UTF-8: save the file as UTF-8"))
        if parsed.error is not None:
            findings.append(Finding(PARSE_ERROR_ID, parsed.error.line,
                                    f"cannot read this as a Dockerfile: {parsed.error.message}"))
        else:
            try:
                model = build_model(parsed, build_args=self.options.build_args,
                                    target=self.options.target, catalog=self.catalog)
            except ModelError as exc:
                result.errors.append(str(exc))
                model = None
            if model is not None:
                for rule in self._model_rules:
                    try:
                        findings.extend(rule.check(model, self.context))
                    except Exception as exc:  # a broken rule must not take the run down
                        result.errors.append(
                            f"internal error in rule {rule.ID} ({type(exc).__name__}: {exc}); "
                            "other rules still ran; please report this")
                _attach_rewrite(findings, model, self.context, result)
                _forget_memos(model)
        findings = [f for f in findings if self.options.enabled(f.rule_id)]
        _attach_base_swaps(findings, parsed.lines)
        # Every suppression comment names the tool: most files hold none (a bytes search).
        may_suppress = not isinstance(data, (bytes, bytearray)) or b"dockerslim-lint" in data
        kept, unused = suppress.apply(findings, parsed) if may_suppress else (findings, [])
        for f in kept:
            f.path = path
            f.severity = self.severity_of(f.rule_id)
            rule = self.rules_by_id.get(f.rule_id)
            f.name = rule.NAME if rule else f.rule_id
        kept.sort(key=Finding.sort_key)
        result.findings = kept
        # A suppression naming no rule is a typo that silences nothing: always an error.
        for line, rule_id, near in suppress.unknown_ids(parsed, self.all_rules) if may_suppress else ():
            hint = f" (did you mean {near}?)" if near else ""
            result.errors.append(f"line {line}: unknown rule {rule_id!r} in a suppression comment{hint}; "
                                 "see `dockerslim-lint --list-rules`")
        if self.options.report_unused_ignores:
            # A suppression of a rule that did not run (not selected, ignored, `off`) cannot
            # have silenced anything, and is not wrong either.
            result.unused_ignores = [entry for entry in unused if entry[1] in self.rules_by_id
                                     and self.options.enabled(entry[1])]
        return result


def _forget_memos(model) -> None:
    """Drop what was memoised on a file's model once every rule has read it: everything in
    its __dict__ that is not one of its fields.

    Some memos refer back to the model (SurfaceAnalysis.model): left in place, each file's
    whole model is a reference cycle that only the garbage collector frees (about 5% of a
    batch's CPU time went to collections). A memo is only a cache: a later reader would
    compute it again."""
    memos = model.__dict__
    names = [f.name for f in fields(model)]
    if len(memos) > len(names):
        model.__dict__ = {name: memos[name] for name in names}


def _attach_base_swaps(findings, lines) -> None:
    """A finding whose suggestion can be applied alone carries the base swap as its fix."""
    for f in findings:
        if f.fix is None and f.suggestion is not None and getattr(f.suggestion, "fix_safe", False):
            from dockerslim_lint.fix.edits import base_swap

            f.fix = base_swap(lines, f.suggestion)


def _attach_rewrite(findings, model, context, result) -> None:
    """DSL101/DSL102 findings carry the multi-stage rewrite as an unsafe fix, or why none."""
    if not any(f.rule_id in ("DSL101", "DSL102") for f in findings):
        return
    from dockerslim_lint.fix.rewrite import attach

    try:
        attach(findings, model, context)
    except Exception as exc:  # the rewrite must not take the run down
        result.errors.append(f"internal error in the multi-stage rewrite ({type(exc).__name__}: {exc}); "
                             "the findings still stand; please report this")
