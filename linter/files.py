"""Finding and reading the files to lint, without ever blocking or raising."""
from __future__ import annotations

import errno
import fnmatch
import os
import stat
from typing import Iterator, Tuple

DOCKERFILE_PATTERNS = ("Dockerfile", "Dockerfile.*", "Dockerfile-*", "*.Dockerfile",
                       "*.dockerfile", "Containerfile", "Containerfile.*")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox",
             ".venv", "venv", ".mypy_cache", ".pytest_cache"}
MAX_BYTES = 64 * 1024 * 1024  # a Dockerfile larger than this is not a Dockerfile


def is_dockerfile_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in DOCKERFILE_PATTERNS)


def _is_virtualenv(path: str) -> bool:
    return os.path.exists(os.path.join(path, "pyvenv.cfg"))


def expand_paths(paths) -> Iterator[Tuple[str, str]]:
    """Yield ("file", path) for each file to lint and ("error", message) for each bad path."""
    for path in paths:
        if path == "-":
            yield "file", path
            continue
        try:
            st = os.stat(path)
        except OSError as exc:
            yield "error", f"{path}: {_os_error(exc)}"
            continue
        if stat.S_ISDIR(st.st_mode):
            found = False
            # A folder that cannot be listed (permission denied...) is an error, never
            # silently skipped: its Dockerfiles would go unlinted without a word.
            walk_errors, reported = [], False
            for root, dirs, names in os.walk(path, onerror=walk_errors.append):
                for exc in walk_errors:
                    reported = True
                    yield "error", f"{exc.filename or root}: {_os_error(exc)}"
                del walk_errors[:]
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                                 and not _is_virtualenv(os.path.join(root, d)))
                for name in sorted(names):
                    if is_dockerfile_name(name):
                        found = True
                        yield "file", os.path.join(root, name)
            for exc in walk_errors:
                reported = True
                yield "error", f"{exc.filename or path}: {_os_error(exc)}"
            if not found and not reported:
                yield "error", (f"{path}: no Dockerfiles found in this directory (looked for "
                                f"{', '.join(DOCKERFILE_PATTERNS)})")
        else:
            yield "file", path


def _os_error(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return exc.strerror or str(exc)


def read_file(path: str) -> bytes:
    """Read a regular file. Raises OSError with a one-line reason for anything else.

    FIFOs, sockets and devices are refused before opening, so a FIFO never blocks
    us; O_NONBLOCK guards against the file being swapped between stat and open.
    """
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise OSError(errno.EISDIR, "is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "not a regular file (FIFO, socket or device)")
    if st.st_size > MAX_BYTES:
        raise OSError(errno.EFBIG, f"file too large ({st.st_size} bytes; limit {MAX_BYTES})")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def describe_os_error(exc: OSError) -> str:
    return _os_error(exc)
