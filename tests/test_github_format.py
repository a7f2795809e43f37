"""`--format github`: GitHub Actions workflow commands and their escaping."""
import io
import os
import subprocess
import sys

import pytest

from conftest import ROOT

from dockerslim_lint.engine.findings import Finding, Suggestion
from dockerslim_lint.engine.linter import FileResult
from dockerslim_lint.reporters import Report, get_writer
from dockerslim_lint.reporters.github import escape_data, escape_property


def output(results, root, errors=()):
    stream = io.StringIO()
    get_writer("github")(stream, results, Report(rules=[], version="0.1.0", root=str(root),
                                                 errors=list(errors)))
    return stream.getvalue()


def result(path, *findings):
    for f in findings:
        f.path = path
    return FileResult(path, list(findings))


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_escape_data():
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    # % first, so an escape already in the text is not decoded by the runner.
    assert escape_data("%0A") == "%250A"


def test_escape_property():
    assert escape_property("a:b,c%d\re\nf") == "a%3Ab%2Cc%25d%0De%0Af"
    assert escape_property("%3A") == "%253A"


def test_one_command_per_finding_with_severity_mapping(tmp_path):
    out = output([result("Dockerfile",
                         Finding("DSL101", 1, "builds in the only stage", severity="error"),
                         Finding("DSL202", 1, "full OS", column=6, severity="warning"),
                         Finding("DSL402", 2, "no --no-install-recommends", severity="info"))], tmp_path)
    assert out.splitlines() == [
        "::error file=Dockerfile,line=1,col=1,title=DSL101::builds in the only stage",
        "::warning file=Dockerfile,line=1,col=6,title=DSL202::full OS",
        "::notice file=Dockerfile,line=2,col=1,title=DSL402::no --no-install-recommends",
    ]


def test_suggestion_on_a_second_line(tmp_path):
    s = Suggestion("gcr.io/distroless/static-debian13:nonroot", "static binary", image_size_mb=2.0)
    out = output([result("Dockerfile", Finding("DSL101", 1, "m", severity="error", suggestion=s))], tmp_path)
    assert out == "::error file=Dockerfile,line=1,col=1,title=DSL101::m%0Asuggestion: ship gcr.io/distroless/static-debian13:nonroot (static binary): about 2 MB\n"


def test_properties_and_message_are_escaped(tmp_path):
    (tmp_path / "a:b,c%").mkdir()
    path = os.path.join("a:b,c%", "Dockerfile")
    f = Finding("DSL301", 3, "50% of\nlines: a,b\r", severity="warning")
    out = output([result(path, f)], tmp_path)
    assert out == "::warning file=a%3Ab%2Cc%25/Dockerfile,line=3,col=1,title=DSL301::50%25 of\\x0alines: a,b\\x0d\n"
    assert out.count("\n") == 1


def test_control_characters_cannot_inject_commands(tmp_path):
    f = Finding("DSL301", 1, "x\n::error file=evil::pwned\x1b[2J\u2028", severity="warning")
    out = output([result("Dockerfile", f)], tmp_path)
    assert out.count("\n") == 1 and out.startswith("::warning ")
    assert "\x1b" not in out and "\u2028" not in out
    assert "\\x1b[2J" in out


def test_multi_line_region(tmp_path):
    f = Finding("DSL401", 2, "m", end_line=4, end_column=9, severity="warning")
    g = Finding("DSL401", 6, "m", end_line=6, end_column=9, column=3, severity="warning")
    lines = output([result("Dockerfile", f, g)], tmp_path).splitlines()
    assert lines[0] == "::warning file=Dockerfile,line=2,col=1,endLine=4,title=DSL401::m"
    assert lines[1] == "::warning file=Dockerfile,line=6,col=3,endColumn=9,title=DSL401::m"


def test_paths_are_relative_to_the_repository_root(tmp_path):
    (tmp_path / "svc").mkdir()
    absolute = str(tmp_path / "svc" / "Dockerfile")
    out = output([result(absolute, Finding("DSL301", 1, "m", severity="warning"))], tmp_path)
    assert out.startswith("::warning file=svc/Dockerfile,line=1,")


def test_stdin_has_no_file_and_a_stdin_filename_is_a_file(tmp_path):
    out = output([result("<stdin>", Finding("DSL301", 1, "m", severity="warning")),
                  result("deploy/Dockerfile", Finding("DSL301", 1, "m", severity="warning"))], tmp_path)
    assert out.splitlines() == ["::warning line=1,col=1,title=DSL301::m",
                                "::warning file=deploy/Dockerfile,line=1,col=1,title=DSL301::m"]


def test_errors_and_unused_suppressions(tmp_path):
    r = result("Dockerfile")
    r.unused_ignores = [(4, "DSL301")]
    r.errors = ["target stage 'prod' not found"]
    out = output([r], tmp_path, errors=["gone/Dockerfile: no such file or directory",
                                        "Dockerfile: target stage 'prod' not found"])
    assert out.splitlines() == [
        "::warning file=Dockerfile,line=4,title=unused-suppression::unused suppression of DSL301: "
        "it silenced nothing; remove it",
        "::error title=dockerslim-lint::gone/Dockerfile: no such file or directory",
        "::error title=dockerslim-lint::Dockerfile: target stage 'prod' not found",
    ]


def test_no_findings_no_output(tmp_path):
    assert output([result("Dockerfile")], tmp_path) == ""


def test_github_reporter_imports_nothing_heavy():
    code = ("import sys; import dockerslim_lint.reporters.github; "
            "heavy = {'sarif_om', 'attr', 'jsonschema', 'yaml'} & set(sys.modules); "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_cli_github_format_over_the_seed_fixture():
    path = os.path.join("fixtures", "seed", "single-stage", "Dockerfile")
    p = subprocess.run([sys.executable, "-m", "dockerslim_lint", "--format", "github", path],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    lines = p.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert "::error file=fixtures/seed/single-stage/Dockerfile,line=1,col=1,title=DSL101::" in p.stdout
