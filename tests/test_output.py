"""What a person reads (issue 13): short messages, one suggestion per file, the summary,
colours, pipes, file discovery and files that are not text."""
import glob
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, lint_text
from dockerslim_lint.cli import _use_color, cli

EXE = os.path.join(os.path.dirname(sys.executable), "dockerslim-lint")
SEED_SINGLE = os.path.join(FIXTURES, "seed", "single-stage", "Dockerfile")
CLEAN = """FROM golang:1.22 AS build
COPY . .
RUN CGO_ENABLED=0 go build -o /app .

FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /app /app
ENTRYPOINT ["/app"]
"""
OWN_RULES = {"DSL001", "DSL002", "DSL003", "DSL301", "DSL302", "DSL303", "DSL304", "DSL305", "DSL306",
             "DSL307", "DSL401", "DSL402"}


def run(args, env=None):
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def all_fixture_findings():
    out = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "**", "*ockerfile*"), recursive=True)):
        if os.path.isfile(path) and not path.endswith(".yaml"):
            with open(path, "rb") as f:
                out.extend(lint_text(f.read()).findings)
    return out


# -- messages ---------------------------------------------------------------------------

def test_messages_are_one_short_sentence():
    findings = [f for f in all_fixture_findings() if f.rule_id in OWN_RULES]
    assert {f.rule_id for f in findings} >= {"DSL001", "DSL301", "DSL302", "DSL303", "DSL305", "DSL306",
                                             "DSL307", "DSL401", "DSL402"}
    for f in findings:
        assert len(f.message) <= 120, (f.rule_id, f.message)
        assert "\n" not in f.message, (f.rule_id, f.message)
        if f.rule_id != "DSL001":  # DSL001 quotes BuildKit's own error text
            assert ". " not in f.message, (f.rule_id, f.message)


def test_dsl303_does_not_repeat_dsl101():
    result = lint_text(open(SEED_SINGLE).read())
    by_rule = {f.rule_id: f.message for f in result.findings}
    assert "`golang-go`" in by_rule["DSL303"]
    assert "stage" not in by_rule["DSL303"].replace("shipped image", "")  # not DSL101's single-stage story
    assert "golang-go" not in by_rule["DSL101"]


# -- text output ------------------------------------------------------------------------

def test_suggestion_printed_once_per_file_after_its_findings(tmp_path):
    other = tmp_path / "Dockerfile"
    other.write_text(open(SEED_SINGLE).read())
    result = run(["--no-color", SEED_SINGLE, str(other)])
    lines = result.output.splitlines()
    starts = [k for k, line in enumerate(lines) if line.startswith("    suggestion: ")]
    assert len(starts) == 2  # one block per file
    block = [lines[starts[0]]]
    k = starts[0] + 1
    while lines[k].startswith(" " * 16):  # a long suggestion wraps under itself
        block.append(lines[k])
        k += 1
    while lines[k].startswith("    rewrite"):  # the multi-stage rewrite's one line
        assert "ship" not in lines[k]  # not the suggestion's paragraph again
        k += 1
    assert lines[k].startswith(str(other) + ":")  # right after the first file's findings
    assert lines[starts[1]:starts[1] + len(block)] == block  # the same block for the same file
    assert lines[-1].startswith("16 problems")  # after the second file's blocks, the summary
    text = " ".join(x.strip() for x in block)
    assert text.startswith("suggestion: build in a separate stage and ship gcr.io/distroless/static-debian13:nonroot")
    assert all(len(x) <= 120 for x in block)
    findings = [x.split(": ", 1)[1] for x in lines if ": DSL" in x]
    assert len(findings) == 2 * len(set(findings))  # no finding text repeated within a file


def test_seed_lines_of_these_rules_fit_in_120_columns(monkeypatch):
    monkeypatch.chdir(os.path.dirname(FIXTURES))
    result = run(["--no-color", "fixtures/seed/single-stage/Dockerfile"])
    ours = [x for x in result.output.splitlines() if x.split(" ")[1] in OWN_RULES]
    assert len(ours) == 6
    assert all(len(x) <= 120 for x in ours), [x for x in ours if len(x) > 120]


def test_verbose_adds_a_short_why_line():
    result = run(["--no-color", "--verbose", SEED_SINGLE])
    lines = result.output.splitlines()
    for k, line in enumerate(lines):
        if " DSL301 warning: " in line:
            assert lines[k + 1].startswith("    why: A shell ")
    assert "why:" not in run(["--no-color", SEED_SINGLE]).output


# -- summary after errors -----------------------------------------------------------------

def test_summary_counts_errors_and_never_says_no_problems(tmp_path):
    result = run(["--no-color", str(tmp_path / "nope" / "Dockerfile")])
    assert result.exit_code == 2
    assert result.stdout.splitlines()[-1] == "0 problems in 0 files; 1 run error (see standard error)"
    p = tmp_path / "Dockerfile"
    p.write_text(CLEAN)
    result = run(["--no-color", "--target", "nope", str(p)])
    assert result.exit_code == 2
    assert "no problems" not in result.stdout
    assert result.stdout.splitlines()[-1] == "0 problems in 1 file; 1 run error (see standard error)"
    result = run(["--no-color", SEED_SINGLE, str(tmp_path / "gone")])
    assert result.stdout.splitlines()[-1].endswith("in 1 file; 1 run error (see standard error)")
    assert result.stdout.splitlines()[-1].startswith("8 problems (2 errors")


# -- broken pipe ------------------------------------------------------------------------------

def test_broken_pipe_stops_quietly():
    cmd = f"'{EXE}' --no-color '{FIXTURES}' | head -1; echo \"status=${{PIPESTATUS[0]}}\""
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    out = proc.stdout.splitlines()
    assert len(out) == 2 and ": DSL" in out[0], proc.stdout
    assert proc.stderr == "", proc.stderr  # no "Broken pipe", no "Exception ignored"
    assert out[1] in ("status=1", "status=0"), out  # the run's own status, not 2
    proc = subprocess.run(["bash", "-c", f"'{EXE}' --list-rules | head -1"], capture_output=True, text=True)
    assert proc.stderr == "" and proc.stdout.startswith("DSL001")


# -- colour ----------------------------------------------------------------------------------

class _Tty:
    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("env,tty,expected", [
    ({}, True, True),
    ({}, False, False),
    ({"NO_COLOR": "1"}, True, False),
    ({"NO_COLOR": ""}, True, True),  # empty: not set (no-color.org)
    ({"TERM": "dumb"}, True, False),
    ({"FORCE_COLOR": "1"}, False, True),
    ({"FORCE_COLOR": "1", "TERM": "dumb"}, False, True),
    ({"FORCE_COLOR": ""}, False, False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),
])
def test_colour_environment(monkeypatch, env, tty, expected):
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _use_color(False, _Tty(tty)) is expected
    assert _use_color(True, _Tty(tty)) is False


def test_force_color_colours_the_report():
    result = run([SEED_SINGLE], env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert "\x1b[31merror\x1b[0m" in result.output


# -- listing rules ---------------------------------------------------------------------------

def test_list_rules_as_json():
    result = run(["--list-rules", "--format", "json"])
    assert result.exit_code == 0
    rules = json.loads(result.output)
    assert rules[0]["id"] == "DSL001" and {"id", "name", "severity", "summary"} <= set(rules[0])
    assert "DSL003" in [r["id"] for r in rules]


# -- JSON and SARIF keep the suggestion ------------------------------------------------------

def test_json_suggestions_map_and_flat_findings(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text(CLEAN)
    doc = json.loads(run(["-f", "json", SEED_SINGLE, str(p)]).output)
    assert {"files", "findings", "errors", "suggestions"} <= set(doc)
    assert doc["suggestions"][str(p)] is None
    suggestion = doc["suggestions"][SEED_SINGLE]
    assert suggestion["image"] == "gcr.io/distroless/static-debian13:nonroot" and suggestion["reason"]
    carried = [f["suggestion"] for f in doc["findings"] if f["suggestion"] is not None]
    assert carried and all(s == suggestion for s in carried)
    for f in doc["findings"]:
        assert {"file", "line", "rule", "severity", "message", "suggestion"} <= set(f)


def test_sarif_result_keeps_the_suggestion_in_a_property_bag():
    log = json.loads(run(["-f", "sarif", SEED_SINGLE]).output)
    results = log["runs"][0]["results"]
    with_bag = [r for r in results if "suggestion" in r.get("properties", {})]
    assert {r["ruleId"] for r in with_bag} >= {"DSL101", "DSL202"}
    assert with_bag[0]["properties"]["suggestion"]["image"] == "gcr.io/distroless/static-debian13:nonroot"


# -- discovery -------------------------------------------------------------------------------

def test_discovery_skips_dockerignore_and_finds_lowercase(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Dockerfile").write_text(CLEAN)
    (tmp_path / "a" / "Dockerfile.dockerignore").write_text("node_modules\n*.log\n")
    (tmp_path / "a" / "api.Dockerfile.dockerignore").write_text(".git\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "dockerfile").write_text(CLEAN)
    result = run(["-f", "json", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(os.path.relpath(f, tmp_path) for f in json.loads(result.output)["files"]) == [
        "a/Dockerfile", "b/dockerfile"]


def test_a_file_named_twice_is_linted_once(tmp_path, monkeypatch):
    (tmp_path / "svc").mkdir()
    p = tmp_path / "svc" / "Dockerfile"
    p.write_text(open(SEED_SINGLE).read())
    monkeypatch.chdir(tmp_path)
    result = run(["-f", "json", "svc/Dockerfile", "./svc/Dockerfile", "svc", str(p)])
    doc = json.loads(result.output)
    assert doc["files"] == ["svc/Dockerfile"]
    assert len([f for f in doc["findings"] if f["rule"] == "DSL101"]) == 1


# -- files that are not text -------------------------------------------------------------------

def test_binary_file_is_one_line_exit_2(tmp_path):
    if not os.path.exists("/bin/ls"):
        pytest.skip("no /bin/ls")
    proc = subprocess.run([EXE, "/bin/ls", SEED_SINGLE], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["dockerslim-lint: /bin/ls: not a text file"]
    assert "/bin/ls" not in proc.stdout and f"{SEED_SINGLE}:1:1: DSL101" in proc.stdout


def test_nul_in_a_readable_dockerfile_is_still_linted(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"# syntax=docker/dockerfile:1\nFROM ubuntu:24.04\nLABEL x=\"a\x00b\"\nUSER root\n")
    result = run(["-f", "json", str(p)])
    assert result.exit_code == 1
    assert "DSL307" in {f["rule"] for f in json.loads(result.output)["findings"]}


def test_text_wrap_is_textwraps():
    """reporters.text._wrap gives textwrap.wrap's lines (without importing textwrap)."""
    import random
    import textwrap

    from dockerslim_lint.reporters.text import _wrap

    pieces = ["a", "bb", "word", "longer-word", "x" * 30, " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c",
              "\u00a0", "\x1c", "\u2003", "é", "->", "(x)", "a.b/c:d"]
    rng = random.Random(16)
    texts = ["", " ", "one", "  leading", "trailing  ", "a\tb", "\t\t", "x " * 70,
             "suggestion: build in a separate stage and ship gcr.io/distroless/static-debian13:nonroot"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 60))) for _ in range(3000)]
    for text in texts:
        for width in (1, 2, 5, 8, 13, 40, 115):
            expected = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]
            assert _wrap(text, width) == expected, (text, width)
    with pytest.raises(ValueError):
        _wrap("a", 0)


def test_escape_fast_path_changes_nothing():
    """reporters.escape returns printable ASCII as it is without its regex: the same as the
    regex gives, for every character up to U+3000 alone and in random texts."""
    import random
    import re

    from dockerslim_lint.reporters import _CONTROL, escape

    control = re.compile(_CONTROL.pattern)

    def by_regex(text):
        return control.sub(lambda m: "\\x%02x" % ord(m.group()) if ord(m.group()) < 0x100
                           else "\\u%04x" % ord(m.group()), text)

    chars = [chr(i) for i in range(0x3000)]
    rng = random.Random(3)
    texts = chars + ["plain ascii text", "tab\there", "", "line\nbreak", "\x1b[31mred"]
    texts += ["".join(rng.choice(chars[:0x300] + ["a", " ", "\u2028", "\u202e"]) for _ in range(12))
              for _ in range(3000)]
    for text in texts:
        assert escape(text) == by_regex(text), repr(text)
