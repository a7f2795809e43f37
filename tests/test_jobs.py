"""`--jobs N`: the same output as one process, byte for byte, in every format; what it does
with standard input, a single file, 0/auto, bad values, --fix/--diff; and the worker pool
(dockerslim_lint.engine.parallel) on its own: order, errors, a dying worker, early close."""
import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT

from dockerslim_lint.engine import parallel
from dockerslim_lint.reporters import FORMATS

SEED_SINGLE = os.path.join(FIXTURES, "seed", "single-stage", "Dockerfile")
SEED_MULTI = os.path.join(FIXTURES, "seed", "multi-stage", "Dockerfile")

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes need os.fork")


def cli(*args, cwd=ROOT, input=None):
    return subprocess.run([sys.executable, "-m", "dockerslim_lint", *args], capture_output=True, cwd=cwd,
                          input=input)


def same(a, b):
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)


@needs_fork
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_byte_identical_to_one_process(fmt):
    args = ["--no-color", "--format", fmt, "--report-unused-ignores", "fixtures"]
    one = cli(*args)
    assert one.returncode == 1 and one.stdout
    same(cli("--jobs", "2", *args), one)
    if fmt in ("json", "text"):
        same(cli("-j", "3", *args), one)


@needs_fork
def test_errors_and_standard_input_keep_their_place(tmp_path):
    """Unreadable and binary files, a missing path, a file with its own error, and `-`
    between them: the errors and the results come in the order of one process."""
    seed = open(SEED_SINGLE, "rb").read()
    names = []
    for i in range(40):
        name = f"d{i:02d}.Dockerfile"
        data = seed
        if i % 7 == 3:
            data = b"\x7fELF\x00\x01"
        elif i % 11 == 5:
            data = seed + b"# dockerslim-lint global ignore=DSL999\n"
        elif i % 5 == 1:
            data = b"FROM alpine\nRUN apk add curl\n"
        (tmp_path / name).write_bytes(data)
        names.append(name)
    argv = names[:10] + ["missing", "-"] + names[10:30] + ["also-missing"] + names[30:]
    for fmt in ("json", "text", "jsonl"):
        args = ["--no-color", "--format", fmt, "--stdin-filename", "in/Dockerfile", *argv]
        one = cli(*args, cwd=tmp_path, input=b"FROM ubuntu\nRUN make\n")
        assert one.returncode == 2
        assert b"in/Dockerfile" in one.stdout
        same(cli("--jobs", "2", *args, cwd=tmp_path, input=b"FROM ubuntu\nRUN make\n"), one)
    errors = json.loads(one.stdout.decode().splitlines()[-1])
    assert errors["type"] == "summary" and errors["errors"] == 2 + 6 + 3  # missing, binary (3, 10, ... 38), DSL999 (5, 16, 27)


@needs_fork
def test_each_folder_keeps_its_configuration(tmp_path):
    """Files under different configuration files are linted with their own options by
    whichever process gets them."""
    seed = open(SEED_SINGLE, "rb").read()
    for folder, config in (("a", "ignore: [DSL307]\n"), ("b", "severity:\n  DSL301: error\nfailure-threshold: error\n"),
                           ("c", None)):
        (tmp_path / folder).mkdir()
        if config:
            (tmp_path / folder / ".dockerslim-lint.yaml").write_text(config)
        for i in range(12):
            (tmp_path / folder / f"{i}.Dockerfile").write_bytes(seed if i % 3 else b"FROM alpine\nRUN apk add gcc\n")
    one = cli("--format", "json", "--verbose", "a", "b", "c", cwd=tmp_path)
    many = cli("--format", "json", "--verbose", "--jobs", "2", "a", "b", "c", cwd=tmp_path)
    assert one.stdout == many.stdout and one.returncode == many.returncode == 1
    assert [x for x in many.stderr.splitlines() if b"jobs:" not in x] == one.stderr.splitlines()
    doc = json.loads(one.stdout)
    assert not [f for f in doc["findings"] if f["file"].startswith("a/") and f["rule"] == "DSL307"]
    assert {f["severity"] for f in doc["findings"] if f["file"].startswith("b/") and f["rule"] == "DSL301"} == {"error"}


def test_standard_input_alone_and_a_single_file_use_no_worker(tmp_path):
    from test_startup import _imported

    (tmp_path / "Dockerfile").write_bytes(open(SEED_SINGLE, "rb").read())
    proc, modules = _imported(tmp_path, "--jobs", "2", "--verbose", "--format", "json", "Dockerfile")
    assert proc.returncode == 1
    assert "dockerslim_lint.engine.parallel" not in modules and "jobs:" not in proc.stderr
    one = cli("--format", "json", "-", input=b"FROM ubuntu\n")
    same(cli("--format", "json", "--jobs", "4", "-", input=b"FROM ubuntu\n"), one)


@needs_fork
def test_verbose_names_the_workers_and_their_memory():
    proc = cli("--jobs", "2", "--verbose", "--format", "json", "fixtures")
    line = [x for x in proc.stderr.decode().splitlines() if "jobs:" in x]
    assert len(line) == 1
    assert line[0].startswith("dockerslim-lint: jobs: 2 processes, 1 of them forked workers that linted ")
    assert "peak RSS: this process " in line[0] and "; sum of the peaks " in line[0]


@needs_fork
@pytest.mark.parametrize("value", ["0", "auto", "AUTO"])
def test_zero_and_auto_mean_one_per_cpu(value):
    one = cli("--format", "json", "fixtures/rules")
    many = cli("--format", "json", "--jobs", value, "--verbose", "fixtures/rules")
    assert many.stdout == one.stdout and many.returncode == one.returncode
    cpus = parallel.available_cpus()
    said = [x for x in many.stderr.decode().splitlines() if "jobs:" in x]
    if cpus == 1:
        assert said == []
    else:
        assert len(said) == 1 and said[0].startswith(f"dockerslim-lint: jobs: {cpus} processes, {cpus - 1} of them")


@pytest.mark.parametrize("value", ["x", "-1", "1.5", "", "2x", "two"])
def test_bad_values_are_usage_errors(value):
    proc = cli("--jobs", value, SEED_SINGLE)
    assert proc.returncode == 2 and proc.stdout == b""
    err = proc.stderr.decode()
    assert "Error: Invalid value for '-j' / '--jobs': " in err and "expected a number of processes, 0 or auto" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("mode", ["--fix", "--diff"])
def test_fix_and_diff_refuse_jobs(tmp_path, mode):
    target = tmp_path / "Dockerfile"
    target.write_bytes(b"FROM alpine\nRUN apk add curl\n")
    proc = cli(mode, "--jobs", "2", "Dockerfile", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == b""
    assert "--jobs works only for linting" in proc.stderr.decode()
    assert target.read_bytes() == b"FROM alpine\nRUN apk add curl\n"
    assert cli(mode, "--jobs", "1", "Dockerfile", cwd=tmp_path).returncode == 1  # 1 is the default


@needs_fork
@pytest.mark.parametrize("fmt", ["text", "jsonl"])
def test_a_reader_that_goes_away_ends_the_run_quietly(fmt):
    """`dockerslim-lint -j 2 . | head -1`: no traceback, no worker left behind."""
    probe = ("import os, subprocess, sys\n"
             f"p = subprocess.Popen([sys.executable, '-m', 'dockerslim_lint', '-j', '2', '--format', {fmt!r}, "
             "'fixtures'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
             "p.stdout.readline(); p.stdout.close()\n"
             "err = p.stderr.read(); p.wait()\n"
             "print(p.returncode, repr(err))\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    code, err = proc.stdout.split(" ", 1)
    assert code in ("0", "1") and err.strip() == "b''", proc.stdout + proc.stderr


# -- the pool --------------------------------------------------------------------------


def _square(task):
    import time

    if task % 13 == 0:
        time.sleep(0.01)  # unequal tasks: workers finish out of order
    return task * task, os.getpid()


@needs_fork
def test_results_come_in_task_order_from_several_workers():
    stats = {}
    out = list(parallel.run_ordered(list(range(300)), _square, 3, stats=stats))
    assert [value for value, _ in out] == [t * t for t in range(300)]
    assert out[0][1] == os.getpid()  # the first here, before the fork
    assert 2 <= len({pid for _, pid in out[1:]} - {os.getpid()}) <= 2  # 3 processes: this one and 2 workers
    assert len(stats["workers"]) == 2 and all(peak > 0 and cpu >= 0 for _, peak, cpu in stats["workers"])
    assert 0 < stats["tasks"] <= 299


@needs_fork
def test_local_tasks_run_here_in_their_place():
    out = list(parallel.run_ordered(list(range(50)), _square, 2, local=lambda t: t in (0, 20, 49)))
    assert [v for v, _ in out] == [t * t for t in range(50)]
    assert all(out[t][1] == os.getpid() for t in (0, 1, 20, 49))


@needs_fork
def test_workers_inherit_what_the_first_task_loaded():
    def work(task):
        loaded = "colorsys" in sys.modules
        import colorsys  # noqa: F401

        return loaded

    sys.modules.pop("colorsys", None)
    assert list(parallel.run_ordered(list(range(40)), work, 2)) == [False] + [True] * 39


def _fail_at_7(task):
    if task == 7:
        raise ValueError(f"bad task {task}")
    return task


_HERE = os.getpid()


def _die_in_a_worker(task):
    if task >= 9 and os.getpid() != _HERE:  # this process does some chunks itself
        os._exit(3)
    return task


@needs_fork
def test_an_exception_in_a_worker_is_raised_here():
    got = []
    with pytest.raises(ValueError, match="bad task 7"):
        for value in parallel.run_ordered(list(range(40)), _fail_at_7, 2):
            got.append(value)
    assert got == list(range(7))


@needs_fork
def test_a_dying_worker_stops_the_run():
    for _ in range(3):  # noticed on reading its results or on handing it more files
        with pytest.raises(parallel.WorkerDied, match=r"worker process \d+ ended.* \(exit status 3\)"):
            list(parallel.run_ordered(list(range(40)), _die_in_a_worker, 2))


@needs_fork
def test_pipe_numbers_above_1024_are_fine():
    """select() cannot watch a descriptor >= FD_SETSIZE; many workers, or a process holding
    many files, give such numbers."""
    probe = ("import os, resource\n"
             "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
             "if hard != resource.RLIM_INFINITY and hard < 1200: print('skip'); raise SystemExit\n"
             "resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))\n"
             "held = [os.pipe() for _ in range(540)]\n"
             "from dockerslim_lint.engine import parallel\n"
             "out = list(parallel.run_ordered(list(range(200)), lambda t: t * 2, 3))\n"
             "print('ok' if out == [t * 2 for t in range(200)] else out)\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    if proc.stdout.strip() == "skip":
        pytest.skip("cannot raise the open-file limit above 1200")
    assert proc.stdout.strip() == "ok", proc.stderr


def test_no_process_to_be_had_means_one_process(monkeypatch):
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert [v for v, _ in parallel.run_ordered(list(range(50)), _square, 3)] == [t * t for t in range(50)]


@needs_fork
def test_closing_early_leaves_no_worker_behind():
    probe = ("import os\n"
             "from dockerslim_lint.engine import parallel\n"
             "gen = parallel.run_ordered(list(range(2000)), lambda t: t, 2)\n"
             "assert [next(gen) for _ in range(5)] == [0, 1, 2, 3, 4]\n"
             "gen.close()\n"
             "try:\n"
             "    os.waitpid(-1, os.WNOHANG)\n"
             "except ChildProcessError:\n"
             "    print('no children')\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.stdout == "no children\n", proc.stderr


def test_few_tasks_or_one_job_run_here():
    assert list(parallel.run_ordered([1, 2], _square, 4)) == [(1, os.getpid()), (4, os.getpid())]
    assert all(pid == os.getpid() for _, pid in parallel.run_ordered(list(range(30)), _square, 1))
