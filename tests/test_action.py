"""The composite Action (action.yml), its bash steps run here as a runner would run them:
inputs and `github.*` expressions substituted into each step's `env`, the files behind
GITHUB_ENV, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY created, `bash -e` as GitHub uses."""
import os
import re
import subprocess
import sys

import pytest
import yaml

from conftest import FIXTURES, ROOT
from test_precommit import snapshot  # noqa: F401 (a fixture: this working tree as a git repository)

SEED_SINGLE = os.path.relpath(os.path.join(FIXTURES, "seed", "single-stage", "Dockerfile"), ROOT)
EXPR = re.compile(r"^\$\{\{\s*(inputs|github)\.([\w-]+)\s*\}\}$")


def _action():
    with open(os.path.join(ROOT, "action.yml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def run_step(step_id, inputs, github, tmp_path, extra_env=None):
    action = _action()
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values.update(inputs)
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == step_id or s.get("name") == step_id]
    env = dict(os.environ)
    for key, value in (step.get("env") or {}).items():
        kind, name = EXPR.match(value).groups()
        env[key] = values[name] if kind == "inputs" else github.get(name, "")
    files = {name: tmp_path / name for name in ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
    for name, path in files.items():
        path.touch()
        env[name] = str(path)
    env["RUNNER_TEMP"] = str(tmp_path)
    env.update(extra_env or {})
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    return proc, {name: path.read_text() for name, path in files.items()}


def _outputs(text):
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_lint_step_writes_the_report_and_the_job_summary(tmp_path):
    report = tmp_path / "report.xml"
    proc, files = run_step("lint", {"paths": SEED_SINGLE, "format": "checkstyle", "output": str(report),
                                    "failure-threshold": "error"}, {}, tmp_path,
                           {"DOCKERSLIM_LINT_BIN": os.path.dirname(sys.executable)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert _outputs(files["GITHUB_OUTPUT"]) == {"report": str(report), "exit-code": "1"}
    assert report.read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<checkstyle')
    summary = files["GITHUB_STEP_SUMMARY"]
    assert summary.startswith("### dockerslim-lint\n")
    assert f"| {SEED_SINGLE} | 8 | 890 MB | 2.3 MB | 888 MB |" in summary


def test_lint_step_without_job_summary(tmp_path):
    proc, files = run_step("lint", {"paths": SEED_SINGLE, "format": "github", "job-summary": "false"}, {},
                           tmp_path, {"DOCKERSLIM_LINT_BIN": os.path.dirname(sys.executable)})
    assert proc.returncode == 0, proc.stdout + proc.stderr  # failure-threshold: none by default
    assert "::error file=" in proc.stdout
    assert files["GITHUB_STEP_SUMMARY"] == ""


@pytest.mark.slow
def test_install_step_with_version_installs_that_commit_of_the_repository(tmp_path, snapshot):  # noqa: F811
    """`version: <commit SHA>` installs from the action's own repository (here the snapshot,
    reached through GITHUB_SERVER_URL as a file:// URL instead of https://github.com)."""
    repo, commit = snapshot
    server, name = os.path.dirname(os.path.dirname(repo)), "/".join(repo.split(os.sep)[-2:])
    proc, files = run_step("Install dockerslim-lint", {"version": commit},
                           {"action_path": "/nonexistent", "action_repository": name}, tmp_path,
                           {"GITHUB_SERVER_URL": "file://" + server})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from dockerslim_lint import __version__

    assert proc.stdout.strip().endswith(__version__)
    (line,) = files["GITHUB_ENV"].splitlines()
    assert line == f"DOCKERSLIM_LINT_BIN={tmp_path}/dockerslim-lint-venv/bin"
