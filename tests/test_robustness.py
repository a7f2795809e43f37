"""Bad input, end to end (docs/robustness.md: one row of its table per test here).

Every case runs the real console program in a subprocess (a traceback, a blocked
read or a wrong exit code cannot hide behind CliRunner) with a GOOD Dockerfile
passed alongside the bad input, and checks the same contract:

* the exit code documented in README.md's table (0, 1 or 2);
* one line on standard error naming the bad file (for exit-2 errors), or findings
  naming it (for contents the linter can judge), never a traceback or an
  "internal error";
* the good file's findings are still reported;
* no input was changed (mtime and SHA-256 of every input, before and after);
* no raw control character reaches the terminal (text and GitHub output).

Cases already checked in tests/test_cli.py are named in the table too; the tests
here add what those do not check (unchanged inputs, the good file, other formats).
"""
import hashlib
import json
import os
import re
import stat
import subprocess
import sys

import pytest

from conftest import FIXTURES

EXE = os.path.join(os.path.dirname(sys.executable), "dockerslim-lint")
CMD = [EXE] if os.path.exists(EXE) else [sys.executable, "-m", "dockerslim_lint"]
SEED_SINGLE = os.path.join(FIXTURES, "seed", "single-stage", "Dockerfile")
with open(SEED_SINGLE, "rb") as _f:
    GOOD_BYTES = _f.read()  # one stage on ubuntu: DSL101 at 1:1 among others

# A clean multi-stage file: no findings at all, so anything reported is the case's own.
CLEAN = (b"FROM golang:1.22 AS build\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\n\n"
         b"FROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=build /app /app\n"
         b"USER 65532:65532\nENTRYPOINT [\"/app\"]\n")

RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
PREFIX = "dockerslim-lint: "


# -- helpers ----------------------------------------------------------------------------

def _digest(path):
    """(kind, mtime_ns, size, sha256) of a path without following a final symlink;
    FIFOs and devices are never opened (that could block or never end)."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return ("missing", exc.errno)
    if stat.S_ISLNK(st.st_mode):
        return ("link", st.st_mtime_ns, os.readlink(path))
    if not stat.S_ISREG(st.st_mode):
        return ("special", stat.S_IFMT(st.st_mode), st.st_mtime_ns)
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        return ("file", st.st_mtime_ns, st.st_size, f"unreadable: {exc.errno}")
    return ("file", st.st_mtime_ns, st.st_size, h.hexdigest())


def snapshot(paths):
    """Every input path, and everything under input directories (symlinks not followed)."""
    out = {}
    for path in paths:
        out[path] = _digest(path)
        if os.path.isdir(path) and not os.path.islink(path):
            for root, dirs, files in os.walk(path):
                for name in dirs + files:
                    full = os.path.join(root, name)
                    out[full] = _digest(full)
                out[root] = ("dir", os.lstat(root).st_mtime_ns, sorted(dirs + files))
    return out


@pytest.fixture
def good(tmp_path):
    """A Dockerfile with known findings, in its own folder."""
    folder = tmp_path / "good"
    folder.mkdir()
    path = folder / "Dockerfile"
    path.write_bytes(GOOD_BYTES)
    return str(path)


class Run:
    def __init__(self, proc, encoding=None):
        self.code = proc.returncode
        self.stdout_bytes = proc.stdout
        self.stderr_bytes = proc.stderr
        try:
            self.stdout = proc.stdout.decode("utf-8")  # output is valid UTF-8...
        except UnicodeDecodeError:
            if encoding is None:
                raise
            self.stdout = proc.stdout.decode(encoding)  # ...or in the encoding asked for
        self.stderr = proc.stderr.decode("utf-8")
        self.errors = self.stderr.splitlines()


def lint(args, *, timeout=120, preexec_fn=None, cwd=None, env=None):
    proc = subprocess.run(CMD + list(args), stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout, preexec_fn=preexec_fn, cwd=cwd,
                          env=dict(os.environ, **env) if env else None)
    return Run(proc, (env or {}).get("PYTHONIOENCODING"))


def shown(path):
    """A path as the linter prints it: control characters made visible."""
    from dockerslim_lint.reporters import escape

    return escape(path)


def good_linted(run, good, fmt):
    if fmt == "json":
        doc = json.loads(run.stdout)
        return any(f["file"] == good and f["rule"] == "DSL101" and f["line"] == 1 for f in doc["findings"])
    if fmt == "github":
        return "title=DSL101::" in run.stdout and "Dockerfile,line=1," in run.stdout
    return f"{good}:1:1: DSL101 error: " in run.stdout


def check(bad, good, *, code, error=None, fmt="text", extra=(), inputs=None, timeout=120,
          preexec_fn=None, cwd=None, n_errors=1, env=None):
    """Lint `bad` (a path or a list of paths) alone, then next to `good`; check the contract.

    code: the documented exit code for `bad` alone (with `good`, whose findings fail,
    it is max(code, 1)). error: a fragment of the one standard-error line that must
    name the first bad path (None: standard error must be empty; n_errors: how many
    lines name it, e.g. two broken files in one folder). Returns the run with `good`.
    """
    bad_paths = [bad] if isinstance(bad, str) else list(bad)
    watched = list(inputs or bad_paths) + [good]
    before = snapshot(watched)
    runs = []
    for with_good, expected in ((False, code), (True, max(code, 1))):
        args = list(extra) + ["--no-color", "--format", fmt] + bad_paths + ([good] if with_good else [])
        run = lint(args, timeout=timeout, preexec_fn=preexec_fn, cwd=cwd, env=env)
        context = (f"{'with' if with_good else 'without'} the good file: exit {run.code}\n"
                   f"stdout: {run.stdout[-2000:]}\nstderr: {run.stderr[-2000:]}")
        assert run.code == expected, context
        assert "Traceback" not in run.stderr and "Traceback" not in run.stdout, context
        assert "internal error" not in run.stderr and "internal error" not in run.stdout, context
        assert all(line.startswith(PREFIX) for line in run.errors), context
        if error is None:
            assert run.errors == [], context
        else:
            ours = [line for line in run.errors if shown(bad_paths[0]) in line]
            assert len(ours) == n_errors and all(error in line for line in ours), context
            assert len(run.errors) == n_errors, context
        if with_good:
            assert good_linted(run, good, fmt), context  # the other file was still linted
        if fmt in ("text", "github"):
            assert not RAW_CONTROL.search(run.stdout_bytes), context
        assert not RAW_CONTROL.search(run.stderr_bytes.replace(b"\n", b"")), context
        if fmt in ("json", "sarif"):
            json.loads(run.stdout)
        runs.append(run)
    assert snapshot(watched) == before, "an input was changed"
    return runs[-1]


def findings_of(run, path):
    """(rule, line) pairs reported for `path` in a JSON run."""
    doc = json.loads(run.stdout)
    return sorted((f["rule"], f["line"]) for f in doc["findings"] if f["file"] == path)


def write(tmp_path, name, data):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


# -- contents the linter can judge (exit 0 or 1, findings name the file) ----------------

def test_empty_file(tmp_path, good):
    bad = write(tmp_path, "empty/Dockerfile", b"")
    run = check(bad, good, code=1)
    assert f"{bad}:1:1: DSL001 error: cannot read this as a Dockerfile: file with no instructions" in run.stdout
    blank = write(tmp_path, "blank/Dockerfile", b"\n  \n# only a comment\n")
    run = check(blank, good, code=1, fmt="json")
    assert findings_of(run, blank) == [("DSL001", 1)]


def test_binary_file(tmp_path, good):
    import random

    rnd = random.Random(1)
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rnd.randrange(256) for _ in range(4096))
    bad = write(tmp_path, "bin/Dockerfile", data)
    # Not a text file: one line, exit 2, none of its bytes printed back.
    run = check(bad, good, code=2, error="not a text file")
    assert run.errors == [f"{PREFIX}{bad}: not a text file"] and "IHDR" not in run.stdout
    run = check(bad, good, code=2, error="not a text file", fmt="json")
    assert findings_of(run, bad) == [] and bad not in json.loads(run.stdout)["files"]


def test_nul_bytes(tmp_path, good):
    bad = write(tmp_path, "nul/Dockerfile", CLEAN.replace(b"go build", b"go\x00build").replace(b"COPY . .", b"COPY .\x00 ."))
    run = check(bad, good, code=0, fmt="json")
    assert findings_of(run, bad) == []  # NULs inside values: BuildKit takes them as data
    # a NUL where an instruction name belongs: the file is not a Dockerfile
    bad2 = write(tmp_path, "nul2/Dockerfile", b"FROM alpine\n\x00RUN true\n")
    run = check(bad2, good, code=1)
    assert f"{bad2}:2:1: DSL001 error: cannot read this as a Dockerfile: unknown instruction: \\x00" in run.stdout


def test_latin1_bytes(tmp_path, good):
    bad = write(tmp_path, "latin1/Dockerfile",
                CLEAN.replace(b"COPY . .", b'LABEL author="Jos\xe9 Mu\xf1oz"\nCOPY . .'))
    run = check(bad, good, code=1, fmt="json")
    assert findings_of(run, bad) == [("DSL002", 2)]  # a warning; everything else still linted
    run = check(bad, good, code=1)
    assert f"{bad}:2:1: DSL002 warning: this line holds bytes that are not UTF-8" in run.stdout


def test_utf8_bom(tmp_path, good):
    plain = write(tmp_path, "plain/Dockerfile", GOOD_BYTES)
    bom = write(tmp_path, "bom/Dockerfile", b"\xef\xbb\xbf" + GOOD_BYTES)
    run = check([bom, plain], good, code=1, fmt="json", inputs=[bom, plain])
    assert findings_of(run, bom) == findings_of(run, plain) != []


def test_crlf(tmp_path, good):
    lf = write(tmp_path, "lf/Dockerfile", GOOD_BYTES + b"RUN apt-get install -y \\\n    gcc\n"
               b"RUN <<EOF\nset -e\necho hi\nEOF\n")
    crlf = write(tmp_path, "crlf/Dockerfile", open(lf, "rb").read().replace(b"\n", b"\r\n"))
    run = check([crlf, lf], good, code=1, fmt="json", inputs=[crlf, lf])
    assert findings_of(run, crlf) == findings_of(run, lf) != []
    run = check([crlf], good, code=1, fmt="text")
    assert "\r" not in run.stdout


# A hang guard, not a timing assertion: a linear linter needs a few seconds for these.
HANG_GUARD = 60

def ten_megabytes():
    """10 MB as big files really are: many RUNs, a huge heredoc body, long comments."""
    runs = b"RUN apt-get update && apt-get install -y curl ca-certificates && rm -rf /var/lib/apt/lists/*\n"
    body = b"key_%d: some configuration value that goes on for a while\n"
    comment = b"# " + b"x" * 1000 + b"\n"
    data = (b"FROM ubuntu:24.04\n" + runs * 10000 + b"COPY <<EOF /etc/app.yaml\n"
            + b"".join(body % i for i in range(140000)) + b"EOF\n" + comment * 1000 + b"USER 1000\n")
    assert len(data) > 10 * 1024 * 1024, len(data)
    return data


def test_ten_megabyte_file(tmp_path, good):
    bad = write(tmp_path, "big/Dockerfile", ten_megabytes())
    run = check(bad, good, code=1, fmt="json", timeout=HANG_GUARD)
    found = findings_of(run, bad)
    assert ("DSL202", 1) in found and ("DSL401", 10001) not in found  # every RUN cleans up


def test_file_over_size_cap(tmp_path, good):
    from dockerslim_lint.files import MAX_BYTES

    bad = str(tmp_path / "huge" / "Dockerfile")
    os.makedirs(os.path.dirname(bad))
    with open(bad, "wb") as f:  # sparse: no disk used, never read
        f.truncate(MAX_BYTES + 1)
    check(bad, good, code=2, error=f"file too large ({MAX_BYTES + 1} bytes; limit {MAX_BYTES})")


def test_50000_line_continuation(tmp_path, good):
    data = b"FROM ubuntu:24.04\nRUN apt-get install -y \\\n" + b"    pkg \\\n" * 50000 + b"    gcc\n"
    bad = write(tmp_path, "cont/Dockerfile", data)
    run = check(bad, good, code=1, fmt="json", timeout=HANG_GUARD)
    assert ("DSL303", 2) in findings_of(run, bad)  # gcc, 50,000 lines below, points at the RUN


def test_2000_chained_arg_substitutions(tmp_path, good):
    lines = [b"ARG A0=ubuntu:24.04"] + [b"ARG A%d=$A%d" % (i, i - 1) for i in range(1, 2000)]
    data = b"\n".join(lines) + b"\nFROM $A1999\nRUN true\n"
    bad = write(tmp_path, "args/Dockerfile", data)
    run = check(bad, good, code=1, fmt="json")
    doc = json.loads(run.stdout)
    ours = [f for f in doc["findings"] if f["file"] == bad]
    # the chain resolves: the base is ubuntu (a full OS), and findings point at the FROM line
    assert ("DSL202", 2001) in findings_of(run, bad)
    assert any("ubuntu" in f["message"] or (f["suggestion"] and "ubuntu" in f["suggestion"]["text"])
               for f in ours), ours


def test_unterminated_heredoc(tmp_path, good):
    bad = write(tmp_path, "heredoc/Dockerfile", b"FROM alpine:3.20\nRUN <<EOF\napk add curl\necho never closed\n")
    run = check(bad, good, code=1)
    assert f"{bad}:2:1: DSL001 error: cannot read this as a Dockerfile: unterminated heredoc" in run.stdout


def test_flags_without_values(tmp_path, good):
    data = (b"FROM --platform= golang:1.22 AS build\nRUN --mount= --network= go build -o /app .\n"
            b"FROM --platform= gcr.io/distroless/static-debian13:nonroot\n"
            b"COPY --from= --chown= --chmod= /app /app\nHEALTHCHECK --interval= --retries= CMD [\"/app\", \"-h\"]\n"
            b"ENTRYPOINT [\"/app\"]\n")
    bad = write(tmp_path, "flags/Dockerfile", data)
    # BuildKit takes an empty value as given (--from= names no stage, --platform= no platform):
    # nothing to judge there, and the rest of the file is linted as usual (it is clean).
    run = check(bad, good, code=0, fmt="json")
    assert findings_of(run, bad) == []
    check(bad, good, code=0, fmt="text")


ESCAPES = (b"FROM ubuntu\x1b[31m:22.04\x1b[0m AS b\x1b]0;pwned\x07uild\n"
           b"LABEL x=\"\x1b[2J\x1b[H cleared\" y=\xe2\x80\xae\n"
           b"USER root\x07\x1b[8m\nRUN echo \x9b31m\n"
           b"FROM alpine:3.20\x1b[1A\nCOPY --from=b\x1b[K /a /a\nCMD [\"/a\x1b[31m\"]\n")


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_terminal_escapes(tmp_path, good, fmt):
    bad = write(tmp_path, "esc/Dockerfile", ESCAPES)
    # the escape sequences also sit in a file name and in a missing path
    named = write(tmp_path, "esc/app.\x1b[31mred\x1b[0m.Dockerfile", ESCAPES)
    missing = str(tmp_path / "gone\x1b]0;title\x07" / "Dockerfile")
    run = check([missing, bad, named], good, code=2, error="no such file or directory", fmt=fmt,
                inputs=[bad, named])
    for raw in (b"\x1b", b"\x07", b"\xe2\x80\xae", b"\xc2\x9b"):
        assert raw not in run.stdout_bytes and raw not in run.stderr_bytes, (raw, run.stdout)
    if fmt == "json":
        doc = json.loads(run.stdout)
        assert named in doc["files"] and bad in doc["files"]  # the data survives, escaped as JSON
    else:
        assert "\\x1b[31m" in run.stdout  # visible, not interpreted
    assert "gone\\x1b]0;title\\x07" in run.stderr


# -- paths the linter cannot read (exit 2, one line naming the path) -------------------

def test_missing_path(tmp_path, good):  # also tests/test_cli.py::test_missing_path_is_io_error_and_others_still_linted
    for fmt in ("text", "json"):
        check(str(tmp_path / "nope" / "Dockerfile"), good, code=2, error="no such file or directory", fmt=fmt)
    dangling = str(tmp_path / "Dockerfile.dangling")
    os.symlink(str(tmp_path / "nowhere"), dangling)
    check(dangling, good, code=2, error="no such file or directory")


def test_directory_without_dockerfiles(tmp_path, good):  # also tests/test_cli.py::test_directory_without_dockerfiles
    empty = tmp_path / "empty"
    (empty / "src").mkdir(parents=True)
    (empty / "README.md").write_text("no Dockerfile here\n")
    for fmt in ("text", "json"):
        check(str(empty), good, code=2, error="no Dockerfiles found in this directory", fmt=fmt)


def test_unreadable_file_permission_error(tmp_path, good, monkeypatch):
    """The EACCES path, in process: os.open raises PermissionError (works as root too)."""
    from click.testing import CliRunner

    from dockerslim_lint import files
    from dockerslim_lint.cli import cli

    bad = write(tmp_path, "locked/Dockerfile", CLEAN)
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if os.fspath(path) == bad:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", fake_open)
    before = snapshot([bad, good])
    result = CliRunner().invoke(cli, ["--no-color", bad, good], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"{PREFIX}{bad}: permission denied"]
    assert f"{good}:1:1: DSL101 error: " in result.stdout
    assert snapshot([bad, good]) == before


def _without_dac_override():
    """A preexec_fn for root: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding
    set, so that the child (root, exec'd after this) obeys file permissions like any user.
    None when not root; raises OSError when the capabilities cannot be dropped."""
    if os.geteuid() != 0:
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2

    def drop():
        for cap in (cap_dac_override, cap_dac_read_search):
            if libc.prctl(pr_capbset_drop, cap, 0, 0, 0) != 0:
                err = ctypes.get_errno()
                raise OSError(err, os.strerror(err))

    return drop


def _permissions_apply():
    """Whether chmod 000 stops the linter here (as root: once the DAC capabilities are dropped)."""
    if not sys.platform.startswith("linux") and os.geteuid() == 0:
        return False
    try:
        probe = subprocess.run(["cat", "/proc/self/status"], preexec_fn=_without_dac_override(),
                               capture_output=True, text=True)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


@pytest.mark.skipif(not hasattr(os, "geteuid") or not _permissions_apply(),
                    reason="file permissions cannot be made to apply here (root whose CAP_DAC_OVERRIDE "
                           "cannot be dropped); test_unreadable_file_permission_error covers the code path")
def test_unreadable_file(tmp_path, good):
    """chmod 000 on a file, a searched folder and a folder inside it. Tests run as root here,
    and chmod does not stop root: the linter then runs as root without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH, which is what makes root obey permissions (as any other user)."""
    preexec = _without_dac_override()
    bad = write(tmp_path, "locked/Dockerfile", CLEAN)
    top = tmp_path / "closed"
    write(tmp_path, "closed/Dockerfile", CLEAN)
    repo = tmp_path / "repo"
    write(tmp_path, "repo/Dockerfile", GOOD_BYTES)
    write(tmp_path, "repo/secret/Dockerfile", CLEAN)
    locked = [bad, str(top), str(repo / "secret")]
    for path in locked:
        os.chmod(path, 0)
    try:
        check(bad, good, code=2, error="permission denied", preexec_fn=preexec)
        # a folder that cannot be listed is named, not "no Dockerfiles found"
        check(str(top), good, code=2, error="permission denied", preexec_fn=preexec, inputs=[])
        # a folder inside a searched one is named too, never skipped silently
        run = check(str(repo), good, code=2, error="permission denied", preexec_fn=preexec,
                    inputs=[str(repo / "Dockerfile")])
        assert run.errors == [f"{PREFIX}{repo / 'secret'}: permission denied"]
        assert f"{repo / 'Dockerfile'}:1:1: DSL101" in run.stdout  # the readable one is linted
    finally:
        for path in locked:
            os.chmod(path, 0o755)


def test_symlink_loop(tmp_path, good):  # also tests/test_cli.py::test_symlink_loop
    loop = str(tmp_path / "Dockerfile")
    os.symlink(loop, loop)
    check(loop, good, code=2, error="symbolic link loop")
    # inside a directory that is searched: found by name, refused when read
    folder = tmp_path / "repo"
    folder.mkdir()
    os.symlink("Dockerfile.a", str(folder / "Dockerfile.b"))
    os.symlink("Dockerfile.b", str(folder / "Dockerfile.a"))
    os.symlink(".", str(folder / "self"))  # a directory loop is never followed
    check(str(folder), good, code=2, error="symbolic link loop", inputs=[str(folder)], n_errors=2)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo(tmp_path, good):  # also tests/test_cli.py::test_fifo_does_not_block
    fifo = str(tmp_path / "Dockerfile")
    os.mkfifo(fifo)
    check(fifo, good, code=2, error="not a regular file", timeout=30)
    folder = tmp_path / "repo"
    folder.mkdir()
    os.mkfifo(str(folder / "Dockerfile"))
    check(str(folder), good, code=2, error="not a regular file", timeout=30, inputs=[str(folder)])


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_symlink_to_device(tmp_path, good):
    """A Dockerfile that is a link to an endless device is refused, never read."""
    folder = tmp_path / "repo"
    folder.mkdir()
    os.symlink("/dev/zero", str(folder / "Dockerfile"))
    check(str(folder / "Dockerfile"), good, code=2, error="not a regular file", timeout=30,
          inputs=[str(folder)])


def test_bad_format(tmp_path, good):  # also tests/test_cli.py::test_bad_format_is_usage_error
    """A usage error stops before anything is linted: no report, one usage message."""
    before = snapshot([good])
    run = lint(["--format", "xml", good])
    assert run.code == 2 and run.stdout == ""
    assert "Traceback" not in run.stderr
    assert "Invalid value for '-f' / '--format': 'xml' is not one of" in run.stderr
    assert snapshot([good]) == before


def test_unwritable_output(tmp_path, good):
    out = str(tmp_path / "no-such-dir" / "report.json")
    run = lint(["--format", "json", "-o", out, good])
    assert run.code == 2 and "Traceback" not in run.stderr
    assert run.errors == [f"{PREFIX}{out}: cannot write report: no such file or directory"]
    assert not os.path.exists(os.path.dirname(out))


def test_file_name_not_utf8(tmp_path, good):
    """A file name with bytes that are not UTF-8 (allowed on Linux) is linted and shown escaped."""
    folder = os.path.join(os.fsencode(str(tmp_path)), b"repo")
    os.mkdir(folder)
    raw = os.path.join(folder, b"Dockerfile.caf\xe9")
    with open(raw, "wb") as f:
        f.write(GOOD_BYTES)
    run = check(os.fsdecode(folder), good, code=1, inputs=[os.fsdecode(folder)])
    assert "Dockerfile.caf\\xe9:1:1: DSL101" in run.stdout  # the byte, made visible
    for fmt in ("json", "github"):
        check(os.fsdecode(folder), good, code=1, fmt=fmt, inputs=[os.fsdecode(folder)])


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_output_encoding_lacks_characters(tmp_path, good, fmt):
    """Standard output in ASCII or Latin-1 (PYTHONIOENCODING, an ASCII locale, an old Windows
    console): characters from the Dockerfile it cannot encode never crash the report; they
    are written as escapes (or as UTF-8, where the stream is one click replaces)."""
    bad = write(tmp_path, "uni/Dockerfile", b"FROM ubuntu:22.04\xc3\xa9\xe6\x97\xa5\nRUN apt-get install -y gcc\n"
                b"LABEL note=\"\xe6\x97\xa5\xe6\x9c\xac\"\n")
    for encoding in ("ascii", "latin-1"):
        run = check(bad, good, code=1, fmt=fmt, env={"PYTHONIOENCODING": encoding})
        assert any(form in run.stdout for form in ("ubuntu:22.04\\xe9\\u65e5", "ubuntu:22.04é\\u65e5",
                                                   "ubuntu:22.04é日")), run.stdout


# -- configuration (exit 2 before anything is linted: a wrong config would judge wrongly) --

def _has_config_option():
    run = lint(["--help"])
    return "--config" in run.stdout


needs_config = pytest.mark.skipif(not _has_config_option(), reason="--config does not exist yet")


@needs_config
def test_missing_config(tmp_path, good):
    missing = str(tmp_path / "nope.yaml")
    before = snapshot([good])
    run = lint(["--no-color", "--config", missing, good])
    assert run.code == 2 and run.stdout == "", run.stderr
    assert len(run.errors) == 1 and missing in run.errors[0] and run.errors[0].startswith(PREFIX), run.errors
    assert "Traceback" not in run.stderr
    assert snapshot([good]) == before


@needs_config
@pytest.mark.parametrize("name,text", [
    (".dockerslim-lint.yaml", b"ignore: [DSL101\nselect: {\n"),  # not YAML
    (".dockerslim-lint.yaml", b"\x00\xff\xfe garbage"),  # not text
    (".dockerslim-lint.yaml", b"- a list\n- not a mapping\n"),
    ("pyproject.toml", b"[tool.dockerslim-lint\nignore = 1\n"),  # not TOML
])
def test_malformed_config(tmp_path, good, name, text):
    config = write(tmp_path, "cfg/" + name, text)
    for args, target in (([f"--config={config}", good], good),
                         ([os.path.join(os.path.dirname(config), "Dockerfile")], None)):
        if target is None:  # found by lookup from the linted file's directory
            write(tmp_path, "cfg/Dockerfile", GOOD_BYTES)
        watched = [config, good, os.path.join(os.path.dirname(config), "Dockerfile")]
        before = snapshot(watched)
        run = lint(["--no-color"] + args)
        assert run.code == 2 and run.stdout == "", (run.stdout, run.stderr)
        assert len(run.errors) == 1 and config in run.errors[0], run.errors
        assert "Traceback" not in run.stderr and "internal error" not in run.stderr
        assert not RAW_CONTROL.search(run.stderr_bytes.replace(b"\n", b""))
        assert snapshot(watched) == before


def test_robustness_doc_names_real_tests():
    """Every test that docs/robustness.md names exists, and every test here is in the doc."""
    import ast

    root = os.path.dirname(FIXTURES)
    with open(os.path.join(root, "docs", "robustness.md"), encoding="utf-8") as f:
        doc = f.read()
    defined = {}
    for name in ("test_robustness.py", "test_cli.py", "test_fuzz.py", "test_output.py"):
        with open(os.path.join(root, "tests", name), encoding="utf-8") as f:
            defined[name] = {n.name for n in ast.parse(f.read()).body
                             if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}
    named = re.findall(r"`(?:tests/(test_\w+\.py)::)?(test_\w+)(?:\[[^\]]*\])?`", doc)
    assert named
    for module, test in named:
        assert test in defined[module or "test_robustness.py"], (module, test)
    mentioned = {test for module, test in named if not module}
    missing = defined["test_robustness.py"] - mentioned - {"test_robustness_doc_names_real_tests"}
    assert not missing, f"tests not in docs/robustness.md: {sorted(missing)}"
