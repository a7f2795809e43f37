"""`--fix`, `--diff`, `--unsafe-fixes` end to end, the fix builders' safety conditions, and
SARIF fixes that are the same edits `--fix` applies.

fixtures/fix/<case>/: `Dockerfile` (input), `Dockerfile.fixed` (the file after `--fix`,
byte for byte), `fix.yaml` (`args`: extra options; `applied`: how many fixes the summary
reports; `unsafe_available`: how many unsafe fixes it mentions). Cases named `*refused*`
show a safety condition: the finding stays, the text (or that part of it) does not change.
"""
import inspect
import json
import os
import stat
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from conftest import FIXTURES, lint_text

from dockerslim_lint.cli import cli
from dockerslim_lint.dockerfile.parser import parse
from dockerslim_lint.fix.edits import Edit, apply
from dockerslim_lint.fix.runner import fix_bytes

FIX_DIR = os.path.join(FIXTURES, "fix")
CASES = sorted(d for d in os.listdir(FIX_DIR) if os.path.isdir(os.path.join(FIX_DIR, d)))


def run(args, input=None):
    """The CLI in-process; `.stdout` and `.stderr` apart on every click 8."""
    kwargs = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters else {}
    return CliRunner(**kwargs).invoke(cli, ["--no-color"] + list(args), input=input, catch_exceptions=False)


def _case(name):
    folder = os.path.join(FIX_DIR, name)
    with open(os.path.join(folder, "fix.yaml"), encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    with open(os.path.join(folder, "Dockerfile"), "rb") as f:
        before = f.read()
    with open(os.path.join(folder, "Dockerfile.fixed"), "rb") as f:
        after = f.read()
    return spec, before, after


def _staged(name, tmp_path):
    """(spec, before, after, path of a copy of the case's Dockerfile)."""
    spec, before, after = _case(name)
    path = tmp_path / "Dockerfile"
    path.write_bytes(before)
    return spec, before, after, path


def _plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "es")


def test_there_are_cases_for_every_fix_and_refusals():
    assert len(CASES) >= 20
    for prefix in ("dsl401-apt", "dsl401-apk", "dsl401-pip", "dsl401-dnf", "dsl401-npm", "dsl305", "dsl402",
                   "dsl307", "dsl505", "base-swap"):
        assert any(c.startswith(prefix) for c in CASES), prefix
    assert sum("refused" in c for c in CASES) >= 10


@pytest.mark.parametrize("name", CASES)
def test_fix_gives_the_expected_bytes_and_a_second_run_changes_nothing(name, tmp_path):
    spec, before, after, path = _staged(name, tmp_path)
    result = run(["--fix", *spec["args"], str(path)])
    assert result.exit_code in (0, 1), result.output
    assert path.read_bytes() == after
    summary = result.output.splitlines()[-1]
    assert summary.startswith(f"applied {_plural(spec['applied'], 'fix')}"), summary
    assert (after != before) == (spec["applied"] > 0)
    hidden = spec.get("unsafe_available")
    if hidden:
        assert summary.endswith(f"{_plural(hidden, 'unsafe fix')} available with --unsafe-fixes")
    assert parse(after).error is None
    again = run(["--fix", *spec["args"], str(path)])
    assert path.read_bytes() == after
    assert again.output.splitlines()[-1].startswith("applied 0 fixes")


@pytest.mark.parametrize("name", CASES)
def test_diff_writes_nothing_and_shows_exactly_the_fix(name, tmp_path):
    spec, before, after, path = _staged(name, tmp_path)
    result = run(["--diff", *spec["args"], str(path)])
    assert path.read_bytes() == before
    assert result.exit_code == (1 if after != before else 0)
    if after == before:
        assert result.stdout == ""
        return
    out = result.stdout_bytes.decode("utf-8")  # (.stdout turns CRLF into LF)
    assert out.startswith(f"--- a/{path}\n+++ b/{path}\n@@ ")
    # the diff's lines, applied by hand, give the fixed file
    body = []
    for ln in out.splitlines(keepends=True)[2:]:
        if ln == "\\ No newline at end of file\n":
            body[-1] = body[-1][:-1]
        else:
            body.append(ln)
    removed = [ln[1:] for ln in body if ln.startswith("-")]
    added = [ln[1:] for ln in body if ln.startswith("+")]
    old_lines = before.decode("utf-8").splitlines(keepends=True)
    new_lines = after.decode("utf-8").splitlines(keepends=True)
    assert [ln for ln in old_lines if ln not in new_lines] == [ln for ln in removed if ln not in new_lines]
    assert [ln for ln in new_lines if ln not in old_lines] == [ln for ln in added if ln not in old_lines]
    assert result.stderr.startswith("would apply ")


def test_sarif_fixes_are_the_edits_fix_applies(tmp_path):
    for name in ("dsl401-apt-crlf-bom", "dsl305-cmd", "dsl401-pip"):
        spec, before, after, path = _staged(name, tmp_path)
        log = json.loads(run(["--format", "sarif", *spec["args"], str(path)]).stdout)
        edits = []
        for result in log["runs"][0]["results"]:
            for fix in result.get("fixes", []):
                for change in fix["artifactChanges"]:
                    for r in change["replacements"]:
                        region = r["deletedRegion"]
                        edits.append(Edit(region["startLine"], region["startColumn"], region["endLine"],
                                          region["endColumn"], r["insertedContent"]["text"]))
        assert edits, name
        assert apply(before.decode("utf-8"), edits).encode("utf-8") == after, name


# -- files that are never touched, and how files are written ---------------------------------

@pytest.mark.parametrize("data", [
    b"FROM debian:12-slim\nRUN pip install flask\nFROOM x\n",  # DSL001
    b"FROM debian:12-slim\nLABEL note=\"caf\xe9\"\nRUN pip install flask\nCMD [\"/app\"]\n",  # DSL002
])
def test_a_file_with_dsl001_or_dsl002_is_never_touched(data, tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    result = run(["--fix", "--unsafe-fixes", str(path)])
    assert path.read_bytes() == data
    assert "not fixed (DSL001/DSL002)" in result.output.splitlines()[-1]
    assert run(["--diff", str(path)]).stdout == ""


def test_dsl002_file_still_reports_its_fixable_findings_unfixed(tmp_path):
    data = b"FROM debian:12-slim\nLABEL note=\"caf\xe9\"\nRUN pip install flask\nCMD [\"/app\"]\n"
    outcome = fix_bytes(data, lambda d: lint_text(d), unsafe=True)
    assert outcome.refused and not outcome.changed and outcome.applied == 0
    assert any(f.rule_id == "DSL401" and f.fix is not None for f in outcome.result.findings)


def test_fix_writes_through_a_symlink_keeping_the_mode_and_leaving_no_temporary_file(tmp_path):
    spec, before, after = _case("dsl401-apt")
    target = tmp_path / "real" / "Dockerfile.prod"
    target.parent.mkdir()
    target.write_bytes(before)
    os.chmod(target, 0o640)
    link = tmp_path / "Dockerfile"
    link.symlink_to(target)
    run(["--fix", str(link)])
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == after
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert sorted(os.listdir(target.parent)) == ["Dockerfile.prod"]


def test_a_failed_write_is_an_error_and_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    spec, before, after, path = _staged("dsl401-apt", tmp_path)

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = run(["--fix", str(path)])
    assert result.exit_code == 2
    assert path.read_bytes() == before
    assert "cannot write the fixes" in result.stderr
    assert os.listdir(tmp_path) == ["Dockerfile"]
    assert "DSL401" in result.stdout  # the report shows the file as it still is


def test_fix_exit_code_follows_what_remains(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM scratch\nCOPY app /app\nUSER 65532:65532\nCMD /app serve\n")
    result = run(["--fix", str(path)])
    assert path.read_bytes() == b'FROM scratch\nCOPY app /app\nUSER 65532:65532\nCMD ["/app", "serve"]\n'
    assert result.exit_code == 0, result.output
    assert result.stdout == "no problems in 1 file\napplied 1 fix to 1 file\n"


def test_standard_input_with_fix_prints_the_fixed_file_and_reports_on_stderr():
    spec, before, after = _case("dsl401-apk")
    proc = subprocess.run([sys.executable, "-m", "dockerslim_lint", "--no-color", "--fix", "-"],
                          input=before, capture_output=True)
    assert proc.stdout == after
    assert "applied 1 fix to 1 file" in proc.stderr.decode()
    assert "<stdin>:1:1: DSL301" in proc.stderr.decode()


def test_diff_of_several_files_and_errors(tmp_path):
    a, b = tmp_path / "a.Dockerfile", tmp_path / "b.Dockerfile"
    a.write_bytes(b"FROM alpine:3.20\nRUN apk add curl\nUSER 1:1\nCMD [\"/x\"]\n")
    b.write_bytes(b"FROM scratch\nCOPY x /x\nUSER 1:1\nCMD [\"/x\"]\n")
    result = run(["--diff", str(a), str(b)])
    assert result.exit_code == 1
    assert result.stdout == (f"--- a/{a}\n+++ b/{a}\n@@ -1,4 +1,4 @@\n FROM alpine:3.20\n-RUN apk add curl\n"
                             f"+RUN apk add --no-cache curl\n USER 1:1\n CMD [\"/x\"]\n")
    assert result.stderr == "would apply 1 fix to 1 file\n"
    assert run(["--diff", str(b)]).exit_code == 0
    missing = run(["--diff", str(b), str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "nope" in missing.stderr


def test_diff_marks_a_missing_final_newline(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM scratch\nCOPY app /app\nUSER 1:1\nCMD /app")
    result = run(["--diff", str(path)])
    assert result.stdout.endswith('-CMD /app\n\\ No newline at end of file\n+CMD ["/app"]\n'
                                  "\\ No newline at end of file\n")


def test_unsafe_fixes_are_counted_and_applied_only_when_asked(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM debian:12-slim\nRUN apt-get update && apt-get install -y curl\nCOPY app /app\n"
                     b"CMD [\"/app\"]\n")
    summary = run(["--fix", "--select", "DSL401,DSL402,DSL307", str(path)]).output.splitlines()[-1]
    assert summary == "applied 1 fix to 1 file; 2 unsafe fixes available with --unsafe-fixes"
    summary = run(["--fix", "--unsafe-fixes", "--select", "DSL401,DSL402,DSL307", str(path)]).output.splitlines()[-1]
    assert summary == "applied 2 fixes to 1 file"
    assert path.read_bytes() == (b"FROM debian:12-slim\nRUN apt-get update && apt-get install --no-install-recommends"
                                 b" -y curl && rm -rf /var/lib/apt/lists/*\nCOPY app /app\nCMD [\"/app\"]\n"
                                 b"USER 65532:65532\n")


def test_suppressed_and_deselected_findings_are_not_fixed(tmp_path):
    data = (b"FROM alpine:3.20\n# dockerslim-lint ignore=DSL401\nRUN apk add curl\nRUN pip install x\n"
            b"USER 1:1\nCMD [\"/x\"]\n")
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    run(["--fix", str(path)])
    assert path.read_bytes() == data.replace(b"pip install x", b"pip install --no-cache-dir x")
    path.write_bytes(data)
    run(["--fix", "--ignore", "DSL401", str(path)])
    assert path.read_bytes() == data


# -- builders: conditions that the fixtures do not show one by one ------------------------------

def _fixes(text, rule_id, **options):
    return [f.fix for f in lint_text(text, **options).findings if f.rule_id == rule_id]


@pytest.mark.parametrize("text", [
    "FROM scratch\nCOPY a /a\nUSER 1\nCMD exec /a\n",  # a shell built-in
    "FROM scratch\nCOPY a /a\nUSER 1\nCMD A=1 /a\n",  # an assignment
    "FROM scratch\nCOPY a /a\nUSER 1\nCMD /a 'x y'\n",  # quotes
    "FROM scratch\nCOPY a /a\nUSER 1\nCMD /a *.txt\n",  # a glob
    "FROM scratch\nCOPY a /a\nUSER 1\nCMD /a && /b\n",  # an operator
    "FROM scratch\nCOPY a /a\nUSER 1\nCMD /a ~/x\n",  # a tilde
    "FROM scratch\nCOPY a /a\nUSER 1\nCMD /a \\\n  # c\n  x\n",  # a comment inside
])
def test_dsl305_has_no_fix_for_anything_but_a_plain_word_list(text):
    found = _fixes(text, "DSL305")
    assert found == [None]


def test_dsl401_fix_is_refused_under_a_shell_that_is_not_posix_or_in_exec_form():
    text = "FROM debian:12-slim\nRUN [\"pip\", \"install\", \"x\"]\nUSER 1\nCMD [\"/a\"]\n"
    assert _fixes(text, "DSL401") == [None]


def test_dsl401_apt_refused_when_a_later_script_may_use_apt():
    text = ("FROM debian:12-slim\nCOPY setup.sh /\nRUN apt-get update && apt-get install -y --no-install-recommends"
            " curl\nRUN /setup.sh\nUSER 1\nCMD [\"/a\"]\n")
    assert _fixes(text, "DSL401") == [None]


def test_dsl401_one_fix_covers_every_cache_of_the_run():
    text = "FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends python3-pip " \
           "&& pip install flask\nUSER 1\nCMD [\"/a\"]\n"
    (fix,) = _fixes(text, "DSL401")
    assert fix.safe and len(fix.edits) == 2
    fixed = apply(text, fix.edits)
    assert fixed.endswith("pip install --no-cache-dir flask && rm -rf /var/lib/apt/lists/*\nUSER 1\nCMD [\"/a\"]\n")
    assert [f.rule_id for f in lint_text(fixed).findings if f.rule_id == "DSL401"] == []


@pytest.mark.parametrize("base, cmd, expected", [
    ("gcr.io/distroless/nodejs22-debian13:nonroot", '["node", "server.js"]', '["server.js"]'),
    ("gcr.io/distroless/nodejs22-debian13:nonroot", "node server.js --port 3000", '["server.js", "--port", "3000"]'),
    ("gcr.io/distroless/python3-debian12:nonroot", '["python3", "-u", "main.py"]', '["-u", "main.py"]'),
    ("gcr.io/distroless/python3-debian12:nonroot", '["python", "main.py"]', '["main.py"]'),
    ("gcr.io/distroless/java21-debian12:nonroot", '["java", "-jar", "/app.jar"]', '["/app.jar"]'),
    # no safe fix:
    ("gcr.io/distroless/nodejs22-debian13:nonroot", '["npm", "start"]', None),
    ("gcr.io/distroless/nodejs22-debian13:nonroot", '["sh", "-c", "node x.js"]', None),
    ("gcr.io/distroless/python3-debian12:nonroot", '["/venv/bin/python", "main.py"]', None),
    ("gcr.io/distroless/java21-debian12:nonroot", '["java", "-Xmx1g", "-jar", "/app.jar"]', None),
    ("gcr.io/distroless/java21-debian12:nonroot", '["java", "-jar"]', None),
    ("gcr.io/distroless/nodejs22-debian13:nonroot", "node $APP", None),
    ("gcr.io/distroless/nodejs22-debian13:nonroot", "node server.js \\\n  # note\n  --port 3000", None),
])
def test_dsl505_fix_drops_only_the_base_s_own_interpreter(base, cmd, expected):
    """DSL505 (rules/compat.py) attaches its fix with the edit engine: checked end to end."""
    text = f"FROM {base}\nCOPY . /app\nCMD {cmd}\n"
    (fix,) = _fixes(text, "DSL505")
    if expected is None:
        assert fix is None
        return
    assert fix.safe
    assert apply(text, fix.edits) == f"FROM {base}\nCOPY . /app\nCMD {expected}\n"


def test_dsl307_fix_is_unsafe_and_windows_gets_none():
    (fix,) = _fixes("FROM debian:12-slim\nCOPY a /a\nCMD [\"/a\"]\n", "DSL307")
    assert fix is not None and not fix.safe
    assert _fixes("FROM mcr.microsoft.com/windows/servercore:ltsc2022\nUSER ContainerAdministrator\n"
                  "CMD [\"a.exe\"]\n", "DSL307") in ([], [None])
