"""Start-up stays cheap: what a plain run imports, and the strict command-line parser that
spares click (dockerslim_lint.lazyclick) computing exactly click's values."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from dockerslim_lint.cli import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = os.path.join(ROOT, "bench", "small.Dockerfile")

# Never imported by a plain lint run (text, JSON, GitHub): each is paid only by the feature
# that needs it (click: --help, usage errors; sarif-om: SARIF; yaml/tomllib: a config file
# or an out-of-date catalog.json; importlib.metadata: SARIF's project URL; the LSP server;
# dataclasses and inspect: ~11 ms to import, dockerslim_lint.records replaces them; typing:
# annotations only, under `if TYPE_CHECKING:`; textwrap: reporters.text wraps by itself;
# pickle.py: the catalog is unpickled by _pickle).
NOT_FOR_A_PLAIN_RUN = ("click", "sarif_om", "jschema_to_python", "attr", "yaml", "tomllib", "tomli",
                       "importlib.metadata", "importlib_metadata", "pygls", "lsprotocol",
                       "dockerslim_lint.lsp", "dockerslim_lint.fix.rewrite", "dataclasses", "inspect",
                       "typing", "textwrap", "pickle",
                       # --jobs N (N > 1, more than one file) only; and never multiprocessing
                       "dockerslim_lint.engine.parallel", "multiprocessing", "concurrent.futures")


def _imported(tmp_path, *args):
    """The modules a real `dockerslim-lint ARGS` process had imported when it exited (run in
    tmp_path, outside this repository, whose pyproject.toml names dockerslim-lint)."""
    probe = ("import atexit, json, sys\n"
             "atexit.register(lambda: sys.__stderr__.write('MODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
             "from dockerslim_lint.cli import main\n"
             f"main({list(args)!r})\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    line = [x for x in proc.stderr.splitlines() if x.startswith("MODULES ")][-1]
    return proc, set(json.loads(line[len("MODULES "):]))


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_a_plain_run_imports_only_what_it_needs(tmp_path, fmt):
    (tmp_path / "Dockerfile").write_bytes(open(SMALL, "rb").read())
    proc, modules = _imported(tmp_path, "--no-color", "--format", fmt, "Dockerfile")
    assert proc.returncode == 1, proc.stderr
    loaded = sorted(m for m in NOT_FOR_A_PLAIN_RUN if m in modules)
    assert loaded == [], f"a plain {fmt} run imported {loaded}"


def test_jobs_imports_its_runner_only_for_several_files(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(open(SMALL, "rb").read())
    (tmp_path / "b.Dockerfile").write_bytes(open(SMALL, "rb").read())
    (tmp_path / "c.Dockerfile").write_bytes(open(SMALL, "rb").read())
    proc, modules = _imported(tmp_path, "--jobs", "2", "Dockerfile")
    assert proc.returncode == 1, proc.stderr
    assert sorted(m for m in NOT_FOR_A_PLAIN_RUN if m in modules) == []
    proc, modules = _imported(tmp_path, "--jobs", "2", ".")
    assert proc.returncode == 1, proc.stderr
    loaded = sorted(m for m in NOT_FOR_A_PLAIN_RUN if m in modules and m != "pickle")  # pickle: the workers' results
    # not multiprocessing, not concurrent.futures; pickle when a worker's results come back
    assert sorted(set(loaded) - {"pickle"}) == ["dockerslim_lint.engine.parallel"]


def test_sarif_imports_sarif_om_but_not_click(tmp_path):
    proc, modules = _imported(tmp_path, "--format", "sarif", SMALL)
    assert proc.returncode == 1, proc.stderr
    assert "sarif_om" in modules and "click" not in modules
    assert "hashlib" not in modules  # fingerprints use the built-in SHA-256, not OpenSSL's binding


def test_help_and_usage_errors_are_clicks(tmp_path):
    proc, modules = _imported(tmp_path, "--format", "xml", SMALL)
    assert proc.returncode == 2 and "click" in modules
    assert "Invalid value for '-f' / '--format'" in proc.stderr and "Usage: " in proc.stderr


ARGVS = [
    [],
    ["Dockerfile"],
    ["-", "--stdin-filename", "x/Dockerfile"],
    ["--no-color", "-f", "json", "a", "b"],
    ["--format=sarif", "--sarif-category", "cat", "-o", "out.sarif", "a"],
    ["--select", "DSL101,dsl102", "--select", "DSL201", "--ignore", "DSL301", "a"],
    ["--build-arg", "A=1", "--build-arg", "B", "--target", "run", "a"],
    ["--failure-threshold", "warning", "--report-unused-ignores", "--verbose", "a"],
    ["--config", "c.yaml", "--list-rules"],
    ["--explain", "DSL101"],
    ["a", "--format", "github", "b", "-"],
    ["--target", "-x", "a"],  # an option's value may start with a dash, as in click
    ["-j", "2", "a"], ["--jobs=auto", "a"], ["--jobs", "0", "-j", "3", "a"], ["--jobs", " 4 ", "a"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=[" ".join(a) or "(none)" for a in ARGVS])
def test_strict_parser_gives_clicks_values(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("B", "from-env")
    expected = cli.real.make_context("dockerslim-lint", list(argv)).params
    assert cli.parse(argv) == expected


DECLINED = [
    ["--help"], ["-h"], ["--version"], ["--format", "xml"], ["--form", "json"], ["-fjson"],
    ["--no-color=yes"], ["--", "a"], ["--bogus"], ["-x"], ["--format"], ["--build-arg", "=1"],
    ["--jobs", "x", "a"], ["--jobs", "-1", "a"], ["-j2", "a"], ["--jobs"],
]


@pytest.mark.parametrize("argv", DECLINED, ids=[" ".join(a) for a in DECLINED])
def test_strict_parser_leaves_the_rest_to_click(argv):
    from dockerslim_lint.lazyclick import _Decline

    with pytest.raises(_Decline):
        cli.parse(argv)


def test_output_path_checks_are_clicks(tmp_path):
    from dockerslim_lint.lazyclick import _Decline

    folder = tmp_path / "dir"
    folder.mkdir()
    with pytest.raises(_Decline):  # click: "File ... is a directory."
        cli.parse(["-o", str(folder), "a"])
    assert cli.parse(["-o", str(tmp_path / "new.json"), "a"])["output"] == str(tmp_path / "new.json")


@pytest.mark.parametrize("argv", [["--no-color", SMALL], ["--format", "json", SMALL], ["--select", "nope", SMALL],
                                  ["--list-rules"], ["--build-arg", "=x", SMALL], ["--format", "xml", SMALL],
                                  ["--jobs", "x", SMALL], ["-j", "2", "--format", "json", SMALL],
                                  ["--fix", "--jobs", "2", SMALL]])
def test_both_paths_print_the_same(argv):
    fast = CliRunner().invoke(cli, argv)
    slow = CliRunner().invoke(cli.real, argv)
    assert (fast.exit_code, fast.output) == (slow.exit_code, slow.output)


def test_sarif_om_classes_load_one_module_at_a_time():
    """The lazily set-up sarif_om package gives sarif-om's own classes, all of them."""
    probe = ("import sys\n"
             "from dockerslim_lint.reporters._sarif_om import om\n"
             "assert 'sarif_om._tool' not in sys.modules\n"
             "from sarif_om import Result\n"
             "import sarif_om._result\n"
             "assert Result is sarif_om._result.Result is om.Result\n"
             "assert 'sarif_om._tool' not in sys.modules\n"
             "print(' '.join(sorted(n for n in om.__all__ if getattr(om, n).__module__.startswith('sarif_om.'))))\n")
    lazy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert lazy.returncode == 0, lazy.stderr
    real = subprocess.run([sys.executable, "-c", "import sarif_om; print(' '.join(sorted(n for n in dir(sarif_om) "
                           "if isinstance(getattr(sarif_om, n), type))))"], capture_output=True, text=True)
    assert lazy.stdout.split() == real.stdout.split() and len(real.stdout.split()) > 40


class _OneShot:
    """Results that can be read once, in order, and nothing else (no len, no second pass)."""

    def __init__(self, results):
        self._it = iter(results)
        self.used = False

    def __iter__(self):
        assert not self.used, "read twice"
        self.used = True
        return self._it


@pytest.mark.parametrize("fmt", ["text"])
def test_streaming_formats_read_results_once(fmt, tmp_path):
    """A format that declares STREAMS gets the results as they are made (bounded memory)."""
    import io
    import importlib

    from dockerslim_lint.engine.linter import Linter
    from dockerslim_lint.engine.plugins import load_rules
    from dockerslim_lint.reporters import Report

    module = importlib.import_module(f"dockerslim_lint.reporters.{fmt}")
    assert module.STREAMS is True
    linter = Linter(load_rules(with_plugins=False)[0])
    data = open(SMALL, "rb").read()
    results = [linter.lint_bytes(data, f"d{i}/Dockerfile") for i in range(3)]
    whole, once = io.StringIO(), io.StringIO()
    module.write(whole, results, Report(rules=linter.rules, errors=["x: not a text file"]))
    module.write(once, _OneShot(results), Report(rules=linter.rules, errors=["x: not a text file"]))
    assert once.getvalue() == whole.getvalue() and "3 files" in whole.getvalue()


def test_cli_streams_text_results(tmp_path, monkeypatch):
    from dockerslim_lint.reporters import text

    seen = []
    real = text.write

    def spy(stream, results, report):
        seen.append(type(results).__name__)
        return real(stream, results, report)

    spy.__module__ = text.__name__  # the CLI reads STREAMS from the writer's module

    monkeypatch.setattr(text, "write", spy)
    for i in range(3):
        (tmp_path / f"d{i}").mkdir()
        (tmp_path / f"d{i}" / "Dockerfile").write_bytes(open(SMALL, "rb").read())
    result = CliRunner().invoke(cli, ["--no-color", str(tmp_path)])
    assert result.exit_code == 1 and "in 3 files (3 files linted)" in result.output
    assert seen == ["generator"]
    # The report going to a file that is also linted: the list, read before the file is opened.
    out = tmp_path / "d0" / "Dockerfile.txt"
    out.write_bytes(open(SMALL, "rb").read())
    result = CliRunner().invoke(cli, ["--no-color", "-o", str(out), str(tmp_path)])
    assert seen[-1] == "list" and "4 files linted" in out.read_text()
