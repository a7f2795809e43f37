"""Benchmark dockerslim-lint: single-file latency against bare Python, batch throughput
against hadolint on real Dockerfiles, peak memory, and growth with the number of files.

    python bench/bench.py --corpus /path/to/real/dockerfiles   # the figures the targets are about
    python bench/bench.py                 # portable default: bench/corpus/ (python bench/gen_corpus.py)
    python bench/bench.py --scale 10000   # also: 1,000 and 10,000 generated files, RSS and files/s
    python bench/bench.py --importtime    # also: `python -X importtime` top costs
    python bench/bench.py --profile       # also: cProfile of the lint loop, top functions
    python bench/bench.py --check         # exit 1 when a target is missed
    python bench/bench.py --small-only    # only the single-file figures

Every figure comes from this one run and is of a real process, start-up included, so the
ratios hold on any machine:

* one small file (bench/small.Dockerfile, a two-stage Go service, copied to a folder of its
  own, outside any repository or config): wall-clock of one
  `dockerslim-lint` process in text and in SARIF format, and of `python -c pass` with the
  same interpreter, from a non-editable `pip install .` into a throwaway venv (--editable:
  this environment instead), interleaved round by round (so load on a shared machine hits all
  alike); the median of --small-runs rounds. The targets are ratios to `python -c pass`.
* batch: ONE `dockerslim-lint` process lints the whole folder (discovery, reading, linting,
  the report to /dev/null); the median of --runs runs; peak RSS is that process's own
  `ru_maxrss` (os.wait4, so never mixed up with other children).
* hadolint (when installed: `pip install 'dockerslim-lint[bench]'`), on the same files: by
  default given ALL files as arguments (as few processes as the OS argument limit allows,
  like xargs: the fairest setting for it); --hadolint-per-file runs one process per file.
  The ratio is files/s(dockerslim-lint) / files/s(hadolint).
* --jobs N: the batch again with `--jobs 1` and `--jobs N`, interleaved, best of --runs each;
  the peak RSS of a --jobs run is the sum of the peaks of every process of the tree (this
  process and each worker, which the CLI reports with --verbose), since os.wait4 gives only
  the largest. Not part of the targets: it shows what the option costs and gains here.
* --scale N: synthetic corpora of N/10 and N files (gen_corpus.py, in a temporary folder),
  one run each: files/s should stay flat and peak RSS bounded as N grows.

Targets: one file <= 6x `python -c pass` in text (goal 5x) and <= 12x in SARIF (goal 10x);
batch >= 30x hadolint's throughput (goal 40x) with peak RSS < 50 MB; with --scale, RSS
< 50 MB at N files and files/s at N at least half of that at N/10.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_CORPUS = os.path.join(HERE, "corpus")
SMALL_FILE = os.path.join(HERE, "small.Dockerfile")

# (limit, goal): ratios measured in one run.
TARGET_RATIO = (30.0, 40.0)  # batch files/s over hadolint's, at least
TARGET_TEXT_X = (6.0, 5.0)  # one small file, text, over `python -c pass`, at most
TARGET_SARIF_X = (12.0, 10.0)  # one small file, SARIF, over `python -c pass`, at most
TARGET_RSS_MB = 50.0  # peak RSS of one batch run, below
SCALE_MIN_SPEED = 0.5  # --scale: files/s at N over files/s at N/10, at least


def child_env():
    """The environment for every measured process: as a user's, with bytecode caching on.

    pip compiles .pyc files at install time; an environment with PYTHONDONTWRITEBYTECODE
    set (as some CI images and sandboxes have) would otherwise recompile every module
    of the linter on every run (~50 ms), which no installed copy does.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def warm_up(small_file):
    """One untimed run per format, so that the .pyc files exist and the files are cached."""
    for fmt in ("text", "json", "sarif"):
        subprocess.run(linter_command() + ["--no-color", "--format", fmt, small_file],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env())


def linter_command():
    """The installed console script next to this Python, else `python -m dockerslim_lint`."""
    exe = os.path.join(os.path.dirname(sys.executable), "dockerslim-lint")
    if os.path.exists(exe):
        return [exe]
    return [sys.executable, "-m", "dockerslim_lint"]


def find_hadolint():
    near = os.path.join(os.path.dirname(sys.executable), "hadolint")
    if os.path.exists(near):
        return near
    return shutil.which("hadolint")


def run_measured(cmd, cwd=None):
    """Run cmd with output to /dev/null; (wall seconds, peak RSS in MB, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=cwd, env=child_env())
    stderr_chunks = []
    # Drain stderr without blocking the child, then reap it with its own rusage.
    for chunk in iter(lambda: proc.stderr.read(65536), b""):
        stderr_chunks.append(chunk)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") \
        else (status >> 8)
    proc.stderr.close()
    rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    run_measured.cpu = usage.ru_utime + usage.ru_stime  # CPU seconds of that process (and its children)
    return seconds, rss, proc.returncode, b"".join(stderr_chunks).decode("utf-8", "replace")


def _editable() -> bool:
    import glob
    import site

    return any(glob.glob(os.path.join(d, "__editable__*dockerslim_lint*")) for d in site.getsitepackages())


def discover(folder):
    from dockerslim_lint.files import expand_paths

    files, errors = [], []
    for kind, item in expand_paths([folder]):
        (files if kind == "file" else errors).append(item)
    if errors:
        raise SystemExit(f"bench: {'; '.join(errors)}")
    return files


def chunks_for_argv(files, fixed_len=0, limit=None):
    """Split files into argument lists that fit the OS limit (as xargs does)."""
    if limit is None:
        try:
            limit = os.sysconf("SC_ARG_MAX") // 2  # room for the environment
        except (ValueError, OSError, AttributeError):
            limit = 100_000
        limit = min(limit, 1_000_000)
    out, current, size = [], [], fixed_len
    for f in files:
        cost = len(os.fsencode(f)) + 1 + 8  # the string, its NUL, its pointer
        if current and size + cost > limit:
            out.append(current)
            current, size = [], fixed_len
        current.append(f)
        size += cost
    if current:
        out.append(current)
    return out


def bench_ours(folder, n_files, runs, fmt, extra=()):
    cmd = linter_command() + ["--no-color", "--format", fmt, *extra, folder]
    times, cpu, rss = [], [], 0.0
    for _ in range(runs):
        seconds, peak, code, err = run_measured(cmd)
        if code not in (0, 1):
            raise SystemExit(f"bench: {' '.join(cmd)} exited {code}:\n{err}")
        times.append(seconds)
        cpu.append(run_measured.cpu)
        rss = max(rss, peak)
    seconds = statistics.median(times)
    return {"cmd": cmd, "seconds": seconds, "rss_mb": rss, "fps": n_files / seconds, "runs": times,
            "cpu": statistics.median(cpu)}


def _tree_peaks(stderr):
    """(this process's peak RSS, [each worker's]) in MB from the `--verbose` line of a --jobs run."""
    import re

    line = next((x for x in stderr.splitlines() if "jobs: " in x and "peak RSS" in x), None)
    if line is None:
        return None, []
    parent = float(re.search(r"this process ([\d.]+) MB", line).group(1))
    workers = [float(x) for x in re.findall(r"([\d.]+) MB \([\d.]+ s CPU\)", line.split("; peak RSS: ", 1)[1])][1:]
    return parent, workers


def bench_jobs(folder, n_files, runs, fmt, jobs):
    """--jobs 1 and --jobs N, interleaved run by run (the same load hits both), best of `runs`
    each, with --verbose so that a --jobs run says each process's peak RSS: the tree's peak is
    the SUM of the peaks of this process and of every worker (os.wait4 and RUSAGE_CHILDREN
    give the largest one, not their sum; shared pages count in each process, as RSS does)."""
    rows = {}
    for _ in range(runs):
        for j in (1, jobs):
            cmd = linter_command() + ["--no-color", "--format", fmt, "--verbose", "--jobs", str(j), folder]
            seconds, peak, code, err = run_measured(cmd)
            if code not in (0, 1):
                raise SystemExit(f"bench: {' '.join(cmd)} exited {code}:\n{err}")
            parent, workers = _tree_peaks(err)
            if j != 1 and parent is None:
                raise SystemExit(f"bench: --jobs {j} started no worker (one CPU, or too few files?)")
            tree = (parent + sum(workers)) if parent is not None else peak
            row = rows.setdefault(j, {"runs": [], "rss_mb": 0.0, "parts": None, "cpu": []})
            row["runs"].append(seconds)
            row["cpu"].append(run_measured.cpu)
            if tree >= row["rss_mb"]:
                row["rss_mb"], row["parts"] = tree, (parent if parent is not None else peak, workers)
    for row in rows.values():
        row["seconds"] = min(row["runs"])
        row["fps"] = n_files / row["seconds"]
        row["cpu"] = min(row["cpu"])
    return rows


def bench_hadolint(hadolint, files, per_file, runs):
    times, cpu, rss, processes = [], [], 0.0, 0
    for _ in range(runs):
        start = time.perf_counter()
        cpu.append(0.0)
        if per_file:
            batches = [[f] for f in files]
        else:
            batches = chunks_for_argv(files, fixed_len=len(hadolint) + 64)
        for batch in batches:
            _, peak, code, err = run_measured([hadolint, "--no-fail", *batch])
            cpu[-1] += run_measured.cpu
            if code != 0:
                raise SystemExit(f"bench: hadolint exited {code}: {err.strip()[:500]}")
            rss = max(rss, peak)
        times.append(time.perf_counter() - start)
        processes = len(batches)
    seconds = statistics.median(times)
    return {"seconds": seconds, "rss_mb": rss, "fps": len(files) / seconds, "processes": processes,
            "runs": times, "cpu": statistics.median(cpu)}


def installed_copy(workdir):
    """`pip install .` (not editable) into a throwaway venv under workdir; its console script.

    An editable install adds a meta-path finder that site imports on every start-up
    (~10 ms: pathlib, urllib.parse...), which an installed copy does not have. The
    venv reaches the dependencies already installed here through a .pth line, so
    nothing is downloaded but the build backend pip's build isolation asks for.
    """
    import site
    import venv

    target = os.path.join(workdir, "venv")
    venv.EnvBuilder(with_pip=False).create(target)
    py = os.path.join(target, "bin", "python")
    purelib = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(purelib, "_bench_deps.pth"), "w") as f:
        f.write("\n".join(site.getsitepackages()) + "\n")
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", py, "install", "-q", "--no-deps", ROOT],
                          capture_output=True, text=True, env=child_env())
    if proc.returncode != 0:
        raise RuntimeError(f"pip install failed: {proc.stderr.strip()[-500:]}")
    return [os.path.join(target, "bin", "dockerslim-lint")]


def bench_small(path, runs, command=None, hadolint=None):
    """Interleaved rounds of `python -c pass`, text, SARIF (and hadolint): median ms of each."""
    base = (command or linter_command()) + ["--no-color"]
    # The interpreter that runs the linter: this one, or the installed copy's venv.
    python = os.path.join(os.path.dirname(command[0]), "python") if command else sys.executable
    commands = {
        "python": [python, "-c", "pass"],
        "text": base + ["--format", "text", path],
        "sarif": base + ["--format", "sarif", path],
    }
    if hadolint:
        commands["hadolint"] = [hadolint, "--no-fail", path]
    for cmd in commands.values():  # warm: .pyc files, page cache
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env())
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            seconds, _, code, err = run_measured(cmd)
            if code not in (0, 1):
                raise SystemExit(f"bench: {' '.join(cmd)} exited {code}:\n{err}")
            times[name].append(seconds * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def machine():
    """nproc, the CPU model from /proc/cpuinfo, the Python version."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpus} CPUs ({model}), Python {platform.python_version()} on {sys.platform}"


def scale(count, runs_fmt, extra):
    """Generated corpora of count/10 and count files: (files, seconds, files/s, RSS MB) each."""
    import tempfile

    sys.path.insert(0, HERE)
    import gen_corpus

    rows = []
    workdir = tempfile.mkdtemp(prefix="dockerslim-scale-")
    try:
        for n in (max(1, count // 10), count):
            folder = os.path.join(workdir, str(n))
            size = gen_corpus.generate(folder, n, 20240601)
            ours = bench_ours(folder, n, 1, runs_fmt, extra)
            rows.append((n, size, ours["seconds"], ours["fps"], ours["rss_mb"]))
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


def importtime(path, fmt, top):
    """`python -X importtime` of one small-file run: the top modules by self and cumulative µs."""
    cmd = [sys.executable, "-X", "importtime", "-m", "dockerslim_lint", "--no-color", "--format", fmt, path]
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=child_env())
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative, name = _split_importtime(line)
        rows.append((int(self_us), int(cumulative), name))
    total = sum(r[0] for r in rows)
    print(f"\n`python -X importtime -m dockerslim_lint --format {fmt} <small file>`: "
          f"{len(rows)} modules, {total / 1000:.1f} ms of imports in all")
    print(f"  top {top} by self time:")
    for self_us, cum, name in sorted(rows, reverse=True)[:top]:
        print(f"    {self_us / 1000:7.1f} ms self {cum / 1000:7.1f} ms cumulative  {name.strip()}")
    print(f"  top {top} by cumulative time (top-level packages):")
    tops = [r for r in rows if not r[2].startswith("  ")]
    for self_us, cum, name in sorted(tops, key=lambda r: -r[1])[:top]:
        print(f"    {cum / 1000:7.1f} ms cumulative  {name.strip()}")


def _split_importtime(line):
    # "import time:       123 |        456 |   package.module"
    body = line.split(":", 1)[1]
    self_us, cumulative, name = body.split("|", 2)
    return self_us.strip(), cumulative.strip(), name.rstrip()


def profile(files, top, sort):
    """cProfile of the in-process lint loop (read + lint + text report) over `files`."""
    import cProfile
    import io
    import pstats

    from dockerslim_lint.files import read_file
    from dockerslim_lint.engine.linter import Linter
    from dockerslim_lint.engine.plugins import load_rules
    from dockerslim_lint.reporters import Report, get_writer

    rules = load_rules(with_plugins=False)[0]
    linter = Linter(rules)
    write = get_writer("text")

    def loop():
        results = [linter.lint_bytes(read_file(f), f) for f in files]
        write(io.StringIO(), results, Report(rules=linter.rules))

    loop()  # warm: lazy imports and caches are not the hot path
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    loop()
    prof.disable()
    seconds = time.perf_counter() - start
    print(f"\ncProfile of the lint loop over {len(files)} files: {seconds:.2f} s under the profiler "
          f"(the profiler roughly doubles it)")
    stream = io.StringIO()
    stats = pstats.Stats(prof, stream=stream)
    stats.sort_stats(sort).print_stats(top)
    print(stream.getvalue())


def _verdict(ok, goal_ok):
    return "goal met" if goal_ok else ("met" if ok else "MISSED")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("folder", nargs="?", default=None, help="folder of Dockerfiles (same as --corpus)")
    ap.add_argument("--corpus", default=None, metavar="DIR",
                    help="folder of real Dockerfiles to measure on [bench/corpus, generated when missing]")
    ap.add_argument("--format", default="text", help="report format for the batch run [text]")
    ap.add_argument("--jobs", type=int, default=None, metavar="N",
                    help="also: the batch with --jobs 1 and --jobs N interleaved (files/s, the tree's peak RSS)")
    ap.add_argument("--runs", type=int, default=3, help="runs of the batch benchmark (median) [3]")
    ap.add_argument("--no-hadolint", action="store_true", help="skip hadolint even when installed")
    ap.add_argument("--hadolint-per-file", action="store_true",
                    help="run hadolint once per file instead of with all files as arguments")
    ap.add_argument("--hadolint-runs", type=int, default=1, help="runs of hadolint (median) [1]")
    ap.add_argument("--small-file", default=SMALL_FILE, help="the small Dockerfile [bench/small.Dockerfile]")
    ap.add_argument("--small-runs", type=int, default=15, help="interleaved rounds for the small file [15]")
    ap.add_argument("--editable", action="store_true",
                    help="time the small file in this environment instead of a non-editable `pip install .` "
                         "in a throwaway venv (an editable install's import hook slows every start-up, "
                         "`python -c pass` included)")
    ap.add_argument("--scale", type=int, default=0, metavar="N",
                    help="also lint N/10 and N generated files (one run each): files/s and peak RSS")
    ap.add_argument("--small-only", action="store_true", help="only the small-file figures")
    ap.add_argument("--importtime", action="store_true", help="print `python -X importtime` top costs")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of the lint loop")
    ap.add_argument("--profile-sort", default="tottime", help="pstats sort key [tottime]")
    ap.add_argument("--top", type=int, default=20, help="rows for --importtime/--profile [20]")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    if args.folder and args.corpus and args.folder != args.corpus:
        ap.error("give the folder once: as an argument or with --corpus")
    folder = args.corpus or args.folder or DEFAULT_CORPUS
    extra = []

    if folder == DEFAULT_CORPUS and not os.path.isdir(folder):
        print("bench/corpus/ is missing; generating it (python bench/gen_corpus.py)", file=sys.stderr)
        sys.path.insert(0, HERE)
        import gen_corpus

        gen_corpus.generate(folder, 3000, 20240601)
    files = discover(folder)
    n = len(files)
    kib = sum(os.path.getsize(f) for f in files) / 1024
    print(f"machine: {machine()}")
    print(f"corpus: {folder}: {n} Dockerfiles, {kib:.0f} KiB")
    missed, table = [], []
    warm_up(args.small_file)
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set here; it is unset for the measured processes "
              "(an installed copy has its .pyc files)")
    hadolint = None if args.no_hadolint else find_hadolint()

    command, how = None, "this environment" + (" (editable install)" if _editable() else "")
    workdir = None
    if not args.editable:
        import tempfile

        workdir = tempfile.mkdtemp(prefix="dockerslim-bench-")
        try:
            command, how = installed_copy(workdir), "installed copy (pip install ., not editable)"
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            print(f"\n--installed: could not build an installed copy: {exc}")
    # The small file is linted from a folder of its own: no config file, no repository (this
    # one's pyproject.toml names dockerslim-lint, so it would be read as a possible config).
    import tempfile

    small_dir = tempfile.mkdtemp(prefix="dockerslim-small-")
    small_copy = os.path.join(small_dir, "Dockerfile")
    shutil.copyfile(args.small_file, small_copy)
    small = bench_small(small_copy, args.small_runs, command, hadolint)
    shutil.rmtree(small_dir, ignore_errors=True)
    if workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    py = small["python"]
    print(f"\none small file ({os.path.relpath(args.small_file)}), one process each, median of "
          f"{args.small_runs} interleaved rounds, {how}:")
    print(f"  python -c pass       {py:6.1f} ms")
    for fmt, (limit, goal) in (("text", TARGET_TEXT_X), ("sarif", TARGET_SARIF_X)):
        x = small[fmt] / py
        verdict = _verdict(x <= limit, x <= goal)
        print(f"  dockerslim-lint {fmt:<5}{small[fmt]:6.1f} ms  = {x:4.1f}x python -c pass "
              f"(target <= {limit:.0f}x, goal {goal:.0f}x: {verdict})")
        table.append((f"one small file, {fmt}", f"{small[fmt]:.0f} ms = **{x:.1f}x** `python -c pass` ({py:.0f} ms)",
                      f"<= {limit:.0f}x (goal {goal:.0f}x): {verdict}"))
        if x > limit:
            missed.append(f"{fmt} small file {x:.1f}x python -c pass > {limit:.0f}x")
    if "hadolint" in small:
        print(f"  hadolint             {small['hadolint']:6.1f} ms  = {small['hadolint'] / py:4.1f}x python -c pass")
        table.append(("one small file, hadolint", f"{small['hadolint']:.0f} ms = {small['hadolint'] / py:.1f}x", ""))

    if args.small_only:
        print("\n" + ("targets: all met" if not missed else "MISSED: " + "; ".join(missed)))
        return 1 if (missed and args.check) else 0
    ours = bench_ours(folder, n, args.runs, args.format, extra)
    shown = " ".join(os.path.basename(c) if i == 0 else c for i, c in enumerate(ours["cmd"]))
    print(f"\nbatch: dockerslim-lint, one process (`{shown}`, median of {args.runs}):")
    print(f"  seconds      {ours['seconds']:.2f}   (runs: {', '.join(f'{t:.2f}' for t in ours['runs'])})")
    print(f"  CPU seconds  {ours['cpu']:.2f}   (user + system)")
    print(f"  files/s      {ours['fps']:.0f}")
    print(f"  peak RSS     {ours['rss_mb']:.1f} MB (target < {TARGET_RSS_MB:.0f} MB)")
    table.append((f"{n} files ({kib:.0f} KiB), one process, {args.format}",
                  f"{ours['fps']:.0f} files/s ({ours['seconds']:.2f} s)", ""))
    rss_ok = ours["rss_mb"] < TARGET_RSS_MB
    table.append(("peak RSS of that run", f"**{ours['rss_mb']:.1f} MB**",
                  f"< {TARGET_RSS_MB:.0f} MB: {'met' if rss_ok else 'MISSED'}"))
    if not rss_ok:
        missed.append(f"peak RSS {ours['rss_mb']:.1f} MB >= {TARGET_RSS_MB:.0f} MB")

    if args.jobs:
        rows = bench_jobs(folder, n, args.runs, args.format, args.jobs)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"\nbatch: --jobs 1 and --jobs {args.jobs} (`--format {args.format} --verbose`, interleaved, "
              f"best of {args.runs}; load average {load:.1f} after, on {os.cpu_count()} CPUs):")
        for j, row in sorted(rows.items()):
            parent, workers = row["parts"]
            parts = f" = {parent:.1f} + " + " + ".join(f"{w:.1f}" for w in workers) if workers else ""
            ok = "met" if row["rss_mb"] < TARGET_RSS_MB else "MISSED"
            print(f"  --jobs {j:<3} {row['fps']:6.0f} files/s ({row['seconds']:.2f} s; runs: "
                  f"{', '.join(f'{t:.2f}' for t in row['runs'])}; CPU {row['cpu']:.2f} s), "
                  f"peak RSS of the process tree {row['rss_mb']:.1f} MB{parts} (sum of the peaks; < "
                  f"{TARGET_RSS_MB:.0f} MB: {ok})")
            table.append((f"{n} files, --jobs {j}, {args.format} (best of {args.runs}, with --jobs "
                          f"{1 if j != 1 else args.jobs})",
                          f"{row['fps']:.0f} files/s ({row['seconds']:.2f} s), tree peak RSS {row['rss_mb']:.1f} MB"
                          + (f" ({len(workers) + 1} processes)" if workers else ""),
                          f"RSS < {TARGET_RSS_MB:.0f} MB: {ok}"))

    if hadolint:
        version = subprocess.run([hadolint, "--version"], capture_output=True, text=True).stdout.strip()
        theirs = bench_hadolint(hadolint, files, args.hadolint_per_file, args.hadolint_runs)
        mode = "one process per file" if args.hadolint_per_file else \
            f"all files as arguments, {theirs['processes']} process(es)"
        print(f"\nbatch: hadolint ({version}; {mode}, median of {args.hadolint_runs}):")
        print(f"  seconds      {theirs['seconds']:.2f}")
        print(f"  CPU seconds  {theirs['cpu']:.2f}   (user + system)")
        print(f"  files/s      {theirs['fps']:.0f}")
        print(f"  peak RSS     {theirs['rss_mb']:.1f} MB (largest process)")
        ratio = ours["fps"] / theirs["fps"]
        limit, goal = TARGET_RATIO
        verdict = _verdict(ratio >= limit, ratio >= goal)
        cpu_ratio = theirs["cpu"] / ours["cpu"] if ours["cpu"] else float("inf")
        print(f"\nthroughput ratio dockerslim-lint / hadolint: {ratio:.1f}x "
              f"(target >= {limit:.0f}x, goal {goal:.0f}x: {verdict}); "
              f"CPU-time ratio {cpu_ratio:.1f}x (less sensitive to other load on the machine)")
        table.append((f"hadolint {version.split()[-1]} on the same files ({mode})",
                      f"{theirs['fps']:.0f} files/s ({theirs['seconds']:.2f} s)", ""))
        table.append(("throughput ratio (wall-clock)", f"**{ratio:.1f}x** (CPU time: {cpu_ratio:.1f}x)",
                      f">= {limit:.0f}x (goal {goal:.0f}x): {verdict}"))
        if ratio < limit:
            missed.append(f"throughput ratio {ratio:.1f}x < {limit:.0f}x")
    else:
        print("\nhadolint: not installed (pip install 'dockerslim-lint[bench]'), no ratio" if not args.no_hadolint
              else "\nhadolint: skipped (--no-hadolint)")

    if args.scale:
        rows = scale(args.scale, args.format, extra)
        print(f"\nscale: generated files, one process, one run each:")
        for count, size, seconds, fps, rss in rows:
            print(f"  {count:6d} files ({size / 1024 / 1024:6.1f} MiB): {seconds:6.2f} s, {fps:5.0f} files/s, "
                  f"peak RSS {rss:.1f} MB")
        (n1, _, _, fps1, rss1), (n2, _, _, fps2, rss2) = rows
        ok = rss2 < TARGET_RSS_MB and fps2 >= SCALE_MIN_SPEED * fps1
        table.append((f"{n1} -> {n2} generated files", f"{fps1:.0f} -> {fps2:.0f} files/s, "
                      f"peak RSS {rss1:.1f} -> {rss2:.1f} MB",
                      f"RSS < {TARGET_RSS_MB:.0f} MB, files/s flat: {'met' if ok else 'MISSED'}"))
        if not ok:
            missed.append(f"scale: {n2} files at {fps2:.0f} files/s (vs {fps1:.0f}) and {rss2:.1f} MB")

    if args.importtime:
        importtime(args.small_file, "text", args.top)
        importtime(args.small_file, "sarif", args.top)
    if args.profile:
        profile(files, args.top, args.profile_sort)

    print(f"\nmachine: {machine()}\n")
    print("| figure | measured | target |\n| --- | --- | --- |")
    for row in table:
        print("| " + " | ".join(row) + " |")
    print("\ntargets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if (missed and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
