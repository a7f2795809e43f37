"""Configuration files: lookup, every key, command-line overrides, exclude globs, errors,
and the exact examples of the README."""
import inspect
import json
import os
import re

import pytest
from click.testing import CliRunner

from conftest import ROOT
from dockerslim_lint import config as cfg
from dockerslim_lint.cli import cli

DOC = os.path.join(ROOT, "README.md")

# A Go build shipped on a company base the bundled catalog cannot know.
COMPANY = """FROM golang:1.23 AS build
COPY . .
RUN CGO_ENABLED=0 go build -o /app .

FROM registry.example.com/platform/base:1.4
COPY --from=build /app /app
CMD /app --serve
"""

SINGLE = """FROM golang:1.23
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app .
ENTRYPOINT ["/app"]
"""


def doc_example(name, doc=DOC):
    """The code block right after `<!-- example: NAME -->` in the README (or `doc`)."""
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- example: " + re.escape(name) + r" -->\n```[a-z]*\n(.*?)```", text, re.S)
    assert m, f"{os.path.basename(doc)} has no example {name!r}"
    return m.group(1)


def run_cli(args, cwd=None, input=None):
    """Invoke the CLI in-process; `.stdout` and `.stderr` apart on every click 8."""
    kwargs = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters else {}
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner(**kwargs).invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)
    finally:
        os.chdir(old)


def rules_of(result):
    return sorted({f["rule"] for f in json.loads(result.stdout)["findings"]})


@pytest.fixture
def known(rules):
    return {r.ID for r in rules}


@pytest.fixture
def repo(tmp_path):
    """A repository root (it holds .git) with one Dockerfile in a subfolder."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text(SINGLE)
    return tmp_path


# --------------------------------------------------------------------------- the documented examples

def test_documented_yaml_example_loads_with_every_key(tmp_path, known):
    path = tmp_path / ".dockerslim-lint.yaml"
    path.write_text(doc_example("config"))
    c = cfg.load(str(path), known)
    documented = set(cfg.KEYS) - {"select"}
    import yaml

    assert set(yaml.safe_load(doc_example("config"))) == documented
    assert c.ignore == {"DSL402"}
    assert c.severity == {"DSL307": "error", "DSL203": "off"}
    assert c.failure_threshold == "warning" and c.target == "runtime"
    assert c.build_args == {"GO_VERSION": "1.23"} and c.suggestions == "distroless"
    assert list(c.images) == ["acme-base"]
    assert c.exclude == ("testdata/", "**/*.dev.Dockerfile")
    c.catalog()  # the documented image entry is one the catalog accepts


def test_documented_select_example_loads(tmp_path, known):
    path = tmp_path / ".dockerslim-lint.yaml"
    path.write_text(doc_example("config-select"))
    assert cfg.load(str(path), known).select == {"DSL101", "DSL102", "DSL201", "DSL305", "DSL306"}


def test_documented_pyproject_example_loads(tmp_path, known):
    path = tmp_path / "pyproject.toml"
    path.write_text(doc_example("pyproject"))
    c = cfg.load(str(path), known)
    assert c.kind == "pyproject"
    assert c.ignore == {"DSL402"} and c.failure_threshold == "warning" and c.exclude == ("testdata/",)
    assert c.severity == {"DSL307": "error", "DSL203": "off"}


def console_example(name):
    """(arguments, expected lines) of a documented `$ dockerslim-lint ...` session."""
    import shlex

    lines = doc_example(name).splitlines()
    assert lines[0].startswith("$ dockerslim-lint ")
    return shlex.split(lines[0][2:])[1:], [line for line in lines[1:] if line != "..."]


def test_documented_config_error(repo):
    (repo / "Dockerfile").write_text(SINGLE)
    (repo / ".dockerslim-lint.yaml").write_text(doc_example("config-error"))
    args, expected = console_example("config-error-output")
    result = run_cli(args, cwd=repo)
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.splitlines() == expected


def test_documented_image_facts_change_the_verdict(repo):
    """The documented `images` entry (minimal, no shell, non-root): a shell-form CMD on it
    cannot start (DSL305); without the entry the base is unknown and rules stay silent."""
    (repo / "svc" / "Dockerfile").write_text(COMPANY)
    before = run_cli(["-f", "json", "svc/Dockerfile"], cwd=repo)
    assert before.exit_code == 0, before.output
    assert rules_of(before) == []
    (repo / ".dockerslim-lint.yaml").write_text(doc_example("config").replace("target: runtime\n", ""))
    after = run_cli(["-f", "json", "svc/Dockerfile"], cwd=repo)
    assert "DSL305" in rules_of(after), after.output
    assert "DSL307" not in rules_of(after)  # it runs as 10001


def test_images_override_a_known_image(repo):
    """An entry for an image the catalog knows replaces its facts for this project only."""
    (repo / "svc" / "Dockerfile").write_text(COMPANY.replace("registry.example.com/platform/base:1.4",
                                                             "gcr.io/distroless/static-debian13:nonroot"))
    assert "DSL305" in rules_of(run_cli(["-f", "json", "svc/Dockerfile"], cwd=repo))
    (repo / ".dockerslim-lint.yaml").write_text(
        "images:\n  my-static:\n    names: [gcr.io/distroless/static-debian13]\n    tag: nonroot\n"
        "    kind: full-os\n    shell: /bin/sh\n    package_managers: [apt]\n    default_user: root\n")
    got = rules_of(run_cli(["-f", "json", "svc/Dockerfile"], cwd=repo))
    assert "DSL305" not in got and {"DSL202", "DSL301", "DSL302", "DSL307"} <= set(got), got


# --------------------------------------------------------------------------- lookup

def test_lookup_walks_up_to_the_repository_root(repo, known):
    (repo / "svc" / "deep" / "er").mkdir(parents=True)
    (repo / ".dockerslim-lint.yaml").write_text("ignore: [DSL402]\n")
    r = cfg.Resolver(known)
    assert r.for_path(str(repo / "svc" / "deep" / "er" / "Dockerfile")).path == str(repo / ".dockerslim-lint.yaml")


def test_lookup_stops_at_the_repository_root(tmp_path, known):
    (tmp_path / ".dockerslim-lint.yaml").write_text("ignore: [DSL402]\n")  # above the repository
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "a").mkdir()
    found = cfg.Resolver(known).for_path(str(tmp_path / "repo" / "a" / "Dockerfile"))
    assert found.path is None and found.describe() == "none (defaults)"


def test_git_file_marks_a_root_too(tmp_path, known):
    """Worktrees and submodules have a .git file, not a folder."""
    (tmp_path / ".dockerslim-lint.yaml").write_text("ignore: [DSL402]\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".git").write_text("gitdir: ../.git/modules/sub\n")
    assert cfg.Resolver(known).for_path(str(tmp_path / "sub" / "Dockerfile")).path is None


def test_nearest_config_wins(repo, known):
    (repo / ".dockerslim-lint.yaml").write_text("ignore: [DSL402]\n")
    (repo / "svc" / ".dockerslim-lint.yml").write_text("ignore: [DSL307]\n")
    r = cfg.Resolver(known)
    assert r.for_path(str(repo / "svc" / "Dockerfile")).ignore == {"DSL307"}
    assert r.for_path(str(repo / "Dockerfile")).ignore == {"DSL402"}


def test_yaml_wins_over_pyproject_at_the_same_level(repo, known):
    (repo / "pyproject.toml").write_text('[tool.dockerslim-lint]\nignore = ["DSL101"]\n')
    assert cfg.Resolver(known).for_path(str(repo / "svc" / "Dockerfile")).kind == "pyproject"
    (repo / ".dockerslim-lint.yaml").write_text("ignore: [DSL402]\n")
    found = cfg.Resolver(known).for_path(str(repo / "svc" / "Dockerfile"))
    assert found.kind == "yaml" and found.ignore == {"DSL402"}
    assert found.shadowed == str(repo / "pyproject.toml")
    assert "the YAML file wins" in found.describe()


def test_pyproject_without_our_table_is_not_a_config(repo, known):
    (repo / "svc" / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.ruff]\nline-length = 99\n')
    (repo / "pyproject.toml").write_text('[tool.dockerslim-lint]\nignore = ["DSL101"]\n')
    found = cfg.Resolver(known).for_path(str(repo / "svc" / "Dockerfile"))
    assert found.path == str(repo / "pyproject.toml")


def test_an_invalid_pyproject_that_is_not_ours_is_ignored(repo, known):
    (repo / "svc" / "pyproject.toml").write_text("[project\nname = \n")
    assert cfg.Resolver(known).for_path(str(repo / "svc" / "Dockerfile")).path is None


def test_configs_are_read_once_per_run(tmp_path, known, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".dockerslim-lint.yaml").write_text("ignore: [DSL402]\n")
    for i in range(30):
        (tmp_path / f"s{i}" / "x").mkdir(parents=True)
    (tmp_path / "s3" / ".dockerslim-lint.yaml").write_text("ignore: [DSL307]\n")
    reads = []
    real = cfg._read_yaml
    monkeypatch.setattr(cfg, "_read_yaml", lambda path: reads.append(path) or real(path))
    r = cfg.Resolver(known)
    for _ in range(3):
        for i in range(30):
            for folder in (tmp_path / f"s{i}", tmp_path / f"s{i}" / "x"):
                r.for_path(str(folder / "Dockerfile"))
    assert sorted(reads) == sorted([str(tmp_path / ".dockerslim-lint.yaml"),
                                    str(tmp_path / "s3" / ".dockerslim-lint.yaml")])


def test_explicit_config_applies_to_every_file(repo, known, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere") / "lint.yaml"
    other.write_text("ignore: [DSL101]\n")
    (repo / ".dockerslim-lint.yaml").write_text("ignore: [DSL402]\n")
    r = cfg.Resolver(known, explicit=str(other))
    assert r.for_path(str(repo / "svc" / "Dockerfile")).ignore == {"DSL101"}
    result = run_cli(["-f", "json", "--config", other, "svc/Dockerfile"], cwd=repo)
    assert result.exit_code == 1
    assert "DSL101" not in rules_of(result) and "DSL307" in rules_of(result)


# --------------------------------------------------------------------------- through the CLI

def test_cli_reads_the_config_and_verbose_names_it(repo):
    assert "DSL101" in rules_of(run_cli(["-f", "json", "svc/Dockerfile"], cwd=repo))
    (repo / ".dockerslim-lint.yaml").write_text("ignore: [DSL101]\n")
    result = run_cli(["-f", "json", "--verbose", "svc/Dockerfile"], cwd=repo)
    assert "DSL101" not in rules_of(result)
    assert "dockerslim-lint: config: .dockerslim-lint.yaml\n" in result.stderr
    result = run_cli(["-f", "json", "svc/Dockerfile"], cwd=repo)
    assert result.stderr == ""  # silent without --verbose


def test_verbose_says_when_there_is_no_config(repo):
    result = run_cli(["--verbose", "svc/Dockerfile"], cwd=repo)
    assert "dockerslim-lint: config: none (defaults)" in result.stderr


def test_verbose_names_pyproject(repo):
    (repo / "pyproject.toml").write_text('[tool.dockerslim-lint]\nignore = ["DSL101"]\n')
    result = run_cli(["-f", "json", "--verbose", "svc/Dockerfile"], cwd=repo)
    assert "config: pyproject.toml [tool.dockerslim-lint]" in result.stderr
    assert "DSL101" not in rules_of(result)


def test_command_line_overrides_the_config(repo):
    (repo / ".dockerslim-lint.yaml").write_text(
        "select: [DSL101, DSL307]\nfailure-threshold: none\n")
    result = run_cli(["-f", "json", "svc/Dockerfile"], cwd=repo)
    assert result.exit_code == 0 and rules_of(result) == ["DSL101", "DSL307"]
    result = run_cli(["-f", "json", "--failure-threshold", "error", "--select", "DSL307",
                      "svc/Dockerfile"], cwd=repo)
    assert result.exit_code == 0 and rules_of(result) == ["DSL307"]  # a warning, under `error`
    result = run_cli(["-f", "json", "--failure-threshold", "warning", "svc/Dockerfile"], cwd=repo)
    assert result.exit_code == 1


def test_ignore_on_the_command_line_replaces_the_configs(repo):
    (repo / ".dockerslim-lint.yaml").write_text("ignore: [DSL101]\n")
    result = run_cli(["-f", "json", "--ignore", "DSL307", "svc/Dockerfile"], cwd=repo)
    assert "DSL101" in rules_of(result) and "DSL307" not in rules_of(result)


def test_severity_overrides_and_off(repo):
    (repo / ".dockerslim-lint.yaml").write_text("severity:\n  DSL307: error\n  DSL101: off\n")
    doc = json.loads(run_cli(["-f", "json", "svc/Dockerfile"], cwd=repo).stdout)
    by_rule = {f["rule"]: f["severity"] for f in doc["findings"]}
    assert "DSL101" not in by_rule and by_rule["DSL307"] == "error"


def test_target_and_build_args_from_the_config(repo):
    (repo / "svc" / "Dockerfile").write_text(
        "ARG BASE=golang:1.23\nFROM ${BASE} AS build\nRUN CGO_ENABLED=0 go build -o /app .\n\n"
        "FROM gcr.io/distroless/static-debian13:nonroot AS runtime\nCOPY --from=build /app /app\n"
        'ENTRYPOINT ["/app"]\n')
    (repo / ".dockerslim-lint.yaml").write_text("target: build\nbuild-args:\n  BASE: ubuntu:24.04\n")
    got = rules_of(run_cli(["-f", "json", "svc/Dockerfile"], cwd=repo))
    assert "DSL102" in got and "DSL202" in got, got  # builds in the target, on ubuntu
    got = rules_of(run_cli(["-f", "json", "--target", "runtime", "svc/Dockerfile"], cwd=repo))
    assert got == [], got
    got = rules_of(run_cli(["-f", "json", "--build-arg", "BASE=golang:1.23", "svc/Dockerfile"], cwd=repo))
    assert "DSL102" in got and "DSL201" in got and "DSL202" not in got, got


def test_suggestions_family(repo):
    (repo / ".dockerslim-lint.yaml").write_text("suggestions: chainguard\n")
    doc = json.loads(run_cli(["-f", "json", "svc/Dockerfile"], cwd=repo).stdout)
    images = [f["suggestion"]["image"] for f in doc["findings"] if f["rule"] == "DSL101"]
    assert images and images[0].startswith("cgr.dev/chainguard/"), images


def test_exclude_skips_discovered_and_named_files(repo):
    (repo / "testdata" / "a").mkdir(parents=True)
    (repo / "testdata" / "a" / "Dockerfile").write_text(SINGLE)
    (repo / "svc" / "web.dev.Dockerfile").write_text(SINGLE)
    (repo / ".dockerslim-lint.yaml").write_text(doc_example("config").replace("target: runtime\n", ""))
    doc = json.loads(run_cli(["-f", "json", "."], cwd=repo).stdout)
    assert doc["files"] == [os.path.join(".", "svc", "Dockerfile")]
    # Named on the command line, as pre-commit does: still excluded.
    result = run_cli(["-f", "json", "--verbose", "testdata/a/Dockerfile", "svc/Dockerfile"], cwd=repo)
    assert json.loads(result.stdout)["files"] == ["svc/Dockerfile"]
    assert "testdata/a/Dockerfile: excluded by .dockerslim-lint.yaml" in result.stderr


def test_standard_input_uses_the_stdin_filename_folder(repo):
    (repo / "svc" / ".dockerslim-lint.yaml").write_text("ignore: [DSL101]\nexclude: [Dockerfile]\n")
    result = run_cli(["-f", "json", "--stdin-filename", "svc/Dockerfile", "-"], cwd=repo, input=SINGLE)
    assert "DSL101" not in rules_of(result) and "DSL307" in rules_of(result)  # read, never excluded
    result = run_cli(["-f", "json", "-"], cwd=repo, input=SINGLE)  # from the cwd: no config
    assert "DSL101" in rules_of(result)


@pytest.mark.parametrize("pattern,path,excluded", [
    ("testdata", "testdata/Dockerfile", True),
    ("testdata", "a/b/testdata/Dockerfile", True),
    ("testdata/", "a/testdata/x/Dockerfile", True),
    ("testdata", "testdata2/Dockerfile", False),
    ("/testdata", "a/testdata/Dockerfile", False),
    ("a/testdata", "a/testdata/Dockerfile", True),
    ("a/testdata", "b/a/testdata/Dockerfile", False),
    ("*.dev.Dockerfile", "x/y/web.dev.Dockerfile", True),
    ("*.dev.Dockerfile", "web.Dockerfile", False),
    ("**/*.dev.Dockerfile", "web.dev.Dockerfile", True),
    ("**/*.dev.Dockerfile", "a/b/web.dev.Dockerfile", True),
    ("legacy/*", "legacy/Dockerfile", True),
    ("legacy/*", "legacy/a/Dockerfile", True),  # the folder legacy/a matches, so all below it
    ("legacy/*/Dockerfile", "legacy/a/b/Dockerfile", False),
    ("legacy/**/Dockerfile", "legacy/a/b/Dockerfile", True),
    ("Dockerfile.?", "Dockerfile.a", True),
    ("Dockerfile.?", "Dockerfile.ab", False),
    ("Dockerfile.[ab]", "Dockerfile.b", True),
    ("Dockerfile.[!ab]", "Dockerfile.b", False),
    ("./svc", "svc/Dockerfile", True),
    ("svc", "svc2/Dockerfile", False),
])
def test_exclude_globs(tmp_path, pattern, path, excluded):
    c = cfg.Config(path=str(tmp_path / ".dockerslim-lint.yaml"), exclude=(pattern,),
                   _exclude_re=cfg.compile_globs([pattern]))
    assert c.excludes(str(tmp_path / path)) is excluded


def test_exclude_ignores_files_outside_the_config_folder(tmp_path):
    c = cfg.Config(path=str(tmp_path / "a" / ".dockerslim-lint.yaml"), _exclude_re=cfg.compile_globs(["*"]))
    assert c.excludes(str(tmp_path / "a" / "Dockerfile"))
    assert not c.excludes(str(tmp_path / "b" / "Dockerfile"))


# --------------------------------------------------------------------------- errors: exit 2, one line

BAD = [
    # (file text, line, what the message must hold)
    ("ignore: [DSL402]\nsevrity:\n  DSL307: off\n", 2, "sevrity: unknown key; did you mean 'severity'?"),
    ("ignore:\n  - DSL402\n  - DSL999\n", 3, "ignore: unknown rule 'DSL999'"),
    ("ignore: 3\n", 1, "ignore: expected a list of strings, got a number"),
    ("select: []\n", 1, "select: an empty list selects no rule"),
    ("severity:\n  DSL307: loud\n", 2, "severity.DSL307: expected one of error, warning, info, off, got 'loud'"),
    ("severity:\n  DSL999: off\n", 2, "severity.DSL999: unknown rule 'DSL999'"),
    ("severity: [DSL307]\n", 1, "severity: expected a mapping"),
    ("failure-threshold: fatal\n", 1, "failure-threshold: expected one of error, warning, info, none"),
    ("\ntarget: [a, b]\n", 2, "target: expected a string, got a list"),
    ("build-args:\n  - A=1\n", 1, "build-args: expected a mapping"),
    ("build-args:\n  A:\n    b: 1\n", 2, "build-args.A: expected a string, got a mapping"),
    ("suggestions: wolfi\n", 1, "suggestions: expected one of distroless, chainguard, got 'wolfi'"),
    ("images: [ubuntu]\n", 1, "images: expected a mapping"),
    ("images:\n  acme-base: minimal\n", 2, "images.acme-base: expected a mapping of facts, got a string"),
    ("exclude: [testdata, 3]\n", 1, "exclude: expected a non-empty string, got a number"),
    ("exclude:\n  - testdata\n  - \n", 3, "exclude: expected a non-empty string, got nothing"),
    ("- ignore\n", 1, "expected a mapping of settings"),
    ("ignore: [DSL402]\nignore: [DSL307]\n", 2, "ignore: given twice"),
    ("ignore: [DSL402\n", 2, "not valid YAML"),
    ("ignore: DSL402\n  bad: indent\n", 2, "not valid YAML"),
]


def test_bad_image_facts_name_the_entry(repo):
    (repo / ".dockerslim-lint.yaml").write_text(
        "images:\n  acme-base:\n    names: [acme/base]\n    kind: minimal\n"
        "  acme-other:\n    names: [acme/other]\n    kind: tiny-but-mighty\n")
    result = run_cli(["svc/Dockerfile"], cwd=repo)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("dockerslim-lint: .dockerslim-lint.yaml:5: images.acme-other: kind must be "
                                    "one of scratch, minimal"), result.stderr


def test_image_entry_without_names(repo):
    (repo / ".dockerslim-lint.yaml").write_text("images:\n  acme-base:\n    kind: minimal\n")
    result = run_cli(["svc/Dockerfile"], cwd=repo)
    assert result.exit_code == 2
    assert result.stderr.startswith("dockerslim-lint: .dockerslim-lint.yaml:2: images.acme-base: needs names"), \
        result.stderr


BAD_TOML = [
    ('[tool.dockerslim-lint]\nignore = ["DSL402"]\nsevrity = {}\n', 3, "sevrity: unknown key"),
    ('[tool.dockerslim-lint]\nignore = ["DSL999"]\n', 2, "ignore: unknown rule 'DSL999'"),
    ('[project]\nname = "x"\n\n[tool.dockerslim-lint.severity]\nDSL307 = "loud"\n', 5,
     "severity.DSL307: expected one of"),
    ('[tool.dockerslim-lint]\nfailure-threshold = 3\n', 2, "failure-threshold: expected one of"),
    ('[tool.dockerslim-lint]\nbuild-args = { GO = 1.20 }\n', 2, "build-args.GO: expected a string, got a number"),
    ('[tool.dockerslim-lint]\nignore = [\n', None, "not valid TOML"),
    ('[tool.dockerslim-lint]\nignore = 1\nignore = 2\n', 3, "not valid TOML"),
]


@pytest.mark.parametrize("name,text,line,message",
                         [(".dockerslim-lint.yaml", *b) for b in BAD] + [("pyproject.toml", *b) for b in BAD_TOML],
                         ids=[b[2][:40] for b in BAD] + ["toml-" + b[2][:40] for b in BAD_TOML])
def test_bad_config_is_one_line_exit_2(repo, name, text, line, message):
    (repo / name).write_text(text)
    result = run_cli(["svc/Dockerfile"], cwd=repo)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    where = name + (f":{line}" if line else "")
    assert result.stderr.startswith(f"dockerslim-lint: {where}: "), result.stderr
    assert message in result.stderr


def test_unreadable_explicit_config(repo):
    result = run_cli(["--config", "missing.yaml", "svc/Dockerfile"], cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == "dockerslim-lint: missing.yaml: cannot read: no such file or directory\n"


def test_config_that_is_a_directory(repo):
    (repo / "conf.yaml").mkdir()
    result = run_cli(["--config", "conf.yaml", "svc/Dockerfile"], cwd=repo)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output


def test_config_not_utf8(repo):
    (repo / ".dockerslim-lint.yaml").write_bytes(b"ignore: [DSL402]\n# caf\xe9\n")
    result = run_cli(["svc/Dockerfile"], cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == "dockerslim-lint: .dockerslim-lint.yaml:2: not UTF-8 text\n"


def test_explicit_toml_without_our_table(repo):
    (repo / "other.toml").write_text('[tool.ruff]\nline-length = 99\n')
    result = run_cli(["--config", "other.toml", "svc/Dockerfile"], cwd=repo)
    assert result.exit_code == 2
    assert result.stderr == "dockerslim-lint: other.toml: no [tool.dockerslim-lint] table in this file\n"


def test_empty_config_is_fine(repo):
    (repo / ".dockerslim-lint.yaml").write_text("# nothing yet\n")
    assert run_cli(["svc/Dockerfile"], cwd=repo).exit_code == 1  # the findings, not a config error


def test_yaml_off_and_numbers_read_as_written(tmp_path, known):
    (tmp_path / "c.yaml").write_text("severity:\n  DSL307: off\n  DSL101: Warning\n"
                                     "build-args:\n  V: 1.20\n  B: true\n  N: 010\n")
    c = cfg.load(str(tmp_path / "c.yaml"), known)
    assert c.severity == {"DSL307": "off", "DSL101": "warning"}
    assert c.build_args == {"V": "1.20", "B": "true", "N": "010"}


def test_rule_ids_are_case_insensitive_and_comma_lists_work(tmp_path, known):
    (tmp_path / "c.yaml").write_text("ignore: dsl402, DSL307\nselect: [dsl101]\n")
    c = cfg.load(str(tmp_path / "c.yaml"), known)
    assert c.ignore == {"DSL402", "DSL307"} and c.select == {"DSL101"}
