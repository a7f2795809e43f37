"""Property-based tests: nothing a user can feed the linter makes it raise.

Random Dockerfile-like text (every instruction, flags with and without values,
heredocs, continuations, variables, quotes, JSON and broken JSON, control
characters) and random bytes go through `Linter.lint_bytes` and through the CLI
(CliRunner, catch_exceptions=False) in every output format. Properties:

* nothing raises; no "internal error" (a rule that crashes is a bug to report);
* the exit code is 0, 1 or 2;
* JSON and SARIF output always parse; text and GitHub output never carry a raw
  control character (escape sequences from the file are made visible);
* findings point inside the file.

Profiles (registered here, applied per test, so other test modules are untouched):

    python -m pytest tests/test_fuzz.py                              # "ci": 100 examples a test
    HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_fuzz.py      # 5000 examples a test
    HYPOTHESIS_PROFILE=fuzz HYPOTHESIS_EXAMPLES=50000 python -m pytest tests/test_fuzz.py -x

The fuzz profile prints statistics with `--hypothesis-show-statistics`; a failure
prints the minimal example, reproducible with the @reproduce_failure line it shows.
"""
import importlib.util
import json
import os
import re

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from dockerslim_lint.cli import cli

# "ci" is derandomized: the same examples on every run, so CI never flakes on a new
# random draw; "fuzz" draws new examples each run (and remembers failures in .hypothesis/).
settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
settings.register_profile(
    "fuzz", max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "5000")), deadline=None,
    print_blob=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
fuzz_settings = settings(settings.get_profile(PROFILE))

HAS_SARIF = importlib.util.find_spec("dockerslim_lint.reporters.sarif") is not None
# What a terminal or a CI log must never receive raw (the reporters' own escape set).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


# -- strategies -------------------------------------------------------------------------

NASTY = ["\x1b[31m", "\x1b]0;pwned\x07", "\x00", "\u202e", "\r", "\t", "\x7f", "\x9b", "é", "💥"]

word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-./", min_size=1, max_size=12)
var_name = st.sampled_from(["A", "BASE", "VERSION", "TAG", "HOME", "PATH", "BUILDPLATFORM",
                            "TARGETARCH", "X_1", "_", "a"])


@st.composite
def variable(draw):
    name = draw(var_name)
    form = draw(st.integers(0, 5))
    if form == 0:
        return "$" + name
    if form == 1:
        return "${" + name + "}"
    op = draw(st.sampled_from([":-", "-", ":+", "+", ":?", "?", "#", "%", "##", "%%", "/"]))
    return "${" + name + op + draw(st.text(alphabet="abc:$}{-", max_size=5)) + "}"


fragment = st.one_of(
    word, variable(), st.sampled_from(NASTY), st.just('"'), st.just("'"), st.just("\\"),
    st.just("`"), st.just(" "), st.just("&&"), st.just("|"), st.just("#"), st.just("="),
    st.text(st.characters(blacklist_characters="\n\r"), max_size=6),
    st.text(max_size=3),  # now and then a raw line break inside a value
)


@st.composite
def value(draw, max_parts=5):
    return "".join(draw(st.lists(fragment, max_size=max_parts)))


@st.composite
def image(draw):
    parts = []
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["gcr.io/", "localhost:5000/", "ghcr.io/acme/",
                                           "mcr.microsoft.com/dotnet/", "cgr.dev/chainguard/", ""])))
    parts.append(draw(st.sampled_from(["ubuntu", "debian", "alpine", "golang", "python", "node",
                                       "scratch", "distroless/static-debian12", "busybox", "nginx",
                                       "eclipse-temurin", "rust", "sdk", "aspnet", "static"])
                      | word | variable()))
    if draw(st.booleans()):
        parts.append(":" + draw(st.sampled_from(["22.04", "latest", "1.22", "3.12-slim", "nonroot",
                                                 "debug", "20-alpine", ""]) | value(2)))
    if draw(st.integers(0, 9)) == 0:
        parts.append("@sha256:" + draw(st.text(alphabet="0123456789abcdef", max_size=64)))
    if draw(st.integers(0, 7)) == 0:
        parts.append(draw(st.sampled_from(NASTY)))
    return "".join(parts)


@st.composite
def flag(draw, names):
    name = draw(st.sampled_from(names) | word)
    form = draw(st.integers(0, 4))
    dashes = draw(st.sampled_from(["--", "--", "--", "-", "---"]))
    if form == 0:
        return f"{dashes}{name}"
    if form == 1:
        return f"{dashes}{name}="  # a flag without a value: --from=, --platform=
    return f"{dashes}{name}={draw(value(3))}"


def flags(names, max_size=3):
    return st.lists(flag(names), max_size=max_size).map(lambda fs: "".join(f + " " for f in fs))


@st.composite
def json_list(draw):
    items = draw(st.lists(value(3), max_size=4))
    text = json.dumps(items, ensure_ascii=draw(st.booleans()))
    broken = draw(st.integers(0, 6))
    if broken == 0:
        return text[:-1]  # missing ]
    if broken == 1:
        return text.replace('"', "'")  # single quotes: not JSON, shell form
    if broken == 2:
        return "[" + ", ".join(draw(st.lists(st.sampled_from(["1", "null", "true", "{}", "[]", '"a"', "NaN",
                                                              "1e999"]), max_size=3))) + "]"
    if broken == 3:
        return "[" * draw(st.integers(1, 50)) + "]" * draw(st.integers(0, 50))
    return text


@st.composite
def heredoc(draw):
    name = draw(st.sampled_from(["EOF", "EOT", "END", "X", "eof"]))
    quoted = draw(st.sampled_from(["", "'", '"']))
    dash = draw(st.sampled_from(["", "-"]))
    fd = draw(st.sampled_from(["", "", "3"]))
    head = f"{fd}<<{dash}{quoted}{name}{quoted}"
    body = draw(st.lists(value(4), max_size=4))
    terminated = draw(st.integers(0, 5)) != 0  # sometimes never closed
    closing = [("\t" if dash and draw(st.booleans()) else "") + name] if terminated else []
    return head, body + closing


def shell_command():
    return st.one_of(
        value(6),
        st.sampled_from([
            "apt-get update && apt-get install -y --no-install-recommends curl ca-certificates",
            "apk add --no-cache bash git", "pip install --no-cache-dir -r requirements.txt",
            "go build -o /app .", "npm ci && npm run build", "rm -rf /var/lib/apt/lists/*",
            "useradd -r app", "curl -fsSL https://example.com/install.sh | sh",
        ]),
    )


@st.composite
def instruction(draw, depth=0):
    kw = draw(st.sampled_from(["FROM", "RUN", "COPY", "ADD", "ARG", "ENV", "USER", "CMD", "ENTRYPOINT",
                               "SHELL", "HEALTHCHECK", "ONBUILD", "WORKDIR", "EXPOSE", "LABEL",
                               "STOPSIGNAL", "VOLUME", "MAINTAINER", "FROM", "RUN", "COPY"]))
    lines = []
    if kw == "FROM":
        text = f"FROM {draw(flags(['platform']))}{draw(image())}"
        if draw(st.booleans()):
            text += f" {draw(st.sampled_from(['AS', 'as', 'As']))} {draw(word | value(2))}"
    elif kw in ("RUN", "COPY", "ADD"):
        names = {"RUN": ["mount", "network", "security"], "COPY": ["from", "chown", "chmod", "link", "parents"],
                 "ADD": ["checksum", "chown", "keep-git-dir"]}[kw]
        head = f"{kw} {draw(flags(names))}"
        form = draw(st.integers(0, 3))
        if form == 0:
            text = head + draw(json_list())
        elif form == 1:
            doc, body = draw(heredoc())
            extra = "" if kw == "RUN" else " /dest"
            text = head + doc + (draw(st.sampled_from(["", " bash", " && echo hi", " <<B"])) if kw == "RUN" else extra)
            lines = body
        elif kw == "RUN":
            text = head + draw(shell_command())
        else:
            text = head + " ".join(draw(st.lists(word | variable(), max_size=4)))
    elif kw == "ARG":
        text = "ARG " + " ".join(
            draw(var_name) + (("=" + draw(value(3))) if draw(st.booleans()) else "")
            for _ in range(draw(st.integers(0, 3))))
    elif kw in ("ENV", "LABEL"):
        if draw(st.booleans()):
            text = f"{kw} {draw(var_name)} {draw(value(3))}"
        else:
            text = f"{kw} " + " ".join(f"{draw(var_name)}={draw(value(2))}"
                                       for _ in range(draw(st.integers(0, 3))))
    elif kw == "USER":
        text = "USER " + draw(st.sampled_from(["root", "0", "0:0", "nonroot", "65532:65532", "app", "$U",
                                               "1000:", ":1000", ""]) | value(2))
    elif kw in ("CMD", "ENTRYPOINT", "SHELL"):
        text = f"{kw} " + (draw(json_list()) if draw(st.booleans()) else draw(shell_command()))
    elif kw == "HEALTHCHECK":
        sub = draw(st.sampled_from(["CMD", "cmd", "NONE", "", "BOGUS"]))
        text = f"HEALTHCHECK {draw(flags(['interval', 'timeout', 'start-period', 'retries']))}{sub} "
        text += draw(json_list()) if draw(st.booleans()) else draw(shell_command())
    elif kw == "ONBUILD":
        if depth == 0 and draw(st.booleans()):
            inner, lines = draw(instruction(depth=1))
            text = "ONBUILD " + inner
        else:
            text = "ONBUILD " + draw(st.sampled_from(["FROM x", "ONBUILD RUN x", "MAINTAINER me", ""]) | value(3))
    else:
        text = f"{kw} {draw(value(3))}"
    if draw(st.integers(0, 9)) == 0:
        text = text.lower()
    return text, lines


@st.composite
def continued(draw, text):
    """Break a line at random spaces with the escape character and a newline."""
    if " " not in text or draw(st.integers(0, 3)):
        return text
    pieces = text.split(" ")
    out = pieces[0]
    for piece in pieces[1:]:
        if draw(st.integers(0, 2)) == 0:
            out += " \\" + draw(st.sampled_from(["\n", "\n\n", "\n# comment\n", "\n  ", " \n"])) + piece
        else:
            out += " " + piece
    return out


@st.composite
def dockerfile(draw):
    out = []
    if draw(st.integers(0, 4)) == 0:
        out.append(draw(st.sampled_from(["# syntax=docker/dockerfile:1", "# escape=`", "# escape=\\",
                                         "# check=skip=all", "#syntax=x", "# escape=`", "# escape=x"])))
    if draw(st.integers(0, 9)):  # mostly a FROM first; sometimes ARGs or nothing before it
        out.append(f"FROM {draw(image())}" + (" AS build" if draw(st.booleans()) else ""))
    for _ in range(draw(st.integers(0, 12))):
        choice = draw(st.integers(0, 40))
        if choice == 0:
            out.append("#" + draw(st.sampled_from([" comment", " dockerslim-lint ignore=DSL301",
                                                    " dockerslim-lint global ignore=DSL101,DSL999",
                                                    " dockerslim-lint ignore=", ""]) | value(2)))
        elif choice == 1:
            out.append(draw(st.sampled_from(["", "   ", "\t"])))
        elif choice == 2:
            out.append(draw(value(4)))  # garbage line
        else:
            text, body = draw(instruction())
            out.append(draw(continued(text)))
            out.extend(body)
    newline = draw(st.sampled_from(["\n"] * 6 + ["\r\n"] * 3 + ["\r"]))
    text = newline.join(out)
    if draw(st.booleans()):
        text += newline
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    return text


@st.composite
def dockerfile_bytes(draw):
    """Dockerfile-like text, sometimes with a few bytes mangled (invalid UTF-8, NULs)."""
    data = bytearray(draw(dockerfile()).encode("utf-8", "surrogatepass"))
    for _ in range(draw(st.integers(0, 3)) if draw(st.integers(0, 3)) == 0 else 0):
        pos = draw(st.integers(0, len(data)))
        data[pos:pos] = draw(st.binary(min_size=1, max_size=4))
    return bytes(data)


# -- helpers ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def linter():
    from dockerslim_lint.engine.linter import Linter
    from dockerslim_lint.engine.plugins import load_rules

    return Linter(load_rules(with_plugins=False)[0])


def check_result(result, data):
    internal = [e for e in result.errors if "internal error" in e]
    assert not internal, internal
    n_lines = max(1, len(result.source_lines or ()))
    for f in result.findings:
        assert isinstance(f.line, int) and 1 <= f.line <= n_lines + 1, (f, n_lines)
        assert f.rule_id and f.severity in ("error", "warning", "info")


def run_cli(data, fmt):
    runner = CliRunner()
    result = runner.invoke(cli, ["--no-color", "--format", fmt, "-", "--stdin-filename", "fuzz/Dockerfile"],
                           input=data, catch_exceptions=False)
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert "internal error" not in result.stderr, result.stderr
    assert "Traceback" not in result.output
    return result


# -- properties: the engine -------------------------------------------------------------

@fuzz_settings
@given(dockerfile_bytes())
def test_lint_bytes_dockerfile_like(linter, data):
    check_result(linter.lint_bytes(data, "Dockerfile"), data)


@fuzz_settings
@given(st.binary(max_size=2048))
def test_lint_bytes_random_bytes(linter, data):
    check_result(linter.lint_bytes(data, "Dockerfile"), data)


@fuzz_settings
@given(dockerfile(), st.sampled_from([None, "build", "nope"]),
       st.dictionaries(var_name, value(2), max_size=3))
def test_lint_with_target_and_build_args(data, target, build_args):
    """--target and --build-arg change the model; an unknown target is an error, never a crash."""
    from dockerslim_lint.engine.linter import Linter, Options
    from dockerslim_lint.engine.plugins import load_rules

    linter = Linter(load_rules(with_plugins=False)[0], Options(target=target, build_args=build_args))
    check_result(linter.lint_bytes(data.encode("utf-8", "surrogatepass"), "Dockerfile"), data)


# -- properties: the CLI and every output format ----------------------------------------

@fuzz_settings
@given(dockerfile_bytes())
def test_cli_json_always_parses(data):
    from dockerslim_lint.files import is_text

    result = run_cli(data, "json")
    doc = json.loads(result.stdout)
    if not is_text(data):  # an executable, an image...: one error, nothing linted
        assert doc["files"] == [] and doc["errors"] == ["fuzz/Dockerfile: not a text file"]
        return
    assert doc["files"] == ["fuzz/Dockerfile"]
    for f in doc["findings"]:
        assert f["file"] == "fuzz/Dockerfile" and f["line"] >= 1
    assert (result.exit_code == 2) == bool(doc["errors"])


@fuzz_settings
@given(dockerfile_bytes())
def test_cli_text_never_prints_raw_controls(data):
    result = run_cli(data, "text")
    assert not RAW_CONTROL.search(result.stdout), ascii(result.stdout)
    assert not RAW_CONTROL.search(result.stderr.replace("\n", "")), ascii(result.stderr)
    assert result.stdout.endswith(("linted)\n", "(see standard error)\n")) or \
        "no problems in 1 file" in result.stdout


@fuzz_settings
@given(dockerfile_bytes())
def test_cli_github_never_prints_raw_controls(data):
    result = run_cli(data, "github")
    assert not RAW_CONTROL.search(result.stdout), ascii(result.stdout)
    for line in result.stdout.splitlines():
        assert line.startswith("::"), ascii(line)  # one workflow command a line, nothing injected


@pytest.mark.skipif(not HAS_SARIF, reason="dockerslim_lint.reporters.sarif not written yet")
@fuzz_settings
@given(dockerfile_bytes())
def test_cli_sarif_always_parses(data):
    result = run_cli(data, "sarif")
    doc = json.loads(result.stdout)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"].get("rules", [])}
    for r in run.get("results", []):
        assert r["ruleId"] in rule_ids
        region = r["locations"][0]["physicalLocation"].get("region", {})
        assert region.get("startLine", 1) >= 1


@fuzz_settings
@given(st.binary(max_size=1024), st.sampled_from(["json", "text", "github"]))
def test_cli_random_bytes(data, fmt):
    result = run_cli(data, fmt)
    if fmt == "json":
        json.loads(result.stdout)
    else:
        assert not RAW_CONTROL.search(result.stdout), ascii(result.stdout)
