"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers (docs/sarif.md).

One run: the driver lists every rule that ran (with its documentation as `help`),
each finding is a result with one location relative to the repository root
(`%SRCROOT%`), a line-hash fingerprint that survives unrelated lines moving, and the
finding's `fix` (the edit engine's, dockerslim_lint.fix.edits) where it has one. Files that could not be read are
tool execution notifications of `invocations[0]`.

The log is built from sarif-om objects (imported only when this format is chosen)
and serialised here rather than with jschema_to_python's `to_json`, which drops
every value equal to its schema default: a result's `level: "warning"` would
vanish and the result would silently take its rule's level. Here a property is
written exactly when it was set: defaults nobody asked for stay out, and every
value that was set survives.
"""
from __future__ import annotations

import os
import re

import attr

from dockerslim_lint.reporters._sarif_om import om  # sarif-om, each class imported when used
from dockerslim_lint.reporters import common, suggestion_dict
from dockerslim_lint.reporters.common import (  # noqa: F401 (normalise_line: part of this module's API)
    FALLBACK_HOMEPAGE, help_uri, is_builtin, line_hashes, line_text as _line_text, normalise_line)
from dockerslim_lint.reporters.github import all_errors, root_relative, stdin_path
from dockerslim_lint.reporters.indented import dump

# The CLI has rules build fixes (Finding.fix) only for a format that reads them: this one does.
READS_FIXES = True

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "dockerslim-lint"
DISTRIBUTION = common.DISTRIBUTION
SRCROOT = "%SRCROOT%"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_SPACES = re.compile(r"\s+")


# -- building and serialising sarif-om objects ------------------------------------

_SET = "_sarif_set"  # the attributes given when the object was made
_EXTRA = "_sarif_extra"  # property-bag entries beyond `tags`


def _make(cls, **values):
    """A sarif-om object that remembers which properties were set, in order (None: unset)."""
    obj = cls(**values)
    obj.__dict__[_SET] = tuple(k for k, v in values.items() if v is not None)
    return obj


def _bag(tags=None, **extra):
    """A property bag: `tags` plus any other entries (`precision`, `security-severity`)."""
    bag = _make(om.PropertyBag, tags=list(tags) if tags else None)
    bag.__dict__[_EXTRA] = {k: v for k, v in extra.items() if v is not None}
    return bag


def to_data(obj):
    """JSON-ready data for a tree of sarif-om objects, lists, dicts and scalars.

    A sarif-om property is written when it was set through `_make` (whatever its
    value, schema defaults included), in the order given, and left out otherwise.
    Objects made some other way write every property that is not None and not its
    attrs default.
    """
    if attr.has(type(obj)):
        fields = attr.fields_dict(type(obj))
        given = obj.__dict__.get(_SET)
        if given is None:  # not made by _make: leave out None and attrs defaults
            given = [name for name, a in fields.items() if getattr(obj, name) is not None and (
                a.default is attr.NOTHING or isinstance(a.default, attr.Factory)
                or getattr(obj, name) != a.default)]
        out = {fields[name].metadata["schema_property_name"]: to_data(getattr(obj, name))
               for name in given}
        for key, value in obj.__dict__.get(_EXTRA, {}).items():
            out[key] = to_data(value)
        return out
    if isinstance(obj, dict):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    return obj


# -- tool and rules -----------------------------------------------------------------

def homepage() -> str:
    """The project URL from the installed distribution's metadata (Project-URL)."""
    return common.homepage(DISTRIBUTION, FALLBACK_HOMEPAGE)


def _sentence(text: str) -> str:
    """One line ending like a sentence (SARIF2001 asks messages to end with a period)."""
    text = _SPACES.sub(" ", text or "").strip()
    if text and text[-1] not in ".!?":
        text += "."
    return text


def _first_paragraph(markdown: str) -> str:
    """The rule's description from its markdown documentation ('' when none).

    The first paragraph under a "What it does" heading when there is one, else the
    first prose paragraph (headings, tables, code and the "Default severity" line
    skipped).
    """
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if line.lstrip().startswith("#") and "what it does" in line.lower():
            lines = lines[i + 1:]
            break
    paragraph = []
    fenced = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and stripped and not stripped.startswith(("#", "|", "<!--")) \
                and not stripped.lower().startswith("default severity"):
            paragraph.append(stripped)
            continue
        if paragraph:
            break
    return " ".join(paragraph)


def security_severity(value):
    """GitHub's security-severity: a string for a number from 0.1 to 10, else None."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not 0.1 <= number <= 10.0:
        return None
    return f"{number:.1f}"


def rule_descriptor(rule, home: str):
    from dockerslim_lint.docs import rule_doc

    summary = _sentence(getattr(rule, "SUMMARY", "") or rule.ID)
    doc = rule_doc(rule).strip()
    full = _sentence(_first_paragraph(doc)) or summary
    markdown = doc or f"**{rule.ID}** ({rule.NAME}): {summary}"
    tags = [str(t) for t in (getattr(rule, "TAGS", ()) or ())]
    severity_score = security_severity(getattr(rule, "SECURITY_SEVERITY", None))
    if severity_score is not None and "security" not in tags:
        tags.append("security")  # GitHub reads security-severity only on rules tagged so
    return _make(
        om.ReportingDescriptor,
        id=rule.ID,
        name=rule.NAME or None,
        short_description=_make(om.MultiformatMessageString, text=summary),
        full_description=_make(om.MultiformatMessageString, text=full),
        help=_make(om.MultiformatMessageString, text=markdown, markdown=markdown),
        help_uri=help_uri(rule.ID, home) if is_builtin(rule) else None,
        default_configuration=_make(om.ReportingConfiguration,
                                    level=LEVELS.get(rule.SEVERITY, "warning")),
        properties=_bag(tags=tags, precision=getattr(rule, "PRECISION", None) or None,
                        **{"security-severity": severity_score}),
    )


class _SyntheticRule:
    """A descriptor for a finding whose rule is not in Report.rules (never expected)."""

    def __init__(self, finding):
        self.ID = finding.rule_id
        self.NAME = finding.name if finding.name and finding.name != finding.rule_id else ""
        self.SEVERITY = finding.severity
        self.SUMMARY = finding.name or finding.rule_id
        self.DOC = ""
        self.TAGS = ()
        self.SECURITY_SEVERITY = None
        self.PRECISION = None


# -- locations, fingerprints, fixes --------------------------------------------------

def artifact_location(path: str, root: str):
    """`uri` relative to the repository root, under %SRCROOT% ('../' climbs out of it).

    GitHub rejects absolute file URIs unless it can tell the checkout path (GH1006),
    so a file outside the root is still a relative reference; an absolute file URI
    is left only for paths with no relative form (another drive on Windows).
    """
    if path == stdin_path():
        return _make(om.ArtifactLocation, uri="stdin",
                     description=_make(om.Message, text="Standard input (name it with --stdin-filename)."))
    rel = root_relative(path, root)
    if rel is not None:
        return _make(om.ArtifactLocation, uri=_quote(rel), uri_base_id=SRCROOT)
    return _make(om.ArtifactLocation, uri=_file_uri(os.path.abspath(path)))


# What urllib.parse.quote(..., safe="/") leaves as it is; every other byte is %XX.
_URI_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")


def _percent_encoded(data: bytes) -> str:
    """urllib.parse.quote_from_bytes(data, safe="/"), without importing urllib.parse (~3 ms
    of SARIF's start-up with the ipaddress module it loads)."""
    return "".join(chr(b) if b in _URI_SAFE else f"%{b:02X}" for b in data)


def _quote(relative: str) -> str:
    return _percent_encoded(relative.encode("utf-8"))  # quote(relative, safe="/")


def _file_uri(absolute: str, directory: bool = False) -> str:
    if os.name == "posix":  # Path(absolute).as_uri() of a normalised absolute path, without pathlib
        uri = "file://" + _percent_encoded(os.fsencode(absolute))
    else:
        from pathlib import Path

        uri = Path(absolute).as_uri()
    return uri + "/" if directory and not uri.endswith("/") else uri


def _region(f, lines):
    start_line = max(1, int(f.line or 1))
    start_column = max(1, int(f.column or 1))
    end_line = max(start_line, int(f.end_line or start_line))
    if f.end_column:
        end_column = int(f.end_column)
    else:  # to the end of the last line (endColumn is one past the last character)
        end_column = len(_line_text(lines, end_line)) + 1
    if end_line == start_line:
        end_column = max(end_column, start_column)
    return _make(om.Region, start_line=start_line, start_column=start_column,
                 end_line=end_line, end_column=max(1, end_column))


def fix_for(f, location):
    """The finding's fix (dockerslim_lint.fix.edits: the same edits --fix applies), or None."""
    fix = getattr(f, "fix", None)
    if fix is None or not fix.edits:
        return None
    description = _sentence(fix.description)
    if not fix.safe:
        description += " This may change what the image does."
    return _make(
        om.Fix,
        description=_make(om.Message, text=description),
        artifact_changes=[_make(
            om.ArtifactChange,
            artifact_location=location,
            replacements=[_make(
                om.Replacement,
                deleted_region=_make(om.Region, start_line=e.line, start_column=e.column,
                                     end_line=e.end_line, end_column=e.end_column),
                inserted_content=_make(om.ArtifactContent, text=e.text)) for e in fix.edits],
        )],
    )


def message_text(f) -> str:
    text = _sentence(f.message)
    if f.suggestion is not None and f.suggestion.text:
        text += " Suggestion: " + _sentence(f.suggestion.text)
    return text


# -- the log ----------------------------------------------------------------------------

def _root(report) -> str:
    if report.root:
        return report.root
    try:
        return os.getcwd()
    except OSError:  # the current directory was removed
        return os.path.abspath(os.sep)


def build_log(results, report):
    home = homepage()
    root = _root(report)

    rules = list(report.rules)
    known = {r.ID for r in rules}
    for result in results:
        for f in result.findings:
            if f.rule_id not in known:
                known.add(f.rule_id)
                rules.append(_SyntheticRule(f))
    rules.sort(key=lambda r: r.ID)
    index = {r.ID: i for i, r in enumerate(rules)}

    sarif_results = []
    for result in results:
        lines = result.source_lines
        location_of_file = artifact_location(result.path, root)
        hashes = line_hashes(result.findings, lines)
        for f, line_hash in zip(result.findings, hashes):
            fix = fix_for(f, location_of_file)
            sarif_results.append(_make(
                om.Result,
                rule_id=f.rule_id,
                rule_index=index[f.rule_id],
                level=LEVELS.get(f.severity, "warning"),
                message=_make(om.Message, text=message_text(f)),
                locations=[_make(om.Location, physical_location=_make(
                    om.PhysicalLocation, artifact_location=location_of_file,
                    region=_region(f, lines)))],
                partial_fingerprints={"primaryLocationLineHash": line_hash},
                fixes=[fix] if fix is not None else None,
                properties=_bag(suggestion=suggestion_dict(f.suggestion)) if f.suggestion is not None else None,
            ))

    errors = all_errors(results, report)
    notifications = [
        _make(om.Notification, level="error", message=_make(om.Message, text=_sentence(e)))
        for e in errors
    ]
    unused = []
    for result in results:
        for entry in result.unused_ignores:
            line, rule_id = entry
            unused.append(_make(
                om.Notification, level="note",
                message=_make(om.Message, text=f"Unused suppression of {rule_id}: it silenced "
                                               f"nothing; {getattr(entry, 'advice', 'remove it')}."),
                locations=[_make(om.Location, physical_location=_make(
                    om.PhysicalLocation, artifact_location=artifact_location(result.path, root),
                    region=_make(om.Region, start_line=max(1, int(line)))))],
            ))

    version = report.version or None
    driver = _make(
        om.ToolComponent,
        name=TOOL_NAME,
        version=version,
        semantic_version=version if version and _SEMVER.match(version) else None,
        information_uri=home,
        rules=[rule_descriptor(r, home) for r in rules],
    )
    run = _make(
        om.Run,
        tool=_make(om.Tool, driver=driver),
        automation_details=(_make(om.RunAutomationDetails, id=report.sarif_category)
                            if report.sarif_category else None),
        original_uri_base_ids={SRCROOT: _make(om.ArtifactLocation,
                                              uri=_file_uri(os.path.abspath(root), directory=True))},
        column_kind="unicodeCodePoints",
        invocations=[_make(
            om.Invocation,
            execution_successful=not errors,
            tool_execution_notifications=notifications or None,
            tool_configuration_notifications=unused or None,
        )],
        results=sarif_results,
    )
    return _make(om.SarifLog, schema_uri=SCHEMA_URI, version=SARIF_VERSION, runs=[run])


def write(stream, results, report):
    dump(to_data(build_log(results, report)), stream, indent=2)  # as json.dump(..., indent=2), faster
    stream.write("\n")
