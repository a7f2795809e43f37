"""`--format gitlab`, `checkstyle` and `markdown`: each validated against what its
consumer documents, with hostile text, and imported only when chosen.

- GitLab Code Quality (docs.gitlab.com, "Code Quality report format"): a JSON array of
  objects, each with `description` (string), `check_name` (string), `fingerprint`
  (string, unique), `severity` (one of info, minor, major, critical, blocker) and
  `location.path` (relative) with `location.lines.begin` (integer).
- Checkstyle (checkstyle.org, checkstyle-report-1.0.0.xsd): <checkstyle version> holding
  <file name> (required) and <exception>; <file> holds <error> whose attributes are
  line and column (positive integers), severity (ignore, info, warning, error),
  message and source.
- Markdown for GitHub job summaries: a table per file, sizes now vs. with the
  suggestion, the total saving; nothing from a Dockerfile can break the tables.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from conftest import FIXTURES, ROOT

from dockerslim_lint.engine.findings import Finding, Suggestion
from dockerslim_lint.engine.linter import FileResult, Linter, Options
from dockerslim_lint.engine.plugins import load_rules
from dockerslim_lint.reporters import Report, get_writer

SEED_SINGLE = os.path.join(FIXTURES, "seed", "single-stage", "Dockerfile")
SEED_MULTI = os.path.join(FIXTURES, "seed", "multi-stage", "Dockerfile")

# GitLab's documented fields, as a JSON schema (extra fields are allowed by GitLab).
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^(/|[A-Za-z]:)"}},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1},
                                       "end": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}

HOSTILE = ("quote\" apos' <tag attr=\"x\"> &amp; & ]]> | pipe `tick` *star* _u_ [l](http://x) "
           "\x00nul \x1b[31mesc \x07bel \x0bvt \x0cff \r\n newline \x7fdel \x85nel \ud800lone "
           "\ufffe\uffff tab\t é 日本 🐳 <!-- c --> <script>alert(1)</script>")


def lint(paths, **options):
    rules = load_rules(with_plugins=False)[0]
    linter = Linter(rules, Options(**options))
    results = []
    for path in paths:
        with open(path, "rb") as f:
            results.append(linter.lint_bytes(f.read(), os.path.relpath(path, ROOT)))
    return results, Report(rules=linter.rules, version="0.1.0", root=ROOT)


def render(fmt, results, report):
    stream = io.StringIO()
    get_writer(fmt)(stream, results, report)
    return stream.getvalue()


def hostile_result(path="odd \"dir\"/<Docker&file>\x1b"):
    suggestion = Suggestion("gcr.io/distroless/static-debian13:nonroot", "ship it " + HOSTILE,
                            image_size_mb=2.34, current_size_mb=890.27)
    findings = [Finding("DSL101", 1, HOSTILE, severity="error", name="single-stage-build", path=path,
                        suggestion=suggestion),
                Finding("DSL301", 2, "m | x", severity="warning", name="shell-in-runtime", path=path)]
    return FileResult(path, findings, source_lines=["FROM ubuntu " + HOSTILE, "RUN x"],
                      unused_ignores=[(3, "DSL402")])


@pytest.fixture
def seed():
    return lint([SEED_SINGLE, SEED_MULTI])


# -- GitLab Code Quality --------------------------------------------------------------

def test_gitlab_report_has_gitlabs_documented_fields(seed):
    issues = json.loads(render("gitlab", *seed))
    jsonschema.validate(issues, GITLAB_SCHEMA)
    results, _ = seed
    assert len(issues) == sum(len(r.findings) for r in results) > 0
    first = issues[0]
    assert first["check_name"] == "DSL101" and first["severity"] == "major"
    assert first["location"] == {"path": "fixtures/seed/single-stage/Dockerfile", "lines": {"begin": 1}}
    assert "suggestion: " in first["description"]
    assert {i["severity"] for i in issues} == {"major", "minor", "info"}
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_fingerprints_use_sarifs_line_hashes_qualified_by_path(seed, tmp_path):
    results, report = seed
    sarif = json.loads(render("sarif", results, report))["runs"][0]["results"]
    issues = json.loads(render("gitlab", results, report))
    assert len(sarif) == len(issues)
    for s, issue in zip(sarif, issues):
        path = s["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        line_hash = s["partialFingerprints"]["primaryLocationLineHash"]
        expected = hashlib.sha256(f"{path}\0{line_hash}".encode()).hexdigest()[:32]
        assert issue["fingerprint"] == expected


def test_gitlab_fingerprints_survive_unrelated_lines_moving(tmp_path):
    text = open(SEED_SINGLE, encoding="utf-8").read()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "Dockerfile").write_text(text)
    (tmp_path / "b" / "Dockerfile").write_text("# a comment\n\n" + text)
    before = json.loads(render("gitlab", *lint([tmp_path / "a" / "Dockerfile"])))
    after = json.loads(render("gitlab", *lint([tmp_path / "b" / "Dockerfile"])))
    assert [i["location"]["lines"]["begin"] + 2 for i in before] == \
        [i["location"]["lines"]["begin"] for i in after]
    strip = lambda issues: [(i["check_name"], i["fingerprint"]) for i in issues]  # noqa: E731
    # Same path spelled relative to its own root: same fingerprints although lines moved.
    report_a = Report(rules=[], root=str(tmp_path / "a"))
    report_b = Report(rules=[], root=str(tmp_path / "b"))
    ra, _ = lint([tmp_path / "a" / "Dockerfile"])
    rb, _ = lint([tmp_path / "b" / "Dockerfile"])
    for r in ra:
        r.path = str(tmp_path / "a" / "Dockerfile")
    for r in rb:
        r.path = str(tmp_path / "b" / "Dockerfile")
    assert strip(json.loads(render("gitlab", ra, report_a))) == \
        strip(json.loads(render("gitlab", rb, report_b)))
    # The same file in two folders: different fingerprints (GitLab keys issues on them).
    both = json.loads(render("gitlab", ra + rb, Report(rules=[], root=str(tmp_path))))
    assert len({i["fingerprint"] for i in both}) == len(both)


def test_gitlab_hostile_text_is_valid_json_with_visible_escapes():
    issues = json.loads(render("gitlab", [hostile_result()], Report(rules=[], root=os.getcwd())))
    jsonschema.validate(issues, GITLAB_SCHEMA)
    description = issues[0]["description"]
    assert "\x1b" not in description and "\\x1b" in description
    assert "\n" not in description and "\x00" not in description


def test_gitlab_empty_run_is_an_empty_array():
    assert json.loads(render("gitlab", [], Report(rules=[]))) == []


# -- Checkstyle --------------------------------------------------------------------------

def _check_checkstyle(document):
    """Well-formed (expat) and shaped as checkstyle-report-1.0.0.xsd says."""
    root = ET.fromstring(document.encode("utf-8"))
    assert root.tag == "checkstyle" and set(root.attrib) <= {"version"}
    for child in root:
        assert child.tag in ("file", "exception", "error")
        if child.tag == "file":
            assert "name" in child.attrib and set(child.attrib) == {"name"}
            for error in child:
                assert error.tag in ("error", "exception")
                if error.tag == "error":
                    assert set(error.attrib) <= {"line", "column", "severity", "message", "source"}
                    assert int(error.get("line")) >= 1 and int(error.get("column")) >= 1
                    assert error.get("severity") in ("ignore", "info", "warning", "error")
    return root


def test_checkstyle_seed(seed):
    root = _check_checkstyle(render("checkstyle", *seed))
    files = root.findall("file")
    assert [f.get("name") for f in files] == ["fixtures/seed/single-stage/Dockerfile",
                                              "fixtures/seed/multi-stage/Dockerfile"]
    errors = files[0].findall("error")
    assert errors[0].get("source") == "dockerslim-lint.DSL101"
    assert errors[0].get("severity") == "error" and errors[0].get("line") == "1"
    # The seed's messages round-trip (& < > are covered by test_checkstyle_escapes_hostile_text).
    assert "`apt-get install` leaves /var/lib/apt/lists in this layer" in " ".join(e.get("message") for e in errors)


def test_checkstyle_escapes_hostile_text():
    document = render("checkstyle", [hostile_result()], Report(rules=[], errors=["x: " + HOSTILE]))
    assert document.isascii()
    root = _check_checkstyle(document)
    (file,) = root.findall("file")
    assert file.get("name") == 'odd "dir"/<Docker&file>\\x1b'
    message = file.findall("error")[0].get("message")
    for kept in ('quote" apos\'', "<tag attr=\"x\">", "&amp; &", "]]>", "é 日本 🐳", "tab\t",
                 "<script>alert(1)</script>", "<!-- c -->"):
        assert kept in message, kept
    for shown in ("\\x00nul", "\\x1b[31mesc", "\\x07bel", "\\x0bvt", "\\x0cff", "\\x0d\\x0a newline",
                  "\\x7fdel", "\\x85nel", "\\ud800lone", "\\ufffe\\uffff"):
        assert shown in message, shown
    unused = file.findall("error")[-1]
    assert unused.get("source") == "dockerslim-lint.unused-suppression" and unused.get("line") == "3"
    assert root.find("exception").text.startswith("x: quote\"")


def test_checkstyle_clean_file_is_listed_empty(tmp_path):
    result = FileResult("Dockerfile", [], source_lines=[])
    root = _check_checkstyle(render("checkstyle", [result], Report(rules=[])))
    assert [(f.get("name"), len(f)) for f in root] == [("Dockerfile", 0)]


# -- Markdown ------------------------------------------------------------------------------

def _tables(document):
    """Each markdown table as a list of rows of cells (split on unescaped |)."""
    import re

    tables, current = [], None
    for line in document.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if current is None:
                current = []
                tables.append(current)
            current.append(cells)
        else:
            current = None
    return tables


def test_markdown_seed_tables_and_sizes(seed):
    document = render("markdown", *seed)
    tables = _tables(document)
    overview = tables[0]
    assert overview[0] == ["File", "Problems", "Image now", "With the suggestion", "Saving"]
    assert overview[2] == ["fixtures/seed/single-stage/Dockerfile", "8", "890 MB", "2.3 MB", "888 MB"]
    assert overview[3] == ["fixtures/seed/multi-stage/Dockerfile", "1", "–", "–", "–"]  # no suggestion
    # One findings table per file with findings, every row with 4 cells.
    results, _ = seed
    assert len(tables) == 1 + sum(1 for r in results if r.findings)
    for table, result in zip(tables[1:], [r for r in results if r.findings]):
        assert table[0] == ["Line", "Rule", "Severity", "Message"]
        assert len(table) == 2 + len(result.findings)
        assert all(len(row) == 4 for row in table)
    assert "[DSL101](https://github.com/dockerslim-lint/dockerslim-lint/blob/main/docs/rules/DSL101.md)" \
        in document
    assert "**890 MB now, 2.3 MB with the suggestions**, saving about **888 MB** (1 image)" in document


def test_markdown_total_saving_adds_up_across_files():
    def result(path, now, then):
        s = Suggestion("img", "ship img", image_size_mb=then, current_size_mb=now)
        return FileResult(path, [Finding("DSL101", 1, "m", severity="error", path=path, suggestion=s)])

    document = render("markdown", [result("a/Dockerfile", 900.0, 2.0), result("b/Dockerfile", 1200.0, 50.0),
                                   result("c/Dockerfile", None, 2.0)], Report(rules=[]))
    assert "**2.1 GB now, 52 MB with the suggestions**, saving about **2.0 GB** (2 images)" in document
    assert "1 suggestion without a known size not counted" in document


def test_markdown_hostile_text_cannot_break_the_tables():
    document = render("markdown", [hostile_result()], Report(rules=[], errors=["x: " + HOSTILE]))
    import re

    for raw in ("\x1b", "\x00", "\r", "\ud800", "\ufffe"):
        assert raw not in document, repr(raw)
    outside_code = re.sub(r"`[^`]*`", "", document)
    assert not re.search(r"(?<!\\)[<>&\[\]]", outside_code)  # no raw HTML, entity or link
    tables = _tables(document)
    assert len(tables) == 2 and all(len(row) == 4 for row in tables[1])
    assert all(len(row) == 5 for row in tables[0])
    assert "`tick`" in document  # a code span stays a code span
    assert "\\| pipe" in document and "\\<script\\>" in document


def test_markdown_no_findings():
    document = render("markdown", [FileResult("Dockerfile", [])], Report(rules=[]))
    assert "No problems in 1 file." in document and "####" not in document


def test_markdown_stays_under_githubs_summary_limit():
    from dockerslim_lint.reporters import markdown

    many = []
    for n in range(400):
        path = f"svc{n}/Dockerfile"
        many.append(FileResult(path, [Finding("DSL101", i, "x" * 400, severity="error", path=path)
                                      for i in range(1, 10)]))
    document = render("markdown", many, Report(rules=[]))
    assert len(document) < 1024 * 1024
    assert len(document) <= markdown.MAX_CHARS + 200
    assert "more files with findings not shown" in document


# -- the command line, and what it imports --------------------------------------------------

@pytest.mark.parametrize("fmt", ["gitlab", "checkstyle", "markdown"])
def test_cli_formats(fmt, tmp_path):
    out = tmp_path / "report"
    code = subprocess.run([sys.executable, "-m", "dockerslim_lint", "--format", fmt, "-o", str(out),
                           SEED_SINGLE], capture_output=True, text=True)
    assert code.returncode == 1, code.stderr
    assert code.stderr == ""
    assert out.stat().st_size > 0


def test_text_run_does_not_import_the_other_reporters():
    program = ("import sys\n"
               "from dockerslim_lint.cli import main\n"
               "try:\n"
               f"    main([{SEED_MULTI!r}])\n"
               "except SystemExit:\n"
               "    pass\n"
               "print(sorted(m for m in sys.modules if m.startswith('dockerslim_lint.reporters.')"
               " or m.startswith('dockerslim_lint.lsp') or m.startswith('pygls')), file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    loaded = eval(run.stderr.strip().splitlines()[-1])
    assert loaded == ["dockerslim_lint.reporters.text"], loaded
