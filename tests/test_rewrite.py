"""The multi-stage rewrite (an unsafe fix of DSL101/DSL102): fixtures with the exact expected
output file or the exact one-line refusal, the self-check, and properties of every rewrite."""
from __future__ import annotations

import os

import pytest

from dockerslim_lint.dockerfile.parser import parse
from dockerslim_lint.engine.linter import Context, Linter, Options
from dockerslim_lint.engine.plugins import load_rules
from dockerslim_lint.fix import rewrite as rw
from dockerslim_lint.fix.edits import Edit, apply
from dockerslim_lint.images.catalog import default_catalog
from dockerslim_lint.model.stages import build_model

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "rewrite")
CASES = sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)))
EXPECTED_REWRITE = "expected.Dockerfile"
EXPECTED_REFUSAL = "expected-refusal.txt"


def _read(case, name):
    with open(os.path.join(FIXTURES, case, name), "rb") as fh:
        return fh.read()


def _plan(data: bytes):
    catalog = default_catalog()
    context = Context(catalog, Options())
    model = build_model(parse(data), catalog=catalog)
    return rw.plan_rewrite(model, context)


def _rewritten(data: bytes, result) -> bytes:
    text = data.decode("utf-8")
    return apply(text, [Edit(*e) for e in result.edits]).encode("utf-8")


def _blocking(findings):
    return [f for f in findings if f.rule_id in rw.BLOCKING_RULES or f.rule_id.startswith(rw.BLOCKING_PREFIX)]


def _lint(data: bytes):
    rules, _ = load_rules()
    return Linter(rules, Options()).lint_bytes(data, "Dockerfile").findings


def test_every_case_has_exactly_one_expectation():
    assert CASES
    for case in CASES:
        names = set(os.listdir(os.path.join(FIXTURES, case)))
        assert "Dockerfile" in names, case
        assert len(names & {EXPECTED_REWRITE, EXPECTED_REFUSAL}) == 1, case


@pytest.mark.parametrize("case", CASES)
def test_fixture(case):
    data = _read(case, "Dockerfile")
    result = _plan(data)
    assert result is not None, f"{case}: no DSL101/DSL102 on the target stage"
    folder = os.listdir(os.path.join(FIXTURES, case))
    if EXPECTED_REWRITE in folder:
        assert isinstance(result, rw.Rewrite), f"{case}: refused: {getattr(result, 'reason', '')}"
        assert _rewritten(data, result) == _read(case, EXPECTED_REWRITE)
    else:
        expected = _read(case, EXPECTED_REFUSAL).decode("utf-8").strip()
        assert isinstance(result, rw.Refusal), f"{case}: rewritten, expected a refusal"
        assert f"{result.category}: {result.reason}" == expected
        assert "\n" not in result.description


REWRITES = [c for c in CASES if os.path.exists(os.path.join(FIXTURES, c, EXPECTED_REWRITE))]
REFUSALS = [c for c in CASES if c not in REWRITES]


@pytest.mark.parametrize("case", REWRITES)
def test_rewrite_lints_clean_and_is_final(case):
    """The result has none of the blocking findings, and planning again offers nothing:
    the target stage no longer builds."""
    out = _read(case, EXPECTED_REWRITE)
    assert _blocking(_lint(out)) == []
    assert _plan(out) is None


@pytest.mark.parametrize("case", REWRITES)
def test_original_stage_kept(case):
    """The original file is still there byte for byte once the rewrite's only insertions into
    it are taken out (the stage name, pip's --target), and Go builds are never edited."""
    data = _read(case, "Dockerfile").decode("utf-8")
    out = _read(case, EXPECTED_REWRITE).decode("utf-8")
    result = _plan(data.encode("utf-8"))
    inside = [e for e in result.edits if (e[0], e[1]) != (e[2], e[3]) or e[4].count("\n") == 0]
    for edit in inside:
        assert edit[4] in (" AS build", " AS build-stage") or edit[4].startswith(" --target="), (case, edit)
    stripped = out.replace(" AS build", "").replace(" --target=/deps", "")
    assert stripped.startswith(data.rstrip("\r\n")), case
    for line in out.splitlines():
        if "go build" in line or "go install" in line:
            assert line in data.splitlines(), (case, line)


def test_refusal_categories_covered():
    """Each refusal reason of the issue has a fixture: unknown artifact, need and command, a RUN
    writing outside the copied paths, runtime packages; plus no suggested image. Shell-needing
    commands and runtime OS packages are unmet needs of the needs/provides model, so the
    suggestion itself already names no image for those fixtures (refusal category "image",
    its reason naming the need)."""
    categories = set()
    reasons = {}
    for case in REFUSALS:
        text = _read(case, EXPECTED_REFUSAL).decode("utf-8")
        categories.add(text.split(":", 1)[0])
        reasons[case] = text
    assert {"artifact", "need", "run", "image", "command", "packages", "check"} <= categories
    assert "needs a shell" in reasons["refuse-npm-start"] and "needs a shell" in reasons["refuse-unknown-command"]
    assert "install ffmpeg" in reasons["refuse-runtime-packages"]


def test_each_language_has_a_rewrite():
    languages = set()
    for case in REWRITES:
        languages.add(_plan(_read(case, "Dockerfile")).language)
    assert {"go", "rust", "node", "python", "java", "dotnet"} <= languages


def test_crlf_kept():
    data = _read("crlf-go", "Dockerfile")
    out = _read("crlf-go", EXPECTED_REWRITE)
    assert b"\r\n" in data
    assert out.count(b"\n") == out.count(b"\r\n")


def test_sizes_before_and_after_in_description():
    result = _plan(_read("go-static", "Dockerfile"))
    assert result.size_before_mb and result.size_after_mb is not None
    assert result.size_after_mb < result.size_before_mb
    assert "MB ->" in result.description and "static-debian13" in result.description


def test_finding_carries_unsafe_fix_or_reason():
    rules, _ = load_rules()
    linter = Linter(rules, Options())
    findings = linter.lint_bytes(_read("go-static", "Dockerfile"), "Dockerfile").findings
    dsl101 = [f for f in findings if f.rule_id == "DSL101"]
    assert dsl101 and dsl101[0].fix is not None and dsl101[0].fix.safe is False
    assert dsl101[0].fix.description == dsl101[0].extra["rewrite"]
    findings = linter.lint_bytes(_read("refuse-npm-start", "Dockerfile"), "Dockerfile").findings
    dsl101 = [f for f in findings if f.rule_id == "DSL101"]
    assert dsl101 and dsl101[0].fix is None
    assert dsl101[0].extra["rewrite"].startswith("no multi-stage rewrite: ")


def test_self_check_refuses_a_result_with_blocking_findings():
    """A result that the linter flags is never offered (the check uses the tool itself)."""
    from dockerslim_lint.engine.findings import Finding

    catalog = default_catalog()
    context = Context(catalog, Options())
    model = build_model(parse(_read("go-static", "Dockerfile")), catalog=catalog)
    result = rw.plan_rewrite(model, context, lint_text=lambda text: [Finding("DSL506", 14, "`x` is not in the image")])
    assert isinstance(result, rw.Refusal) and result.category == "check"
    assert "DSL506 at line 14" in result.reason


@pytest.mark.parametrize("name,build_only", [
    ("CGO_ENABLED", True), ("GOFLAGS", True), ("npm_config_loglevel", True), ("PIP_NO_CACHE_DIR", True),
    ("DEBIAN_FRONTEND", True), ("PATH", True), ("NODE_ENV", False), ("PORT", False), ("LANG", False),
    ("APP_ENV", False), ("RUST_LOG", False)])
def test_build_only_env(name, build_only):
    assert rw.is_build_only_env(name) is build_only


def test_not_applicable():
    assert _plan(b"FROM alpine\nCOPY app /app\nCMD [\"/app\"]\n") is None
    assert _plan(b"FROM golang:1.24 AS b\nRUN go build -o /a .\nFROM scratch\nCOPY --from=b /a /a\n") is None


GO = ("FROM golang:1.24-bookworm\nWORKDIR /src\nCOPY . .\n{extra}"
      "RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .\n{tail}")


@pytest.mark.parametrize("extra,tail,category,words", [
    ("RUN echo 'port: 80' > /etc/app.yaml\n", 'ENTRYPOINT ["/usr/local/bin/app"]\n', "run", "/etc/app.yaml"),
    ("RUN curl -fsSL -o /usr/local/bin/helper https://example.com/h\n", 'ENTRYPOINT ["/usr/local/bin/app"]\n',
     "run", "/usr/local/bin/helper"),
    ("RUN cd /opt && tar xzf /tmp/data.tgz\n", 'ENTRYPOINT ["/usr/local/bin/app"]\n', "run", "unpacks"),
    ("RUN ./scripts/prepare.sh\n", 'ENTRYPOINT ["/usr/local/bin/app"]\n', "run", "script"),
    ("RUN ln -s /usr/local/bin/app /usr/bin/app\n", 'ENTRYPOINT ["/usr/local/bin/app"]\n', "run", "`ln`"),
    ("ENV LIBS=$JAVA_HOME/lib\n", 'ENTRYPOINT ["/usr/local/bin/app"]\n', "need", "JAVA_HOME"),
    ("", 'ENTRYPOINT ["/usr/local/bin/app", "--port", "$PORT"]\n', "command", "variables"),
    # A command that needs a shell, or no command at all: the suggestion itself names no image.
    ("", 'CMD /usr/local/bin/app && echo done\n', "image", "needs a shell"),
    ("", "", "image", "runs no program of its own"),
    ("RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev\n",
     'ENTRYPOINT ["/usr/local/bin/app"]\n', None, None),  # static Go: -dev packages are build-only
])
def test_refusal_reasons(extra, tail, category, words):
    result = _plan(GO.format(extra=extra, tail=tail).encode())
    if category is None:
        assert isinstance(result, rw.Rewrite), getattr(result, "reason", "")
        return
    assert isinstance(result, rw.Refusal), "rewritten, expected a refusal"
    assert result.category == category and words in result.reason, result.reason


@pytest.mark.parametrize("extra", [
    "RUN useradd -r app && mkdir -p /src/data && chown -R app /src\n",  # users, the build's own folder
    "RUN git clone https://example.com/lib.git vendor/lib && cd vendor/lib && ls\n",
    "RUN go vet ./... && go test ./... > /tmp/test.log 2>&1\n",
])
def test_build_only_runs_are_fine(extra):
    result = _plan(GO.format(extra=extra, tail='ENTRYPOINT ["/usr/local/bin/app"]\n').encode())
    assert isinstance(result, rw.Rewrite), getattr(result, "reason", "")


@pytest.mark.parametrize("prefix", ["\ufeff", "# escape=`\n", "# syntax=docker/dockerfile:1\n"])
def test_directives_and_bom_kept(prefix):
    data = (prefix + GO.format(extra="", tail='ENTRYPOINT ["/usr/local/bin/app"]\n')).encode("utf-8")
    result = _plan(data)
    assert isinstance(result, rw.Rewrite), getattr(result, "reason", "")
    out = _rewritten(data, result)
    assert out.startswith(prefix.encode("utf-8"))
    assert _blocking(_lint(out)) == []


def test_heredoc_last_and_no_final_newline():
    data = (GO.format(extra="", tail='ENTRYPOINT ["/usr/local/bin/app"]\n') +
            "RUN <<EOF\nset -e\ngo vet ./...\nEOF").encode()
    result = _plan(data)
    assert isinstance(result, rw.Rewrite), getattr(result, "reason", "")
    out = _rewritten(data, result).decode()
    assert "go vet ./...\nEOF\n\nFROM gcr.io/distroless/static-debian13:nonroot\n" in out
    assert parse(out.encode()).error is None


def test_args_of_copied_instructions_declared_again():
    data = ("ARG VERSION=1.2.3\nFROM golang:1.24-bookworm\nARG PORT=8080\nWORKDIR /src\nCOPY . .\n"
            "ENV APP_VERSION=$VERSION\nRUN CGO_ENABLED=0 go build -o /usr/local/bin/app .\n"
            "EXPOSE $PORT\nENTRYPOINT [\"/usr/local/bin/app\"]\n").encode()
    result = _plan(data)
    assert isinstance(result, rw.Rewrite), getattr(result, "reason", "")
    final = result.text.split("\n\nFROM ", 1)[1]
    assert "ARG VERSION\n" in final and "ARG PORT=8080\n" in final
    assert final.index("ARG VERSION") < final.index("ENV APP_VERSION=$VERSION")


def test_npm_prune_only_as_the_installing_user():
    base = ("FROM node:22-bookworm\nWORKDIR /app\nCOPY . .\n{before}RUN npm ci && npm run build\n{after}"
            "ENTRYPOINT [\"node\", \"server.js\"]\n")
    same = _plan(base.format(before="", after="").encode())
    assert "RUN npm prune --omit=dev" in same.text
    other = _plan(base.format(before="", after="USER node\n").encode())
    assert isinstance(other, rw.Rewrite) and "npm prune" not in other.text


def test_pip_target_needs_root():
    data = (b"FROM python:3.13\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\n"
            b"WORKDIR /app\nUSER nobody\nCOPY . .\nRUN pip install -r requirements.txt\n"
            b"CMD [\"python\", \"app.py\"]\n")
    result = _plan(data)
    assert isinstance(result, rw.Refusal) and "runs as USER nobody" in result.reason


def test_refusals_of_a_result():
    rules, _ = load_rules()
    linter = Linter(rules, Options())
    refused = linter.lint_bytes(_read("refuse-run-writes-outside", "Dockerfile"), "Dockerfile")
    assert rw.refusals(refused) == ["no multi-stage rewrite: the RUN at line 5 runs `mkdir` on /etc/app, "
                                    "outside the copied paths, which may be needed at run time"]
    assert rw.refusals(linter.lint_bytes(_read("go-static", "Dockerfile"), "Dockerfile")) == []


def test_only_cgo_off_ships_static():
    data = (b"FROM golang:1.24-bookworm\nWORKDIR /src\nCOPY . .\n"
            b"RUN go build -ldflags '-extldflags \"-static\"' -o /usr/local/bin/app .\n"
            b"ENTRYPOINT [\"/usr/local/bin/app\"]\n")
    result = _plan(data)
    if isinstance(result, rw.Rewrite):  # only on an image with a C library
        assert "static-debian" not in result.image
    else:
        assert result.category in ("need", "image"), result.reason


def test_the_old_working_directory_is_kept():
    """No WORKDIR in the file: the program ran in the base's own, which the new image does
    not share (distroless :nonroot starts in /home/nonroot)."""
    data = (b"FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y golang-go\nCOPY . .\n"
            b"RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .\nCMD [\"/usr/local/bin/app\"]\n")
    result = _plan(data)
    assert isinstance(result, rw.Rewrite), getattr(result, "reason", "")
    final = result.text.split("\n\nFROM ", 1)[1]
    assert "\nWORKDIR /\n" in final and 'CMD ["/usr/local/bin/app"]' in final
    assert _blocking(_lint(result.text.encode())) == []


def _cli(args):
    import inspect

    from click.testing import CliRunner

    from dockerslim_lint.cli import cli

    kwargs = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters else {}
    return CliRunner(**kwargs).invoke(cli, ["--no-color"] + list(args), catch_exceptions=False)


def test_diff_unsafe_fixes_shows_the_rewrite_or_says_why(tmp_path):
    good = tmp_path / "good" / "Dockerfile"
    bad = tmp_path / "bad" / "Dockerfile"
    for path, case in ((good, "go-static"), (bad, "refuse-run-writes-outside")):
        path.parent.mkdir()
        path.write_bytes(_read(case, "Dockerfile"))
    result = _cli(["--diff", "--unsafe-fixes", str(good), str(bad)])
    assert result.exit_code == 1
    assert "+FROM gcr.io/distroless/static-debian13:nonroot\n" in result.stdout
    assert "-FROM golang:1.24-bookworm\n+FROM golang:1.24-bookworm AS build\n" in result.stdout
    assert f"{bad}: no multi-stage rewrite: the RUN at line 5 runs `mkdir` on /etc/app" in result.stderr
    assert good.read_bytes() == _read("go-static", "Dockerfile")  # --diff writes nothing
    fixed = _cli(["--fix", "--unsafe-fixes", str(good)])
    assert good.read_bytes() == _read("go-static", EXPECTED_REWRITE) and "applied" in fixed.output


def test_diff_refusal_line_escapes_control_characters(tmp_path):
    # The refusal quotes the file's command; a control character in it must not reach the terminal.
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ./run\x1b[31m.sh\n")
    result = _cli(["--diff", "--unsafe-fixes", str(path)])
    refusal = [line for line in result.stderr.splitlines() if "no multi-stage rewrite" in line]
    assert refusal and "\x1b" not in refusal[0] and "\\x1b" in refusal[0]
