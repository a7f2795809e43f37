"""What several reporters share without paying for each other's imports: the line-hash
fingerprints (SARIF partialFingerprints, GitLab fingerprints), the project homepage and
the rule documentation links (SARIF helpUri, markdown links, LSP codeDescription)."""
from __future__ import annotations

import re

try:  # the built-in SHA-256: hashlib would load its OpenSSL binding (~3 ms of SARIF's start-up)
    from _sha256 import sha256  # Python 3.10, 3.11
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:  # a Python built without them
        from hashlib import sha256

DISTRIBUTION = "dockerslim-lint"
# Used only when the installed distribution has no Project-URL (a source tree run
# without installing). The one kept value is [project.urls] Homepage in pyproject.toml.
FALLBACK_HOMEPAGE = "https://github.com/dockerslim-lint/dockerslim-lint"

_SPACES = re.compile(r"\s+")


def normalise_line(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()


def line_text(lines, number: int) -> str:
    if lines and 1 <= number <= len(lines):
        return lines[number - 1]
    return ""


def line_hashes(findings, lines) -> list:
    """primaryLocationLineHash for each finding of one file, in order: "<hex>:<n>".

    The hash covers the rule id and the whitespace-normalised text of the finding's
    line, not its number, so an alert keeps its identity when unrelated lines move;
    n (from 1, as GitHub's own fingerprints count) tells apart identical (rule, line
    text) pairs in one file, in file order.
    """
    seen = {}
    out = []
    for f in findings:
        digest = sha256(
            f"{f.rule_id}\0{normalise_line(line_text(lines, f.line))}".encode("utf-8", "replace")
        ).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        out.append(f"{digest}:{seen[digest]}")
    return out


def homepage(distribution: str = DISTRIBUTION, fallback: str = FALLBACK_HOMEPAGE) -> str:
    """The project URL from the installed distribution's metadata (Project-URL)."""
    from dockerslim_lint.engine.plugins import metadata_values  # not importlib.metadata: ~20 ms

    urls = metadata_values(distribution, "Project-URL")
    if urls is None:
        return fallback
    found = {}
    for entry in urls:
        label, _, url = entry.partition(",")
        if url.strip():
            found[label.strip().lower()] = url.strip()
    url = found.get("homepage") or found.get("repository") or found.get("source") or \
        next(iter(found.values()), None)
    return (url or fallback).rstrip("/")


def help_uri(rule_id: str, home: str) -> str:
    return f"{home}/blob/main/docs/rules/{rule_id}.md"


def is_builtin(rule) -> bool:
    """A rule of this package (whose page is under docs/rules), not a plugin's."""
    import os

    from dockerslim_lint.docs import DATA_DIR

    module = getattr(getattr(rule, "check", None), "__module__", "") or ""
    return module.startswith("dockerslim_lint.") or (
        not getattr(rule, "DOC", "") and os.path.exists(os.path.join(DATA_DIR, f"{rule.ID}.md")))


_UNWRITABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def writable(text: str) -> str:
    """Lone surrogates (a path or text that was not UTF-8) and the noncharacters U+FFFE
    and U+FFFF, which no UTF-8 stream or XML document can carry, as visible \\uNNNN."""
    return _UNWRITABLE.sub(lambda m: "\\u%04x" % ord(m.group()), text)
