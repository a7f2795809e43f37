"""Checkstyle XML, as Jenkins (warnings-ng), reviewdog and other consumers read it:

    <?xml version="1.0" encoding="UTF-8"?>
    <checkstyle version="4.3">
      <file name="Dockerfile">
        <error line="1" column="1" severity="error" message="..." source="dockerslim-lint.DSL101"/>
      </file>
    </checkstyle>

Every linted file gets a <file> element (an empty one when clean, as checkstyle does);
run-level errors (unreadable files, plugins) are top-level <exception> elements, which
the checkstyle report schema allows. Text from a Dockerfile is escaped so the document
stays well-formed whatever it holds: control characters become visible \\xNN escapes
(as in every other format), characters XML 1.0 cannot carry (lone surrogates, U+FFFE,
U+FFFF) become \\uNNNN, and & < > " ' tab and every non-ASCII character are
character references. With --report-unused-ignores, each unused suppression is an
info-level <error> whose source is dockerslim-lint.unused-suppression.
"""
from __future__ import annotations

import re

from dockerslim_lint.reporters import escape
from dockerslim_lint.reporters.common import writable
from dockerslim_lint.reporters.github import all_errors

CHECKSTYLE_VERSION = "4.3"
SOURCE_PREFIX = "dockerslim-lint."
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\t": "&#9;"}
_SPECIAL = re.compile("[&<>\"'\t]")


def xml_text(text) -> str:
    """Any text, made safe for an XML 1.0 attribute value or element content."""
    text = escape(str(text or ""))
    text = writable(text)  # what XML 1.0 forbids besides the controls `escape` made visible
    text = _SPECIAL.sub(lambda m: _ENTITIES[m.group()], text)
    # Character references for everything past ASCII: right whatever the stream's encoding.
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def message(f) -> str:
    text = f.message
    if f.suggestion is not None and f.suggestion.text:
        text += "; suggestion: " + f.suggestion.text
    return text


def write(stream, results, report):
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(f'<checkstyle version="{CHECKSTYLE_VERSION}">\n')
    for result in results:
        entries = [(f.line, f.column, f.severity, message(f), f.rule_id) for f in result.findings]
        entries += [(line, 1, "info", f"unused suppression of {rule_id}: it silenced nothing; remove it",
                     "unused-suppression") for line, rule_id in result.unused_ignores]
        if not entries:
            stream.write(f'  <file name="{xml_text(result.path)}"/>\n')
            continue
        stream.write(f'  <file name="{xml_text(result.path)}">\n')
        for line, column, severity, text, source in entries:
            stream.write(
                f'    <error line="{max(1, int(line or 1))}" column="{max(1, int(column or 1))}" '
                f'severity="{xml_text(severity)}" message="{xml_text(text)}" '
                f'source="{xml_text(SOURCE_PREFIX + source)}"/>\n')
        stream.write("  </file>\n")
    for error in all_errors(results, report):
        stream.write(f"  <exception>{xml_text(error)}</exception>\n")
    stream.write("</checkstyle>\n")
