"""Inline suppressions end to end through the CLI (RULES.md "Suppression"):

    # dockerslim-lint ignore=ID,...          comment lines directly above an instruction;
                                             a blank line ends their reach
    # dockerslim-lint global ignore=ID,...   anywhere in the file

for every rule that fires on the fixtures, for plugin rules, and `--report-unused-ignores`.
"""
import glob
import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import FIXTURES
from test_config import console_example, doc_example, run_cli
from test_plugins import _install_plugin

SEED_SINGLE = os.path.join(FIXTURES, "seed", "single-stage", "Dockerfile")
NAMES = ("Dockerfile", "Dockerfile.*", "Dockerfile-*", "*.Dockerfile", "*.dockerfile", "Containerfile",
         "Containerfile.*")
FIXTURE_FILES = sorted({p for n in NAMES for p in glob.glob(os.path.join(FIXTURES, "**", n), recursive=True)})


def lint(path, *args):
    """(exit code, findings as [(rule, line)], unused as [(line, rule)], JSON document)."""
    result = run_cli(["-f", "json", *args, path])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    return (result.exit_code, sorted((f["rule"], f["line"]) for f in doc["findings"]),
            sorted((u["line"], u["rule"]) for u in doc["unused_ignores"]), doc)


def write(tmp_path, text, name="Dockerfile"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return str(path)


# --------------------------------------------------------------------------- the documented examples

def test_documented_example_is_silenced(tmp_path):
    text = doc_example("suppress")
    code, found, unused, _ = lint(write(tmp_path, text), "--report-unused-ignores")
    assert (code, found, unused) == (0, [], [])
    # Without its comments the same file has exactly the findings they silence.
    bare = "".join(line for line in text.splitlines(True) if "dockerslim-lint" not in line)
    code, found, _, _ = lint(write(tmp_path, bare))
    assert code == 1
    assert sorted({rule for rule, _ in found}) == ["DSL301", "DSL304", "DSL307"], found


def test_documented_blank_line_example_silences_nothing(tmp_path):
    path = write(tmp_path, doc_example("suppress-blank-line"))
    code, found, unused, _ = lint(path, "--report-unused-ignores")
    assert ("DSL402", 4) in found
    assert unused == [(2, "DSL402")]
    text = run_cli(["--no-color", "--report-unused-ignores", path]).stdout
    # The rule fires on the instruction below the blank line: the advice is to close the gap,
    # not to delete the comment.
    assert (f"{path}:2:1: unused suppression of DSL402: it silenced nothing; remove the blank line "
            "between it and line 4\n") in text
    # Without the blank line, the same comment works.
    path = write(tmp_path, doc_example("suppress-blank-line").replace("DSL402\n\n", "DSL402\n"))
    code, found, unused, _ = lint(path, "--report-unused-ignores")
    assert "DSL402" not in {rule for rule, _ in found} and unused == []


def test_documented_unused_output(tmp_path):
    (tmp_path / "Dockerfile").write_text(doc_example("suppress-blank-line"))
    args, expected = console_example("unused-output")
    result = run_cli(["--no-color", *args], cwd=tmp_path)
    assert result.exit_code == 1
    for line in expected:
        assert line in result.stdout.splitlines(), (line, result.stdout)


# --------------------------------------------------------------------------- every rule, on every fixture

def _cases():
    """(fixture, rule) for each rule that fires on a fixture file."""
    cases = []
    for path in FIXTURE_FILES:
        result = run_cli(["-f", "json", path])
        if result.exit_code not in (0, 1):
            continue
        for rule in sorted({f["rule"] for f in json.loads(result.stdout)["findings"]}):
            cases.append((path, rule))
    return cases


CASES = _cases()


def test_the_fixtures_cover_many_rules():
    assert {"DSL101", "DSL202", "DSL301", "DSL302", "DSL303", "DSL307", "DSL401", "DSL402"} <= \
        {rule for _, rule in CASES}


# DSL001/DSL002 are about the file, not an instruction: the global test covers them.
LOCAL_CASES = [(p, r) for p, r in CASES if r not in ("DSL001", "DSL002")]


@pytest.mark.parametrize("path,rule", LOCAL_CASES,
                         ids=[f"{os.path.relpath(p, FIXTURES)}-{r}" for p, r in LOCAL_CASES])
def test_local_suppression_silences_exactly_that_rule_there(tmp_path, path, rule):
    with open(path, "rb") as f:
        lines = f.read().splitlines(True)
    _, before, _, _ = lint(path)
    targets = sorted({line for r, line in before if r == rule})
    # A comment above each instruction the rule points at (lines shift as we insert).
    out = list(lines)
    for line in reversed(targets):
        out.insert(line - 1, f"# dockerslim-lint ignore={rule}\n".encode())
    code, after, unused, _ = lint(write(tmp_path, b"".join(out), os.path.basename(path)),
                                  "--report-unused-ignores")

    def shifted(line):
        return line + sum(1 for t in targets if t <= line)

    assert after == sorted((r, shifted(line)) for r, line in before if r != rule)
    assert unused == []


@pytest.mark.parametrize("path,rule", CASES, ids=[f"{os.path.relpath(p, FIXTURES)}-{r}" for p, r in CASES])
def test_global_suppression_silences_the_rule_in_the_file(tmp_path, path, rule):
    with open(path, "rb") as f:
        data = f.read()
    _, before, _, _ = lint(path)
    if not data.endswith(b"\n"):
        data += b"\n"
    data += f"# dockerslim-lint global ignore={rule}\n".encode()
    _, after, unused, _ = lint(write(tmp_path, data, os.path.basename(path)), "--report-unused-ignores")
    assert after == [(r, line) for r, line in before if r != rule]
    assert unused == []


# --------------------------------------------------------------------------- the details

SINGLE = """FROM ubuntu:24.04
RUN apt-get update && apt-get install -y golang-go
COPY . .
RUN CGO_ENABLED=0 go build -o /app .
ENTRYPOINT ["/app"]
"""


def test_a_comment_block_reaches_the_instruction_below_it(tmp_path):
    text = SINGLE.replace("RUN apt-get", "# Go from Debian, pinned by the distribution.\n"
                                         "# dockerslim-lint ignore=DSL401, dsl402\n"
                                         "# (and more prose after the directive)\nRUN apt-get")
    _, found, unused, _ = lint(write(tmp_path, text), "--report-unused-ignores")
    rules = {rule for rule, _ in found}
    assert "DSL401" not in rules and "DSL402" not in rules
    assert "DSL303" in rules and "DSL101" in rules  # not named: still reported
    assert unused == []


def test_a_suppression_reaches_one_instruction_only(tmp_path):
    text = ("FROM debian:trixie-slim\n# dockerslim-lint ignore=DSL402\n"
            "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
            "RUN apt-get update && apt-get install -y wget && rm -rf /var/lib/apt/lists/*\n")
    _, found, _, _ = lint(write(tmp_path, text))
    assert [line for rule, line in found if rule == "DSL402"] == [4]


def test_a_suppression_covers_a_multi_line_instruction(tmp_path):
    text = ("FROM debian:trixie-slim\n# dockerslim-lint ignore=DSL303,DSL402\n"
            "RUN apt-get update \\\n    && apt-get install -y \\\n        gcc \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n")
    _, found, unused, _ = lint(write(tmp_path, text), "--report-unused-ignores")
    rules = {rule for rule, _ in found}
    assert "DSL303" not in rules and "DSL402" not in rules and unused == []


def test_a_directive_comment_inside_an_instruction_is_not_above_one(tmp_path):
    text = ("FROM debian:trixie-slim\n"
            "RUN apt-get update \\\n    # dockerslim-lint ignore=DSL402\n"
            "    && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n")
    _, found, unused, _ = lint(write(tmp_path, text), "--report-unused-ignores")
    assert ("DSL402", 2) in found and unused == [(3, "DSL402")]


def test_global_suppression_anywhere(tmp_path):
    text = SINGLE + "\n# dockerslim-lint global ignore=DSL101,DSL307\n"
    _, found, unused, _ = lint(write(tmp_path, text), "--report-unused-ignores")
    rules = {rule for rule, _ in found}
    assert "DSL101" not in rules and "DSL307" not in rules and "DSL303" in rules and unused == []


def test_unused_suppressions_are_listed_only_when_asked(tmp_path):
    text = ("# dockerslim-lint global ignore=DSL101,DSL305\n"
            "FROM golang:1.23 AS build\nRUN CGO_ENABLED=0 go build -o /app .\n\n"
            "FROM gcr.io/distroless/static-debian13:nonroot\n"
            "# dockerslim-lint ignore=DSL307\nCOPY --from=build /app /app\n"
            'ENTRYPOINT ["/app"]\n')
    path = write(tmp_path, text)
    code, found, unused, _ = lint(path, "--report-unused-ignores")
    assert (code, found) == (0, [])
    assert unused == [(1, "DSL101"), (1, "DSL305"), (6, "DSL307")]
    assert lint(path)[2] == []
    assert run_cli(["--report-unused-ignores", path]).exit_code == 0  # listed, not failed


@pytest.mark.parametrize("flags", [[], ["--report-unused-ignores"]])
def test_unknown_ids_in_comments_are_always_errors_with_did_you_mean(tmp_path, flags):
    text = "# dockerslim-lint ignore=DSL3O7\n" + SINGLE
    path = write(tmp_path, text)
    result = run_cli(["-f", "json", *flags, path])
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    assert ("DSL307", 2) in [(f["rule"], f["line"]) for f in doc["findings"]]  # linted all the same
    assert doc["unused_ignores"] == []  # an error, not also an unused suppression
    expected = (f"{path}: line 1: unknown rule 'DSL3O7' in a suppression comment (did you mean DSL307?); "
                "see `dockerslim-lint --list-rules`")
    assert doc["errors"] == [expected]
    assert result.stderr.splitlines() == [f"dockerslim-lint: {expected}"]


def test_did_you_mean(rules):
    from dockerslim_lint.engine.suppress import did_you_mean

    assert did_you_mean("DSL3O7", rules) == "DSL307"  # a letter O for a zero
    assert did_you_mean("DSL4OI", rules) == "DSL401"
    assert did_you_mean("SHELL-IN-RUNTIME", rules) == "DSL301"  # a rule's name instead of its ID
    assert did_you_mean("DSL3007", rules) == "DSL307"
    assert did_you_mean("XYZ", rules) is None


def test_comments_that_are_not_directives_change_nothing(tmp_path):
    text = "# dockerslim-lint: ignore DSL307 please\n# hadolint ignore=DSL307\n" + SINGLE
    _, found, unused, _ = lint(write(tmp_path, text), "--report-unused-ignores")
    assert ("DSL307", 3) in found and unused == []


def test_config_ignore_and_inline_suppressions_together(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".dockerslim-lint.yaml").write_text("ignore: [DSL101]\n")
    text = "# dockerslim-lint ignore=DSL307\n" + SINGLE
    _, found, _, _ = lint(write(tmp_path, text))
    rules = {rule for rule, _ in found}
    assert "DSL101" not in rules and "DSL307" not in rules and "DSL303" in rules


# --------------------------------------------------------------------------- plugin rules

PLUGIN = textwrap.dedent('''
    from dockerslim_lint.engine.findings import Finding
    from dockerslim_lint.engine.rule import rule

    @rule("ACME100", "run-seen", "warning", "Points at the last line of every RUN.")
    def run_seen(model, context):
        for stage in model.stages:
            for ins in stage.instructions:
                if ins.keyword == "RUN":
                    yield Finding("ACME100", ins.end_line, "a RUN")

    RULES = [run_seen]
''')


@pytest.fixture
def plugin_env(tmp_path):
    return _install_plugin(tmp_path, PLUGIN)


def _plugin_lint(env, cwd, *args):
    result = subprocess.run([sys.executable, "-m", "dockerslim_lint", "-f", "json", "--select", "ACME100",
                             "--report-unused-ignores", *args], capture_output=True, text=True, env=env, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    doc = json.loads(result.stdout)
    return ([f["line"] for f in doc["findings"]], [(u["line"], u["rule"]) for u in doc["unused_ignores"]])


def test_plugin_rules_are_suppressed_like_builtin_ones(tmp_path, plugin_env):
    # The plugin points at the *last* line of a multi-line RUN: the comment above the
    # instruction still reaches it.
    text = ("FROM alpine:3.20\n# dockerslim-lint ignore=ACME100\nRUN apk add --no-cache curl \\\n"
            "    && echo done\nRUN echo two\n")
    path = write(tmp_path, text)
    assert _plugin_lint(plugin_env, tmp_path, path) == ([5], [])
    path = write(tmp_path, text + "# dockerslim-lint global ignore=ACME100\n")
    assert _plugin_lint(plugin_env, tmp_path, path) == ([], [(2, "ACME100")])


def test_plugin_rule_ids_are_known_to_the_config(tmp_path, plugin_env):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".dockerslim-lint.yaml").write_text("severity:\n  ACME100: off\n")
    path = write(tmp_path, "FROM alpine:3.20\nRUN echo one\n")
    assert _plugin_lint(plugin_env, tmp_path, path) == ([], [])


def test_reason_after_ids_and_disabled_rules_not_reported_unused():
    from conftest import lint_text

    text = ("FROM ubuntu:24.04\n"
            "# dockerslim-lint ignore=DSL307 runs as root on purpose: it binds port 80\n"
            "USER root\n")
    result = lint_text(text, report_unused_ignores=True)
    assert "DSL307" not in [f.rule_id for f in result.findings]
    assert result.unused_ignores == []
    # DSL307 not selected: its suppression silenced nothing but is not "unused" either.
    result = lint_text(text, report_unused_ignores=True, select=frozenset({"DSL202"}))
    assert result.unused_ignores == []
    result = lint_text("# dockerslim-lint global ignore=DSL999\nFROM scratch\n", report_unused_ignores=True)
    assert result.unused_ignores == [] and result.errors == [
        "line 1: unknown rule 'DSL999' in a suppression comment; see `dockerslim-lint --list-rules`"]
