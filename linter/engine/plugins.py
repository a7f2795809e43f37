"""Rule discovery: the built-in families, then third-party rules from entry points.

Third-party distributions declare, in their packaging metadata,

    [project.entry-points."dockerslim_lint.rules"]
    mycompany = "mycompany_rules"          # a module exporting RULES, or a rule object

No import magic: a plugin is found only through its entry point.
"""
from __future__ import annotations

import sys

from dockerslim_lint.engine.rule import Rule

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import List, Optional, Tuple

ENTRY_POINT_GROUP = "dockerslim_lint.rules"
BUILTIN_FAMILIES = ("parse", "build", "base", "surface", "hygiene", "compat")
_REQUIRED = ("ID", "NAME", "SEVERITY", "SUMMARY", "check")


class EntryPoint:
    """One `name = module[:attr]` line of a distribution's entry_points.txt."""

    __slots__ = ("name", "value")

    def __init__(self, name: str, value: str):
        self.name, self.value = name, value

    def load(self):
        import importlib

        module, _, attrs = self.value.partition("[")[0].partition(":")
        obj = importlib.import_module(module.strip())
        for attr in filter(None, attrs.strip().split(".")):
            obj = getattr(obj, attr)
        return obj


def _distributions(path=None):
    """(normalized name, metadata folder) of each distribution on sys.path, first of a name only.

    What importlib.metadata's discovery finds, read directly: every `*.dist-info` /
    `*.egg-info` folder in each sys.path folder, in sys.path order. Importing
    importlib.metadata (email, zipfile, csv, ...) costs about a fifth of a bare run's
    start-up; this lists a few folders. Distributions inside zip files (zipped eggs) are
    not searched."""
    import os

    seen = set()
    for entry in (sys.path if path is None else path):
        if not isinstance(entry, str):
            continue
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:  # not a folder (a zip file), missing, unreadable
            continue
        for name in names:
            stem, ext = os.path.splitext(name)
            if ext.lower() not in (".dist-info", ".egg-info"):
                continue
            dist = _normalize(stem.partition("-")[0])
            if dist not in seen:
                seen.add(dist)
                yield dist, os.path.join(entry or ".", name)


def _read(folder: str, name: str) -> Optional[str]:
    import os

    try:
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):  # absent (most distributions), or an egg-info file
        return None


def _entry_points(group: str = ENTRY_POINT_GROUP, path=None) -> List[EntryPoint]:
    """The entry points of `group` declared by the distributions on sys.path, in sys.path order
    (what importlib.metadata.entry_points(group=...) returns)."""
    found: List[EntryPoint] = []
    for _, folder in _distributions(path):
        text = _read(folder, "entry_points.txt")
        if text and group in text:  # most files declare other groups only (console_scripts...)
            found.extend(_parse_entry_points(text, group))
    return found


def metadata_values(distribution: str, field: str, path=None) -> Optional[List[str]]:
    """Every value of a header field (e.g. Project-URL) in an installed distribution's core
    metadata, as importlib.metadata.metadata(distribution).get_all(field) gives them
    ([] when the field is absent); None when the distribution is not installed."""
    wanted = _normalize(distribution)
    for dist, folder in _distributions(path):
        if dist != wanted:
            continue
        text = _read(folder, "METADATA")
        if text is None:
            text = _read(folder, "PKG-INFO")
        if text is None:
            return None
        values: List[str] = []
        current = None
        for line in text.splitlines():
            if not line.strip():
                break  # the headers end at the first blank line; the body follows
            if line[:1] in " \t":  # a folded continuation line
                if current:
                    values[-1] += " " + line.strip()
                continue
            name, sep, value = line.partition(":")
            current = sep and name.strip().lower() == field.lower()
            if current:
                values.append(value.strip())
        return values
    return None


def _normalize(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "_", name).lower()


def _parse_entry_points(text: str, group: str) -> List[EntryPoint]:
    """The `name = value` lines of section [group] (INI syntax as setuptools writes it)."""
    out: List[EntryPoint] = []
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section == group and "=" in line:
            name, _, value = line.partition("=")
            out.append(EntryPoint(name.strip(), value.strip()))
    return out


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
