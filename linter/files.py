"""Finding and reading the files to lint, without ever blocking or raising."""
from __future__ import annotations

import errno
import fnmatch
import functools
import os
import re
import stat
from dockerslim_lint import lazyre

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Iterator, Optional, Tuple

# `dockerfile` in lower case: `docker build` falls back to it when there is no `Dockerfile`.
DOCKERFILE_PATTERNS = ("Dockerfile", "dockerfile", "Dockerfile.*", "Dockerfile-*", "*.Dockerfile",
                       "*.dockerfile", "Containerfile", "Containerfile.*")
# `Dockerfile.dockerignore` (BuildKit: the ignore file of one Dockerfile) is not a Dockerfile.
NOT_DOCKERFILE_SUFFIXES = (".dockerignore",)
# The instruction keywords BuildKit knows, for telling a binary file from a Dockerfile.
_KEYWORDS = lazyre.compile(rb"\s*(from|run|cmd|label|maintainer|expose|env|add|copy|entrypoint|volume|user|"
                       rb"workdir|arg|onbuild|stopsignal|healthcheck|shell)(\s|$)", re.I)
SNIFF_BYTES = 8 * 1024
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox",
             ".venv", "venv", ".mypy_cache", ".pytest_cache"}
MAX_BYTES = 64 * 1024 * 1024  # a Dockerfile larger than this is not a Dockerfile


def is_dockerfile_name(name: str) -> bool:
    if name.endswith(NOT_DOCKERFILE_SUFFIXES):
        return False
    return _dockerfile_name_re().match(name) is not None


@functools.lru_cache(maxsize=None)
def _dockerfile_name_re():
    """DOCKERFILE_PATTERNS as one regex: what any(fnmatchcase(name, p)) says, in one match
    per file name of a walked tree instead of eight."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in DOCKERFILE_PATTERNS))


def is_text(data: bytes) -> bool:
    """False for a file that is not text: NUL bytes in its first 8 KiB and no instruction
    keyword on its first line (blank and comment lines skipped). A NUL inside an otherwise
    readable Dockerfile leaves it text (it is linted as usual)."""
    if data.find(b"\x00", 0, SNIFF_BYTES) < 0:  # most files: no copy of the head needed
        return True
    head = data[:SNIFF_BYTES]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    for line in head.split(b"\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#"):
            continue
        return _KEYWORDS.match(line) is not None
    return False


def _key(path: str) -> str:
    """The same file named twice (`Dockerfile ./Dockerfile`, a folder and a file in it) is one key."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):  # pragma: no cover
        return os.path.normpath(path)


def _keys():
    """_key, with the real path of each folder kept: `realpath(folder/name)` is
    `realpath(folder)/name` unless that is a symbolic link, so a file of a walked tree costs
    one lstat instead of one per component of its path (the folders the same, in turn)."""
    known: dict = {}

    def real(path: str) -> str:
        pending = []
        while True:
            found = known.get(path)
            if found is not None:
                break
            head, tail = os.path.split(path)
            if not head or tail in ("", ".", ".."):
                found = known[path] = _key(path)
                break
            pending.append((path, tail))
            path = head
        for path, tail in reversed(pending):  # from the outermost folder down
            candidate = os.path.join(found, tail)
            try:
                found = _key(path) if os.path.islink(candidate) else candidate
            except ValueError:  # pragma: no cover - a NUL in the name
                found = _key(path)
            known[path] = found
        return found

    return real


def expand_paths(paths) -> Iterator[Tuple[str, str]]:
    """Yield ("file", path) for each file to lint, once (the first spelling wins), and ("error",
    message) for each bad path."""
    seen = set()
    key_of = _keys()
    for kind, item, key in _expand_paths(paths, key_of):
        if key is None:
            key = item if kind == "error" or item == "-" else key_of(item)
        key = (kind, key)
        if key in seen:
            continue
        seen.add(key)
        yield kind, item


def _expand_paths(paths, key_of) -> Iterator[Tuple[str, str, Optional[str]]]:
    """(kind, item, the file's real path when already known, else None) for expand_paths."""
    for path in paths:
        if path == "-":
            yield "file", path, None
            continue
        try:
            st = os.stat(path)
        except OSError as exc:
            yield "error", f"{path}: {_os_error(exc)}", None
            continue
        if stat.S_ISDIR(st.st_mode):
            found = reported = False
            for kind, item, key in _walk(path, key_of(path)):
                found = found or kind == "file"
                reported = reported or kind == "error"
                yield kind, item, key
            if not found and not reported:
                yield "error", (f"{path}: no Dockerfiles found in this directory (looked for "
                                f"{', '.join(DOCKERFILE_PATTERNS)})"), None
        else:
            yield "file", path, None


def _walk(top: str, top_real: str) -> Iterator[Tuple[str, str, Optional[str]]]:
    """("file", path, real path) for each Dockerfile under the folder `top`, in the order of
    `os.walk(top)` with sorted names (a folder's files, then its sub-folders one by one),
    skipping SKIP_DIRS, virtualenvs and symbolic links to folders; ("error", message, None)
    for a folder that cannot be listed: never silently skipped, its Dockerfiles would go
    unlinted without a word.

    os.walk's own work, with what it throws away kept: the directory entries say which
    names are links without a system call, so a file's real path is its folder's real path
    joined with its name (realpath for a link), instead of an lstat per file."""
    # os.path.join(folder, name) is prefix + name: a name holds no separator.
    stack = [(top, os.path.join(top, ""), os.path.join(top_real, ""))]
    sep = os.sep
    while stack:
        folder, prefix, real_prefix = stack.pop()
        below_top = folder is not top
        folders, names = [], []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()  # follows links, as os.walk
                    except OSError:
                        is_dir = False
                    (folders if is_dir else names).append(entry)
        except OSError as exc:
            if not (below_top and _is_virtualenv(prefix)):
                yield "error", f"{exc.filename or folder}: {_os_error(exc)}", None
            continue
        # A virtualenv below the top is skipped whole, as os.walk's caller pruned it; seen
        # in its own listing rather than by a stat of every folder's pyvenv.cfg.
        if below_top and any(entry.name == "pyvenv.cfg" for entry in names + folders) and _is_virtualenv(prefix):
            continue
        names.sort(key=_name)
        for entry in names:
            name = entry.name
            if is_dockerfile_name(name):
                path = prefix + name
                yield "file", path, _key(path) if _is_link(entry) else real_prefix + name
        below = sorted(entry.name for entry in folders if entry.name not in SKIP_DIRS
                       and not _is_link(entry))  # os.walk does not follow links to folders
        for name in reversed(below):  # the stack pops the first name first
            stack.append((prefix + name, prefix + name + sep, real_prefix + name + sep))


def _is_virtualenv(prefix: str) -> bool:
    """Whether the folder `prefix` (ending with a separator) holds a pyvenv.cfg."""
    return os.path.exists(prefix + "pyvenv.cfg")


def _name(entry) -> str:
    return entry.name


def _is_link(entry) -> bool:
    try:
        return entry.is_symlink()
    except OSError:  # pragma: no cover - d_type unknown and the entry gone: as os.path.islink
        return False


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
