"""The rule API: what a rule declares and how it reports.

A rule is any object with these attributes (a module works too, yamllint style):

    ID        "DSL101"
    NAME      "single-stage-build"
    SEVERITY  "error" | "warning" | "info"      (default severity)
    SUMMARY   one line
    check(model, context) -> iterator of Finding

Its documentation is `data/rules/<ID>.md` in the package (built-in rules) or the
attribute DOC (plugins). Built-in rule families live in `dockerslim_lint.rules.*`
and export `RULES`; third-party rules come through the entry point group
`dockerslim_lint.rules`, whose objects are rules or modules exporting `RULES`.
"""
from __future__ import annotations

from dockerslim_lint.records import record

from dockerslim_lint.engine.findings import Finding

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Callable, Iterator


@record(frozen=True)
class Rule:
    """A rule: its id, name, severity, one-line summary and the check it runs on a model."""

    ID: str
    NAME: str
    SEVERITY: str
    SUMMARY: str
    check: Callable[..., Iterator[Finding]]
    DOC: str = ""
    TAGS: tuple = ()
    # GitHub code scanning: a number 0.1-10 for attack-surface rules, None otherwise.
    SECURITY_SEVERITY: float = None
    PRECISION: str = "high"


def rule(id, name, severity, summary, tags=(), security_severity=None, precision="high"):
    """Decorator turning a `check(model, context)` generator into a Rule."""

    def wrap(check):
        return Rule(id, name, severity, summary, check, TAGS=tuple(tags),
                    SECURITY_SEVERITY=security_severity, PRECISION=precision)

    return wrap
