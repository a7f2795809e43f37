"""Rule discovery: the built-in families, then third-party rules from entry points.

Third-party distributions declare, in their packaging metadata,

    [project.entry-points."dockerslim_lint.rules"]
    mycompany = "mycompany_rules"          # a module exporting RULES, or a rule object

No import magic: a plugin is found only through its entry point.
"""
from __future__ import annotations

import sys
from typing import List, Tuple

from dockerslim_lint.engine.rule import Rule

ENTRY_POINT_GROUP = "dockerslim_lint.rules"
BUILTIN_FAMILIES = ("parse", "build", "base", "surface", "hygiene", "compat")
_REQUIRED = ("ID", "NAME", "SEVERITY", "SUMMARY", "check")


def _entry_points():
    if sys.version_info >= (3, 10):
        from importlib.metadata import entry_points
    else:  # pragma: no cover - Python 3.9 needs the backport for group=
        from importlib_metadata import entry_points
    return entry_points(group=ENTRY_POINT_GROUP)


def _rules_of(obj) -> list:
    if hasattr(obj, "RULES"):
        return list(obj.RULES)
    return [obj]


def _as_rule(obj) -> Rule:
    if isinstance(obj, Rule):
        return obj
    missing = [a for a in _REQUIRED if not hasattr(obj, a)]
    if missing:
        raise ValueError(f"{obj!r} is not a rule: missing {', '.join(missing)}")
    return Rule(obj.ID, obj.NAME, obj.SEVERITY, obj.SUMMARY, obj.check,
                DOC=getattr(obj, "DOC", ""), TAGS=tuple(getattr(obj, "TAGS", ())),
                SECURITY_SEVERITY=getattr(obj, "SECURITY_SEVERITY", None),
                PRECISION=getattr(obj, "PRECISION", "high"))


def builtin_rules() -> List[Rule]:
    import importlib

    rules: List[Rule] = []
    for family in BUILTIN_FAMILIES:
        module = importlib.import_module(f"dockerslim_lint.rules.{family}")
        rules.extend(module.RULES)
    return rules


def load_rules(with_plugins: bool = True) -> Tuple[List[Rule], List[str]]:
    """All rules sorted by ID, and one-line errors for plugins that failed to load."""
    rules = builtin_rules()
    errors: List[str] = []
    if with_plugins:
        seen = {r.ID for r in rules}
        for ep in _entry_points():
            try:
                loaded = [_as_rule(obj) for obj in _rules_of(ep.load())]
            except Exception as exc:
                errors.append(f"plugin {ep.name!r} ({ep.value}) could not be loaded: "
                              f"{type(exc).__name__}: {exc}")
                continue
            for r in loaded:
                if r.ID in seen:
                    errors.append(f"plugin {ep.name!r} declares rule {r.ID}, which already exists; skipped")
                    continue
                seen.add(r.ID)
                rules.append(r)
    rules.sort(key=lambda r: r.ID)
    return rules, errors
