"""The command line as a user meets it: formats, exit codes, errors, file discovery."""
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from dockerslim_lint.cli import cli
from conftest import FIXTURES

SEED_SINGLE = os.path.join(FIXTURES, "seed", "single-stage", "Dockerfile")
SEED_MULTI = os.path.join(FIXTURES, "seed", "multi-stage", "Dockerfile")

CLEAN = """FROM golang:1.22 AS build
COPY . .
RUN CGO_ENABLED=0 go build -o /app .

FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /app /app
ENTRYPOINT ["/app"]
"""


def run(args, input=None, env=None):
    runner = CliRunner()
    return runner.invoke(cli, args, input=input, env=env, catch_exceptions=False)


def test_seed_single_stage_text(tmp_path):
    result = run(["--no-color", SEED_SINGLE])
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{SEED_SINGLE}:1:1: DSL101 error: ")
    assert "    suggestion: " in result.output
    assert "gcr.io/distroless/static-debian13:nonroot" in result.output
    assert "\x1b[" not in result.output
    assert result.output.rstrip().splitlines()[-1].endswith("in 1 file (1 file linted)")


def test_clean_file_exit_0(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text(CLEAN)
    result = run([str(p)])
    assert result.exit_code == 0, result.output
    assert "no problems in 1 file" in result.output


def test_failure_threshold(tmp_path):
    # The multi-stage seed only has DSL307 (a warning).
    assert run(["--failure-threshold", "error", SEED_MULTI]).exit_code == 0
    assert run(["--failure-threshold", "warning", SEED_MULTI]).exit_code == 1
    assert run(["--failure-threshold", "none", SEED_SINGLE]).exit_code == 0


def test_select_and_ignore():
    result = run(["--format", "json", "--select", "DSL101,DSL307", SEED_SINGLE])
    rules = {f["rule"] for f in json.loads(result.output)["findings"]}
    assert rules == {"DSL101", "DSL307"}
    result = run(["--format", "json", "--ignore", "DSL101", "--ignore", "DSL307", SEED_SINGLE])
    rules = {f["rule"] for f in json.loads(result.output)["findings"]}
    assert "DSL101" not in rules and "DSL307" not in rules and rules


def test_unknown_rule_is_usage_error():
    result = run(["--select", "DSL999", SEED_SINGLE])
    assert result.exit_code == 2
    assert "DSL999" in result.output


def test_json_document():
    result = run(["--format", "json", SEED_SINGLE])
    doc = json.loads(result.output)
    assert doc["files"] == [SEED_SINGLE]
    f = [x for x in doc["findings"] if x["rule"] == "DSL101"][0]
    assert set(f) == {"file", "line", "column", "end_line", "rule", "name", "severity", "message", "suggestion",
                      "rewrite"}
    assert f["name"] == "single-stage-build" and f["severity"] == "error" and f["line"] == 1
    assert f["suggestion"]["image"] == "gcr.io/distroless/static-debian13:nonroot"
    assert f["rewrite"].startswith("build in a separate stage and ship gcr.io/distroless/static-debian13:nonroot")
    no_suggestion = [x for x in doc["findings"] if x["rule"] == "DSL307"][0]
    assert no_suggestion["suggestion"] is None and no_suggestion["rewrite"] is None


def test_stdin_with_name():
    with open(SEED_SINGLE, "rb") as f:
        data = f.read()
    result = run(["--no-color", "-", "--stdin-filename", "app/Dockerfile"], input=data)
    assert result.exit_code == 1
    assert result.output.startswith("app/Dockerfile:1:1: DSL101")


def test_missing_path_is_io_error_and_others_still_linted(tmp_path):
    good = tmp_path / "Dockerfile"
    good.write_text(CLEAN)
    result = subprocess.run([sys.executable, "-m", "dockerslim_lint", str(tmp_path / "nope"), SEED_SINGLE],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "DSL101" in result.stdout  # the other file was linted
    lines = result.stderr.strip().splitlines()
    assert lines == [f"dockerslim-lint: {tmp_path / 'nope'}: no such file or directory"]
    assert "Traceback" not in result.stderr


def test_directory_discovery(tmp_path):
    (tmp_path / "svc").mkdir()
    for name in ("Dockerfile", "Dockerfile.prod", "Dockerfile-dev", "api.Dockerfile", "x.dockerfile",
                 "Containerfile", "Containerfile.ci"):
        (tmp_path / "svc" / name).write_text(CLEAN)
    for skipped in (".git", "node_modules", "venv"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "Dockerfile").write_text("FROM golang:1.22\nRUN go build .\n")
    (tmp_path / "venv" / "pyvenv.cfg").write_text("")
    (tmp_path / "svc" / "README.md").write_text("not a Dockerfile")
    result = run(["--format", "json", str(tmp_path)])
    files = json.loads(result.output)["files"]
    assert sorted(os.path.basename(f) for f in files) == sorted(
        ["Dockerfile", "Dockerfile.prod", "Dockerfile-dev", "api.Dockerfile", "x.dockerfile",
         "Containerfile", "Containerfile.ci"])
    assert result.exit_code == 0


def test_directory_without_dockerfiles(tmp_path):
    result = subprocess.run([sys.executable, "-m", "dockerslim_lint", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "no Dockerfiles found" in result.stderr and str(tmp_path) in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_does_not_block(tmp_path):
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "dockerslim_lint", str(fifo), SEED_MULTI],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "not a regular file" in result.stderr
    assert "DSL307" in result.stdout


def test_symlink_loop(tmp_path):
    loop = tmp_path / "Dockerfile"
    os.symlink(loop, loop)
    result = subprocess.run([sys.executable, "-m", "dockerslim_lint", str(loop)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "symbolic link loop" in result.stderr


def test_unknown_target_names_stages(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text(CLEAN)
    result = subprocess.run([sys.executable, "-m", "dockerslim_lint", "--target", "nope", str(p)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "target stage 'nope' not found" in result.stderr and "build" in result.stderr


def test_no_path_lints_dockerfile_in_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run([]).exit_code == 2
    (tmp_path / "Dockerfile").write_text(CLEAN)
    result = run([])
    assert result.exit_code == 0 and "1 file" in result.output


def test_terminal_escapes_never_raw(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM ubuntu\x1b[31m:22.04\nUSER root\x1b]0;pwned\x07\n")
    result = run(["--no-color", str(p)])
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_color_only_when_asked(tmp_path):
    result = run([SEED_MULTI])  # CliRunner is not a TTY
    assert "\x1b[" not in result.output


def test_list_rules_and_explain():
    result = run(["--list-rules"])
    assert result.exit_code == 0
    ids = [line.split()[0] for line in result.output.splitlines()]
    assert ids[:4] == ["DSL001", "DSL002", "DSL003", "DSL101"] and "DSL402" in ids
    result = run(["--explain", "dsl101"])
    assert result.exit_code == 0 and result.output.startswith("# DSL101: single-stage-build")
    assert run(["--explain", "DSL999"]).exit_code == 2


def test_output_file(tmp_path):
    out = tmp_path / "report.json"
    result = run(["--format", "json", "-o", str(out), SEED_SINGLE])
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(out.read_text())["findings"]


def test_version():
    result = run(["--version"])
    assert result.exit_code == 0 and "dockerslim-lint" in result.output


def test_bad_format_is_usage_error():
    assert run(["--format", "xml", SEED_SINGLE]).exit_code == 2


def test_build_arg_changes_base(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("ARG BASE=gcr.io/distroless/static-debian13:nonroot\nFROM $BASE\nCOPY app /app\n"
                 "ENTRYPOINT [\"/app\"]\n")
    assert run(["--format", "json", str(p)]).exit_code == 0
    result = run(["--format", "json", "--build-arg", "BASE=ubuntu:24.04", str(p)])
    assert "DSL202" in {f["rule"] for f in json.loads(result.output)["findings"]}


def test_console_script_installed():
    exe = os.path.join(os.path.dirname(sys.executable), "dockerslim-lint")
    result = subprocess.run([exe, "--no-color", SEED_SINGLE], capture_output=True, text=True)
    assert result.returncode == 1 and "DSL101" in result.stdout
