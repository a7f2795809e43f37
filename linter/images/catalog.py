"""Image references and the image catalog (image facts).

The catalog is data (`data/catalog.yaml`, shipped in the package), loaded once per
process; users extend or override it (config key `images`). Its schema, sources and
how to extend it: docs/catalog.md.

CONTRACT (other modules rely on these names):
    ImageRef.parse(text, platform=None) -> ImageRef   (never raises)
    ImageFacts                                         (frozen record, below)
    Catalog.facts(ref) -> ImageFacts | None            (None: unknown image)
    Catalog.package_size_mb(manager, package) -> float | None  ("apt" / "apk")
    Catalog.extend(mapping)                            (user `images:` entries)
    default_catalog() -> Catalog                       (cached, loaded once)

Added on top of the contract:

    ImageRef.name            canonical name: "alpine", "opensuse/leap", "gcr.io/distroless/static-debian13"
    ImageRef.lookup_tag      the tag facts are looked up with: the tag, or "latest" when none is written
    ImageRef.canonical       "name:tag@digest" as far as known

    ImageFacts fields beyond the contract: size_compressed_mb (a compressed figure, never mixed into
    size_mb), replacement (a hint in words), unknown (names of facts the catalog does not know).
    Unknown facts: shell == UNKNOWN ("unknown"), default_user None, and for package_managers,
    entrypoint, cmd, libc, size_mb the field name is listed in `unknown`. Helpers that answer None
    when the fact is unknown: has_shell, has_package_manager, runs_as_root, is_minimal.

    Catalog.facts(ref_or_text)                    also accepts a string (parsed with ImageRef.parse)
    Catalog.package_size_mb(manager, package, recommends=False) -> float | None
        Size in MB of installing one package with the dependencies a base image does not already
        have (Debian: on a minimal bookworm base; with recommends=True what a plain
        `apt-get install` adds). `manager` is "apt"/"apt-get"/"apk"; version pins and arch
        qualifiers ("gcc=4:12.2.0-3", "gcc:amd64") are ignored. None when not sourced.
    Catalog.packages_size_mb(manager, packages, recommends=False) -> (float, tuple_of_unknown_names)
        Size of installing several packages together: the union of their closures, so shared
        dependencies count once, plus the names the catalog cannot size.
    Catalog.extend(mapping)
        User entries, same schema as the YAML: either a whole document ({"families": ...,
        "packages": ..., "replacements": ...}) or just a mapping of families ({id: family}).
        A family with an existing id replaces it; names that several families claim go to the
        one added last, so user entries win. Bad entries raise ValueError naming the entry and
        the field. Idempotent per call; clears the lookup cache.
    ImageFacts OS fields (None always means unknown): distro, distro_release ("13", "24.04"; a codename
        is turned into its number), glibc_version (from `distributions` by distro and release when
        libc is glibc, unless the family sets it), programs (frozenset of absolute paths; `@set`
        references to `program_sets` expanded; on a merged-/usr release /bin/x and /usr/bin/x both),
        python_path, workdir, path_env, c_compiler (True/False), gopath, facts_note (their source and date).
        ImageFacts.has_program(name_or_path, path_env=None) -> True/False/None (None: unknown).
    Catalog.glibc_version_of(distro, release) -> "2.36" | None   (release number or codename)
    Catalog.distro_release_of(distro, release_or_codename) -> "12" | None
    Catalog.distro_python3(distro, release) -> ("3.11", "/usr/bin/python3") | None  (the distro's python3 package)
    Catalog.program_set(name) -> frozenset | None;  Catalog.distribution_source(distro, release=None) -> dict
    Catalog.family_ids() -> tuple of family ids;  Catalog.replacement_families() -> tuple of names
    Catalog.copy() -> Catalog      an independent copy; extend a copy (or load_catalog(user_images)),
                                   never the shared default_catalog()
    load_catalog(user_images=None) -> Catalog   bundled data + user entries, a fresh object
    Catalog.replacement(family="distroless", runtime=None, version=None, linkage=None, flavor=None)
            -> Replacement | None
        The suggested runtime image of a suggestion family for what a Dockerfile ships:
          runtime   "go", "rust", "c", "cpp" (compiled: picked by linkage), "python", "node",
                    "java", "dotnet" (picked by version), "static" (any static binary), or
                    None/"unknown" (a guess, Replacement.guess True). Aliases: golang, nodejs,
                    c++, jvm/kotlin/scala, csharp/.net are understood.
          version   as detected ("3.12", "20", "21", "8.0"; longer ones are cut: "20.11.1" -> "20",
                    "3.12.1" -> "3.12", "1.8" -> "8" for Java, "8" -> "8.0" for .NET)
          linkage   "static" | "glibc" ("dynamic") | "libgcc" | "musl"; musl-linked programs get None
                    (no musl runtime in these families) unless static
          flavor    .NET: "aspnet"/"web", "runtime"/"console", "runtime-deps"/"self-contained"/"aot"
        Returns None when the family does not exist, or has nothing that runs this runtime at all
        (e.g. .NET 6, or a musl program). Replacement.exact says whether the image runs the same
        version (True), the nearest other version (False, said in .note) or an unknown one (None,
        e.g. chainguard :latest). Replacement.fallback is True when the image is not from the
        requested family (distroless for Python 3.12 answers python:3.12-slim). Sizes, entrypoint
        and default user come from the image's own facts (Replacement.facts).
"""
from __future__ import annotations

from dockerslim_lint import lazyre
from dockerslim_lint import records
import functools
import re
from collections.abc import Mapping as _Map  # isinstance on typing.Mapping is several times slower
from dockerslim_lint.records import field, record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple, Union

UNKNOWN = "unknown"
KINDS = ("scratch", "minimal", "slim-runtime", "full-os", "toolchain")
LIBCS = ("glibc", "musl")

# Hosts that are Docker Hub itself, or mirror Docker Hub paths one to one.
_DOCKER_HUB_HOSTS = frozenset({
    "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com",
    "hub.docker.com", "mirror.gcr.io",
})
# Official images' architecture namespaces on Docker Hub, and the platform each one means.
ARCH_NAMESPACES = {
    "amd64": "linux/amd64",
    "arm32v5": "linux/arm/v5",
    "arm32v6": "linux/arm/v6",
    "arm32v7": "linux/arm/v7",
    "arm64v8": "linux/arm64/v8",
    "i386": "linux/386",
    "ppc64le": "linux/ppc64le",
    "s390x": "linux/s390x",
    "riscv64": "linux/riscv64",
    "mips64le": "linux/mips64le",
    "windows-amd64": "windows/amd64",
}

_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*\Z")
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                   r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?\Z")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")
_DIGEST = lazyre.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}\Z")


@record(frozen=True)
class ImageRef:
    """An image reference split into registry, repository, tag and digest."""

    raw: str  # as written after ARG substitution
    registry: Optional[str] = None  # "gcr.io", "localhost:5000"; None for Docker Hub
    repository: str = ""  # canonical path without registry: "alpine" (library/ dropped), "distroless/static-debian13"
    tag: Optional[str] = None
    digest: Optional[str] = None
    platform: Optional[str] = None
    unresolved: bool = False  # still holds an unexpanded variable: unknown facts

    @property
    def is_scratch(self) -> bool:
        return self.registry is None and self.repository == "scratch"

    @property
    def name(self) -> str:
        """Canonical name the catalog matches on: repository, prefixed by the registry if any."""
        if not self.repository:
            return ""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def lookup_tag(self) -> str:
        """The tag facts are looked up with: an absent tag means `latest`."""
        return self.tag or "latest"

    @property
    def canonical(self) -> str:
        text = self.name
        if self.tag:
            text += ":" + self.tag
        if self.digest:
            text += "@" + self.digest
        return text

    @classmethod
    def parse(cls, text: Any, platform: Optional[str] = None) -> "ImageRef":
        """Parse an image reference as written on a FROM line. Never raises.

        Unexpanded variables give unresolved=True; text that is no valid reference gives an
        empty repository. Names of the same image are normalised to one form (see module doc).
        """
        try:
            return _parse_ref(str(text), platform)
        except Exception:  # pragma: no cover - defensive: parse must never raise
            return cls(raw=str(text) if text is not None else "", platform=platform)


@functools.lru_cache(maxsize=4096)
def _parse_ref(text: str, platform: Optional[str]) -> ImageRef:
    stripped = text.strip()
    if not stripped:
        return ImageRef(raw=text, platform=platform)
    if "$" in stripped:
        return ImageRef(raw=text, platform=platform, unresolved=True)
    rest, digest = stripped, None
    if "@" in rest:
        rest, digest = rest.split("@", 1)
        if not _DIGEST.match(digest):
            return ImageRef(raw=text, platform=platform)
    tag = None
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1:]
        if not _TAG.match(tag):
            return ImageRef(raw=text, platform=platform)
    parts = rest.split("/")
    registry = None
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        if not _HOST.match(parts[0]):
            return ImageRef(raw=text, platform=platform)
        registry = parts[0].lower()
        parts = parts[1:]
    if not parts or not all(_PATH_COMPONENT.match(p) for p in parts) or len(rest) > 255:
        return ImageRef(raw=text, platform=platform)  # not a valid reference (names are <= 255 chars)

    if registry in _DOCKER_HUB_HOSTS:
        registry = None
    elif registry == "public.ecr.aws" and len(parts) == 3 and parts[:2] == ["docker", "library"]:
        registry, parts = None, parts[2:]
    if registry is None:
        if len(parts) == 2 and parts[0] == "library":
            parts = parts[1:]
        elif len(parts) == 2 and parts[0] in ARCH_NAMESPACES:
            if platform is None:
                platform = ARCH_NAMESPACES[parts[0]]
            parts = parts[1:]
    return ImageRef(raw=text, registry=registry, repository="/".join(parts), tag=tag,
                    digest=digest, platform=platform)


def _is_root(user: str) -> bool:
    """Whether a default_user value names root (ImageFacts.runs_as_root)."""
    return user in ("root", "0") or user.startswith(("0:", "root:"))


# Folders for which an image's `programs` list is complete (see ImageFacts.has_program).
_BIN_FOLDERS = frozenset({"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"})


@record(frozen=True)
class ImageFacts:
    """What the catalog knows of an image; None in a field means unknown."""

    family: str  # catalog family id, e.g. "distroless-static", "golang", "ubuntu"
    kind: str  # "scratch" | "minimal" | "slim-runtime" | "full-os" | "toolchain"
    shell: Optional[str] = None  # "/bin/sh", "/busybox/sh", None (no shell), or UNKNOWN ("unknown")
    package_managers: Tuple[str, ...] = ()  # ("apt", "dpkg"), ("apk",), ("pip",) ...
    default_user: Optional[str] = "root"  # "root", "65532", "1654"... None when unknown
    size_mb: Optional[float] = None  # uncompressed on-disk MB, approximate
    size_note: str = ""  # tag family, date and source of the figure
    runtime: Optional[str] = None  # "go", "python", "node", "java", "dotnet", "rust", ...
    runtime_version: Optional[str] = None  # "3.12", "20", "21", "8.0"
    libc: Optional[str] = None  # "glibc" | "musl" | None (none or unknown)
    debug: bool = False  # debug variant of a minimal image (distroless :debug, chainguard -dev)
    entrypoint: Optional[Tuple[str, ...]] = None  # the image's own ENTRYPOINT (None: not set)
    cmd: Optional[Tuple[str, ...]] = None  # the image's own CMD
    contents: str = ""  # what makes it heavy, in words ("Go toolchain, gcc, git, apt, bash")
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    # --- added fields
    size_compressed_mb: Optional[float] = None  # a compressed figure (transfer size), never in size_mb
    replacement: str = ""  # minimal replacement, in words (suggestions come from Catalog.replacement)
    unknown: Tuple[str, ...] = ()  # facts the catalog does not know, e.g. ("shell", "entrypoint")
    # --- the operating system and what a program finds in it (None: unknown, always)
    distro: Optional[str] = None  # "debian", "ubuntu", "alpine", "ubi", "amzn", "fedora", "wolfi", ...
    distro_release: Optional[str] = None  # "12", "13", "24.04", "3.22", "9", "2023"
    glibc_version: Optional[str] = None  # "2.36"; from the distribution release unless the family says
    programs: Optional[FrozenSet[str]] = None  # absolute paths of the programs present; frozenset() = none
    python_path: Optional[str] = None  # the Python interpreter: "/usr/local/bin/python3", "/usr/bin/python3"
    workdir: Optional[str] = None  # the image's own WORKDIR ("/" when it sets none)
    path_env: Optional[str] = None  # the image's PATH
    c_compiler: Optional[bool] = None  # a C compiler (gcc/cc/clang) on its PATH, for cgo; None unknown
    gopath: Optional[str] = None  # the image's GOPATH (`go install` writes to its bin/); None unknown
    facts_note: str = ""  # source and date of the facts above

    def has_program(self, program: str, path_env: Optional[str] = None) -> Optional[bool]:
        """Whether `program` (an absolute path, or a bare name looked up in `path_env`, else
        the image's own PATH) is present. `programs` is complete for the standard bin folders
        and for each folder that holds a listed program; elsewhere, and when the programs or
        the PATH are unknown, the answer is None."""
        if self.programs is None or not program:
            return None
        if program.startswith("/"):
            if program in self.programs:
                return True
            return False if self._covers(program.rsplit("/", 1)[0] or "/") else None
        if "/" in program:
            return None  # a relative path: depends on WORKDIR and what the Dockerfile adds
        search = path_env if path_env is not None else self.path_env
        if search is None:
            return None
        answer: Optional[bool] = False
        for folder in search.split(":"):
            folder = folder.rstrip("/") or "/"
            if not folder.startswith("/"):
                return None  # a relative PATH entry: depends on the working directory
            if f"{folder}/{program}" in self.programs:
                return True
            if not self._covers(folder):
                answer = None
        return answer

    def _covers(self, folder: str) -> bool:
        return folder in _BIN_FOLDERS or any(p.rsplit("/", 1)[0] == folder for p in self.programs or ())

    @property
    def has_shell(self) -> Optional[bool]:
        """True/False; None when the catalog does not know."""
        if self.shell == UNKNOWN or "shell" in self.unknown:
            return None
        return self.shell is not None

    @property
    def has_package_manager(self) -> Optional[bool]:
        if "package_managers" in self.unknown:
            return None
        return bool(self.package_managers)

    @property
    def runs_as_root(self) -> Optional[bool]:
        """Whether the image's own default user is root; None when unknown."""
        user = self.default_user
        return None if user is None else _is_root(user)

    @property
    def is_minimal(self) -> bool:
        return self.kind in ("scratch", "minimal")


@record(frozen=True)
class Replacement:
    """A suggested runtime image (see Catalog.replacement)."""

    image: str
    family: str  # the suggestion family asked for ("distroless", "chainguard", ...)
    runtime: Optional[str] = None
    version: Optional[str] = None  # version the image runs, when known
    requested_version: Optional[str] = None
    exact: Optional[bool] = None  # same version (True), nearest other (False), unknown (None)
    guess: bool = False  # the runtime was unknown: a generic default
    fallback: bool = False  # not from the requested family (e.g. python:3.12-slim for distroless)
    note: str = ""
    size_mb: Optional[float] = None
    size_note: str = ""
    facts: Optional[ImageFacts] = field(default=None, compare=False)

    @property
    def entrypoint(self) -> Optional[Tuple[str, ...]]:
        return self.facts.entrypoint if self.facts else None

    @property
    def default_user(self) -> Optional[str]:
        return self.facts.default_user if self.facts else None


# ------------------------------------------------------------------ catalog data model

_FACT_FIELDS = (
    "kind", "shell", "package_managers", "default_user", "size_mb", "size_compressed_mb",
    "size_note", "runtime", "runtime_version", "libc", "debug", "entrypoint", "cmd",
    "contents", "replacement", "distro", "distro_release", "glibc_version", "programs",
    "python_path", "workdir", "path_env", "c_compiler", "gopath", "facts_note",
)
_OS_FIELDS = ("distro", "distro_release", "glibc_version", "programs", "python_path", "workdir", "path_env",
              "c_compiler", "gopath")
_FAMILY_ONLY = ("names", "name_patterns", "tag", "tags", "version_aliases", "unverified", "note")
_OVERLAY_ONLY = ("match", "name", "exact_tags", "version_lines")
# Facts that may be written as `unknown`, and how they then appear in ImageFacts.
_UNKNOWN_OK = ("shell", "package_managers", "default_user", "entrypoint", "cmd", "libc",
               "size_mb", "runtime_version", "size_compressed_mb") + _OS_FIELDS
_DEFAULTS = {
    "shell": None, "package_managers": (), "default_user": "root", "size_mb": None,
    "size_compressed_mb": None, "size_note": "", "runtime": None, "runtime_version": None,
    "libc": None, "debug": False, "entrypoint": None, "cmd": None, "contents": "",
    "replacement": "", "distro": None, "distro_release": None, "glibc_version": None,
    "programs": None, "python_path": None, "workdir": None, "path_env": None,
    "c_compiler": None, "gopath": None, "facts_note": "",
}


def _where(family_id: str, overlay: Optional[int] = None) -> str:
    if overlay is None:
        return f"image family {family_id!r}"
    return f"image family {family_id!r}, tags[{overlay}]"


# Windows variants share repositories with Linux images (`dotnet/aspnet:8.0-nanoserver-ltsc2022`,
# `python:3.13-windowsservercore`); nothing in the bundled catalog describes them.
_WINDOWS_TAG = re.compile(r"nanoserver|servercore|windows|ltsc20\d\d", re.I)


class _LazyPattern:
    """A bundled-catalog regex compiled on first use: a run looks up a handful of
    families, and compiling all ~200 patterns up front cost ~100 ms of start-up. A text
    that lacks the pattern's literal prefix (`gcr.io/distroless/` of
    `gcr\\.io/distroless/static-debian(?P<debian>\\d+)`) cannot match, and is told so
    without compiling the pattern."""

    __slots__ = ("pattern", "_compiled", "prefix")

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._compiled = None
        self.prefix = _literal_prefix(pattern)

    def fullmatch(self, text: str):
        if self._compiled is None:
            if not text.startswith(self.prefix):
                return None
            self._compiled = re.compile(self.pattern)
        return self._compiled.fullmatch(text)


def _literal_prefix(pattern: str) -> str:
    """The literal text every match of `pattern` starts with ('' when unsure).

    Plain characters and escaped punctuation from the start, up to the first other regex
    syntax; a character made optional or repeated by the quantifier after it is left out,
    and a `|` outside any group or class (an alternative not bound by the prefix) makes it ''."""
    depth, in_class, i, n = 0, False, 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "^":
                i += 1
            if pattern[i + 1:i + 2] == "]":  # a leading `]` is a member, not the end
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return ""
        i += 1
    out, i = [], 0
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n or pattern[i + 1].isalnum() or pattern[i + 1] == "_":
                break  # \d, \w, \b, \1, \Z...: not a literal
            char, step = pattern[i + 1], 2
        elif c in ".^$*+?{}[]()|":
            break
        else:
            char, step = c, 1
        following = pattern[i + step:i + step + 1]
        if following in ("*", "?", "{"):
            break
        out.append(char)
        if following == "+":
            break
        i += step
    return "".join(out)


def _compile(pattern: Any, where: str, key: str, lazy: bool = False):
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"{where}: {key} must be a non-empty regular expression string, got {pattern!r}")
    if lazy:  # bundled data: validated by the test suite, compiled when used
        return _LazyPattern(pattern)
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{where}: {key} {pattern!r} is not a valid regular expression ({exc})") from None


def _version_text(value: Any, where: str, key: str) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{where}: {key} must be a string, got {value!r}")
    if isinstance(value, float):
        raise ValueError(f"{where}: {key} {value!r} reads as a number; quote it (\"3.10\" is not 3.1)")
    if isinstance(value, (int, str)):
        return str(value)
    raise ValueError(f"{where}: {key} must be a string, got {value!r}")


def _command(value: Any, where: str, key: str) -> Optional[Tuple[str, ...]]:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"{where}: {key} must be a list of strings (exec form), got {value!r}")


def _check_fields(data: Mapping, where: str, allowed_extra: Tuple[str, ...]) -> Dict[str, Any]:
    """Validate fact fields of a family or an overlay; return them normalised.

    Unknown values come back as the _UNKNOWN marker object so that overlays can set them.
    """
    out: Dict[str, Any] = {}
    for key, value in data.items():
        if key in allowed_extra:
            continue
        if key not in _FACT_FIELDS:
            known = ", ".join(_FACT_FIELDS + allowed_extra)
            raise ValueError(f"{where}: unknown field {key!r} (known fields: {known})")
        if isinstance(value, str) and value.strip().lower() == UNKNOWN:
            if key not in _UNKNOWN_OK:
                raise ValueError(f"{where}: {key} cannot be 'unknown'")
            out[key] = _UNKNOWN
            continue
        if key == "kind":
            if value not in KINDS:
                raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}, got {value!r}")
        elif key == "shell":
            if isinstance(value, str) and value.strip().lower() == "none":
                value = None
            if value is not None and not (isinstance(value, str) and value.startswith("/")):
                raise ValueError(f"{where}: shell must be an absolute path, null (no shell) or 'unknown', got {value!r}")
        elif key == "package_managers":
            if value is None:
                value = ()
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v for v in value):
                raise ValueError(f"{where}: package_managers must be a list of names, got {value!r}")
            value = tuple(v.strip().lower() for v in value)
        elif key == "default_user":
            if isinstance(value, bool) or not (value is None or isinstance(value, (str, int))):
                raise ValueError(f"{where}: default_user must be a user name or uid, got {value!r}")
            value = None if value is None else str(value)
            if value is None:
                value = _UNKNOWN
        elif key in ("size_mb", "size_compressed_mb"):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                raise ValueError(f"{where}: {key} must be a non-negative number of MB or null, got {value!r}")
            value = None if value is None else float(value)
        elif key == "runtime_version":
            value = _version_text(value, where, key)
        elif key in ("runtime", "size_note", "contents", "replacement"):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{where}: {key} must be a string, got {value!r}")
            if key != "runtime":
                value = value or ""
        elif key == "libc":
            if value is not None and value not in LIBCS:
                raise ValueError(f"{where}: libc must be glibc, musl, null or 'unknown', got {value!r}")
        elif key == "debug":
            if not isinstance(value, bool):
                raise ValueError(f"{where}: debug must be true or false, got {value!r}")
        elif key in ("entrypoint", "cmd"):
            value = _command(value, where, key)
        elif key in _OS_FIELDS or key == "facts_note":
            value = _os_field(key, value, where)
        out[key] = value
    return out


_DISTRO_NAME = lazyre.compile(r"[a-z][a-z0-9._-]*\Z")
_GLIBC = re.compile(r"\d+\.\d+\Z")
_ABS_PATH = re.compile(r"/[^\s:]*\Z")


def _os_field(key: str, value: Any, where: str) -> Any:
    """Validate distro, distro_release, glibc_version, programs, python_path, workdir, path_env,
    c_compiler, gopath.
    null means unknown for all of them (as does the word `unknown`)."""
    if value is None:
        return _UNKNOWN if key != "facts_note" else ""
    if key == "facts_note":
        if not isinstance(value, str):
            raise ValueError(f"{where}: facts_note must be a string, got {value!r}")
        return value
    if key == "distro":
        if not isinstance(value, str) or not _DISTRO_NAME.match(value):
            raise ValueError(f"{where}: distro must be a lower-case name such as debian, ubuntu, alpine, got {value!r}")
        return value
    if key in ("distro_release", "glibc_version"):
        text = _version_text(value, where, key)
        if key == "glibc_version" and not _GLIBC.match(text):
            raise ValueError(f"{where}: glibc_version must look like \"2.36\", got {value!r}")
        return text
    if key == "programs":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{where}: programs must be a list of absolute paths (or @set names), got {value!r}")
        for item in value:
            if not isinstance(item, str) or not (_ABS_PATH.match(item) or _SET_REF.match(item)):
                raise ValueError(f"{where}: programs: {item!r} is neither an absolute path nor an @set name")
        return tuple(value)
    if key == "path_env":
        if not isinstance(value, str) or not value or not all(_ABS_PATH.match(d) for d in value.split(":")):
            raise ValueError(f"{where}: path_env must be absolute directories joined by ':', got {value!r}")
        return value
    if key == "c_compiler":
        if not isinstance(value, bool):
            raise ValueError(f"{where}: c_compiler must be true, false or unknown, got {value!r}")
        return value
    # python_path, workdir, gopath
    if not isinstance(value, str) or not _ABS_PATH.match(value):
        raise ValueError(f"{where}: {key} must be an absolute path, got {value!r}")
    return value


_SET_REF = lazyre.compile(r"@[A-Za-z0-9][A-Za-z0-9._-]*\Z")


class _UnknownMarker:
    __slots__ = ()

    def __repr__(self) -> str:
        return "unknown"

    def __reduce__(self):  # unpickled as the one module-level marker (it is compared by identity)
        return "_UNKNOWN"


_UNKNOWN = _UnknownMarker()


_LEADING_VERSION = re.compile(r"[0-9][0-9.]*")


@functools.lru_cache(maxsize=1024)  # asked once per overlay with version lines as a family resolves a tag
def _version_line_keys(tag: str) -> Tuple[Tuple[str, str], ...]:
    """(suffix, line) keys a tag can match in `version_lines`: "1.24.3-alpine" ->
    ("-alpine", "1"), ("-alpine", "1.24"), ("-alpine", "1.24.3")."""
    m = _LEADING_VERSION.match(tag)
    if not m:
        return ()
    version = m.group(0).rstrip(".")
    suffix = tag[len(version):]
    comps = version.split(".")
    return tuple((suffix, ".".join(comps[:i])) for i in range(1, len(comps) + 1))


class _Overlay:
    __slots__ = ("tag_re", "name_re", "fields", "exact", "lines", "_sets")

    def __init__(self, tag_re, name_re, fields, exact=None, lines=None):
        self.tag_re = tag_re
        self.name_re = name_re
        self.fields = fields
        self.exact = exact  # tags the overlay applies to (besides `match`): a list, as a set when used
        self.lines = lines  # {suffix: [version lines]}: "1.24" covers 1.24, 1.24.3 (plus the suffix)
        self._sets = None  # (exact set, (suffix, line) set), built on first use: start-up stays cheap

    def tag_matches(self, tag: str):
        """None: no tag condition; False: no match; else the match object or True."""
        if self.exact is not None or self.lines is not None:
            if self._sets is None:
                self._sets = (frozenset(self.exact or ()),
                              frozenset((sfx, line) for sfx, ls in (self.lines or {}).items() for line in ls))
            exact, lines = self._sets
            if tag in exact or (lines and any(k in lines for k in _version_line_keys(tag))):
                return True
        if self.tag_re is not None:
            return self.tag_re.fullmatch(tag) or False
        if self.exact is not None or self.lines is not None:
            return False
        return None


class _Family:
    __slots__ = ("id", "names", "patterns", "tag_re", "base", "overlays", "aliases", "unverified", "user")

    def __init__(self, family_id: str, data: Any, user: bool):
        where = _where(family_id)
        if not isinstance(family_id, str) or not family_id.strip():
            raise ValueError(f"image family id must be a non-empty string, got {family_id!r}")
        if not isinstance(data, _Map):
            raise ValueError(f"{where}: must be a mapping of fields, got {type(data).__name__}")
        self.id = family_id
        self.user = user
        names = data.get("names") or []
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) and n.strip() for n in names):
            raise ValueError(f"{where}: names must be a list of image names, got {names!r}")
        self.names = []
        for n in names:
            ref = ImageRef.parse(n)
            if not ref.name or ref.unresolved or ref.tag or ref.digest:
                raise ValueError(f"{where}: {n!r} in names is not an image name (no tag, digest or variable)")
            self.names.append(ref.name)
        patterns = data.get("name_patterns") or []
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, (list, tuple)):
            raise ValueError(f"{where}: name_patterns must be a list of regular expressions")
        self.patterns = [_compile(p, where, "name_patterns", lazy=not user) for p in patterns]
        if not self.names and not self.patterns:
            raise ValueError(f"{where}: needs names or name_patterns to match images by")
        self.tag_re = _compile(data["tag"], where, "tag", lazy=not user) if data.get("tag") is not None else None
        base = _check_fields(data, where, _FAMILY_ONLY)
        if "kind" not in base:
            raise ValueError(f"{where}: kind is required ({', '.join(KINDS)})")
        self.base = base
        aliases = data.get("version_aliases") or {}
        if not isinstance(aliases, _Map):
            raise ValueError(f"{where}: version_aliases must be a mapping")
        self.aliases = {str(k).lower(): _version_text(v, where, "version_aliases") for k, v in aliases.items()}
        unverified = data.get("unverified") or []
        if not isinstance(unverified, (list, tuple)) or not all(f in _FACT_FIELDS for f in unverified):
            raise ValueError(f"{where}: unverified must list fact field names, got {unverified!r}")
        self.unverified = tuple(unverified)
        tags = data.get("tags") or []
        if not isinstance(tags, (list, tuple)):
            raise ValueError(f"{where}: tags must be a list of overlays")
        flat: List[Any] = []
        for item in tags:  # YAML aliases of shared overlay lists nest one level: flatten
            if isinstance(item, (list, tuple)):
                flat.extend(item)
            else:
                flat.append(item)
        self.overlays = []
        for i, item in enumerate(flat):
            owhere = _where(family_id, i)
            if not isinstance(item, _Map):
                raise ValueError(f"{owhere}: an overlay must be a mapping, got {item!r}")
            if not any(k in item for k in ("match", "name", "exact_tags", "version_lines")):
                raise ValueError(f"{owhere}: an overlay needs `match` (tag regex), `exact_tags`, `version_lines` "
                                 "and/or `name` (name regex)")
            tag_re = _compile(item["match"], owhere, "match", lazy=not user) if "match" in item else None
            name_re = _compile(item["name"], owhere, "name", lazy=not user) if "name" in item else None
            exact = lines = None
            if "exact_tags" in item:  # bundled data is checked by the tests, user entries here
                tags_list = item["exact_tags"]
                if user and (not isinstance(tags_list, (list, tuple))
                             or not all(isinstance(t, str) and t for t in tags_list)):
                    raise ValueError(f"{owhere}: exact_tags must be a list of tags")
                exact = tags_list
            if "version_lines" in item:
                spec = item["version_lines"]
                if user and (not isinstance(spec, _Map) or not all(
                        isinstance(k, str) and isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v)
                        for k, v in spec.items())):
                    raise ValueError(f"{owhere}: version_lines must map a tag suffix to a list of quoted version lines")
                lines = spec
            fields = _check_fields(item, owhere, _OVERLAY_ONLY)
            self.overlays.append(_Overlay(tag_re, name_re, fields, exact, lines))

    def name_match(self, name: str) -> Optional[Dict[str, str]]:
        """Named groups of the matching name (empty for an exact name); None if no match."""
        if name in self.names:
            return {}
        for pattern in self.patterns:
            m = pattern.fullmatch(name)
            if m:
                return {k: v for k, v in m.groupdict().items() if v is not None}
        return None

    def resolve(self, name: str, tag: str, groups: Dict[str, str]) -> Optional[ImageFacts]:
        if self.tag_re is not None and not self.tag_re.fullmatch(tag):
            return None
        values: Dict[str, Any] = dict(_DEFAULTS)
        values.update(self.base)
        version = groups.get("version")
        if version is not None:
            values["runtime_version"] = self.aliases.get(version.lower(), version)
        if groups.get("release") is not None:
            values["distro_release"] = groups["release"]
        for overlay in self.overlays:
            found: Dict[str, str] = {}
            m = overlay.tag_matches(tag)
            if m is False:
                continue
            if m is not None and m is not True:
                found.update({k: v for k, v in m.groupdict().items() if v is not None})
            if overlay.name_re is not None:
                m = overlay.name_re.fullmatch(name)
                if not m:
                    continue
                found.update({k: v for k, v in m.groupdict().items() if v is not None})
            if "version" in found:
                v = found["version"]
                values["runtime_version"] = self.aliases.get(v.lower(), v)
            if "release" in found:
                values["distro_release"] = found["release"]
            values.update(overlay.fields)
        unknown = []
        for key in _UNKNOWN_OK:
            if values.get(key) is _UNKNOWN:
                unknown.append(key)
                if key == "shell":
                    values[key] = UNKNOWN
                elif key == "package_managers":
                    values[key] = ()
                else:
                    values[key] = None
        if values.get("runtime") is None:
            values["runtime_version"] = None
        extra = {"unverified": self.unverified} if self.unverified else {}
        if self.user:
            extra["user_entry"] = True
        return ImageFacts(family=self.id, unknown=tuple(unknown), extra=extra, **values)


def _can_run_as_nonroot(family: _Family) -> bool:
    """Whether the family's base or an overlay sets a default_user other than root (the
    default) or unknown: the only source of a resolved ImageFacts.default_user."""
    for fields in [family.base] + [o.fields for o in family.overlays]:
        user = fields.get("default_user")
        if isinstance(user, str) and not _is_root(user):
            return True
    return False


def _possible(family: _Family, key: str) -> FrozenSet[Any]:
    """The values a fact can take in the family's resolved ImageFacts at some tag: the base's
    (or the default) and each overlay's, `unknown` read as None (as resolve() does)."""
    values = {family.base.get(key, _DEFAULTS.get(key))}
    values.update(overlay.fields[key] for overlay in family.overlays if key in overlay.fields)
    return frozenset(None if v is _UNKNOWN else v for v in values)


def _manager_name(manager: Any) -> str:
    m = str(manager or "").strip().lower()
    return {"apt-get": "apt", "aptitude": "apt", "dpkg": "apt", "apk": "apk"}.get(m, m)


_PKG_SUFFIX = re.compile(r"[=<>~].*$")


def _package_name(package: Any) -> str:
    p = str(package or "").strip()
    p = _PKG_SUFFIX.sub("", p)  # version pins: gcc=12.2.0-3, gcc~=12, gcc>12
    if ":" in p:  # architecture qualifiers: gcc:amd64
        p = p.split(":", 1)[0]
    return p.lower()


class _PackageIndex:
    __slots__ = ("manager", "kib", "depends", "recommends", "meta")

    def __init__(self, manager: str, data: Any):
        where = f"packages.{manager}"
        if not isinstance(data, _Map):
            raise ValueError(f"{where}: must be a mapping with closures and installed_kib")
        kib = data.get("installed_kib") or {}
        closures = data.get("closures") or {}
        if not isinstance(kib, _Map) or not isinstance(closures, _Map):
            raise ValueError(f"{where}: closures and installed_kib must be mappings")
        self.manager = manager
        self.kib: Dict[str, float] = {}
        for name, size in kib.items():
            if isinstance(size, bool) or not isinstance(size, (int, float)) or size < 0:
                raise ValueError(f"{where}.installed_kib.{name}: must be a non-negative number of KiB, got {size!r}")
            self.kib[str(name).lower()] = float(size)
        self.depends: Dict[str, Tuple[str, ...]] = {}
        self.recommends: Dict[str, Tuple[str, ...]] = {}
        for name, entry in closures.items():
            ewhere = f"{where}.closures.{name}"
            if not isinstance(entry, _Map):
                raise ValueError(f"{ewhere}: must be a mapping with depends (and recommends)")
            for key in ("depends", "recommends"):
                items = entry.get(key) or []
                if not isinstance(items, (list, tuple)):
                    raise ValueError(f"{ewhere}: {key} must be a list of package names")
                missing = [str(x) for x in items if str(x).lower() not in self.kib]
                if missing:
                    raise ValueError(f"{ewhere}: {key} names packages without installed_kib: {', '.join(missing)}")
                getattr(self, key)[str(name).lower()] = tuple(str(x).lower() for x in items)
        self.meta = {k: v for k, v in data.items() if k not in ("installed_kib", "closures")}

    @classmethod
    def clone(cls, index: "_PackageIndex") -> "_PackageIndex":
        other = cls.__new__(cls)
        other.manager = index.manager
        other.kib = dict(index.kib)
        other.depends = dict(index.depends)
        other.recommends = dict(index.recommends)
        other.meta = dict(index.meta)
        return other

    def closure(self, package: str, recommends: bool) -> Optional[Tuple[str, ...]]:
        deps = self.depends.get(package)
        if deps is None:
            return None
        return deps + self.recommends.get(package, ()) if recommends else deps


_RUNTIME_ALIASES = {
    "golang": "go", "nodejs": "node", "node.js": "node", "js": "node", "javascript": "node",
    "typescript": "node", "python3": "python", "py": "python", "c++": "cpp", "cxx": "cpp",
    "jvm": "java", "kotlin": "java", "scala": "java", "groovy": "java", ".net": "dotnet",
    "csharp": "dotnet", "c#": "dotnet", "fsharp": "dotnet", "net": "dotnet", "unknown": None,
}
_LINKAGE_ALIASES = {"dynamic": "glibc", "gnu": "glibc", "glibc": "glibc", "static": "static",
                    "libgcc": "libgcc", "libstdc++": "libgcc", "cc": "libgcc", "musl": "musl"}


def _norm_version(runtime: Optional[str], version: Any) -> Optional[str]:
    if version is None:
        return None
    v = str(version).strip().lower().lstrip("v")
    if not v:
        return None
    nums = re.match(r"\d+(?:\.\d+)*", v)
    if not nums:
        return v
    parts = nums.group(0).split(".")
    if runtime == "python":
        return ".".join(parts[:2])
    if runtime == "java":
        if parts[0] == "1" and len(parts) > 1:
            return parts[1]
        return parts[0]
    if runtime == "dotnet":
        return f"{parts[0]}.{parts[1] if len(parts) > 1 else '0'}"
    if runtime == "node":
        return parts[0]
    return ".".join(parts[:2])


class _Release:
    __slots__ = ("release", "codename", "glibc", "merged_usr", "python3", "meta")

    def __init__(self, release: str, codename: Optional[str], glibc: Optional[str], merged_usr: Optional[bool],
                 meta: Dict[str, Any], python3: Optional[str] = None):
        self.release, self.codename, self.glibc, self.merged_usr, self.meta = release, codename, glibc, merged_usr, meta
        self.python3 = python3  # X.Y of the distribution's python3 package (/usr/bin/python3)


class _Distro:
    """One entry of `distributions`: releases with codename, glibc version and merged /usr."""

    __slots__ = ("name", "same_as", "releases", "codenames", "meta")

    def __init__(self, name: str, data: Any):
        where = f"distributions.{name}"
        if not isinstance(data, _Map):
            raise ValueError(f"{where}: must be a mapping with `releases` (or `same_as`)")
        unknown = set(data) - {"releases", "same_as", "source", "date", "note"}
        if unknown:
            raise ValueError(f"{where}: unknown field {sorted(unknown)[0]!r} (known: releases, same_as, source, date, note)")
        self.name = name
        same = data.get("same_as")
        if same is not None and not isinstance(same, str):
            raise ValueError(f"{where}: same_as must name another distribution")
        self.same_as = same
        self.meta = {k: data[k] for k in ("source", "date", "note") if k in data}
        self.releases: Dict[str, _Release] = {}
        self.codenames: Dict[str, str] = {}
        releases = data.get("releases") or {}
        if not isinstance(releases, _Map):
            raise ValueError(f"{where}: releases must be a mapping of release -> facts")
        for key, body in releases.items():
            rwhere = f"{where}.releases.{key}"
            rel = _version_text(key, rwhere, "release")
            if body is None:
                body = {}
            if not isinstance(body, _Map):
                raise ValueError(f"{rwhere}: must be a mapping (codename, glibc, merged_usr, source, date)")
            extra = set(body) - {"codename", "glibc", "merged_usr", "python3", "source", "date", "note"}
            if extra:
                raise ValueError(f"{rwhere}: unknown field {sorted(extra)[0]!r} "
                                 "(known: codename, glibc, merged_usr, python3, source, date, note)")
            python3 = body.get("python3")
            if python3 is not None:
                python3 = _version_text(python3, rwhere, "python3")
                if not _GLIBC.match(python3):
                    raise ValueError(f"{rwhere}: python3 must look like \"3.11\", got {python3!r}")
            glibc = body.get("glibc")
            if glibc is not None:
                glibc = _version_text(glibc, rwhere, "glibc")
                if not _GLIBC.match(glibc):
                    raise ValueError(f"{rwhere}: glibc must look like \"2.36\", got {glibc!r}")
            merged = body.get("merged_usr")
            if merged is not None and not isinstance(merged, bool):
                raise ValueError(f"{rwhere}: merged_usr must be true, false or null")
            codename = body.get("codename")
            if codename is not None and not isinstance(codename, str):
                raise ValueError(f"{rwhere}: codename must be a string")
            meta = {k: body[k] for k in ("source", "date", "note") if k in body}
            self.releases[rel] = _Release(rel, codename, glibc, merged, meta, python3)
            if codename:
                self.codenames[codename.lower()] = rel

    def merged(self, newer: "_Distro") -> "_Distro":
        other = _Distro.__new__(_Distro)
        other.name = self.name
        other.same_as = newer.same_as if newer.same_as is not None else self.same_as
        other.meta = {**self.meta, **newer.meta}
        other.releases = {**self.releases, **newer.releases}
        other.codenames = {**self.codenames, **newer.codenames}
        return other

    def find(self, release: str) -> Optional[_Release]:
        text = release.strip().lower()
        if text in self.releases:
            return self.releases[text]
        if text in self.codenames:
            return self.releases[self.codenames[text]]
        parts = text.split(".")  # a point release: "12.5" -> "12", "24.04.1" -> "24.04", "3.22.1" -> "3.22"
        while len(parts) > 1:
            parts.pop()
            if ".".join(parts) in self.releases:
                return self.releases[".".join(parts)]
        return None


def _program_set(name: str, data: Any) -> Tuple[Tuple[str, ...], Dict[str, Any]]:
    where = f"program_sets.{name}"
    if not isinstance(data, _Map) or "programs" not in data:
        raise ValueError(f"{where}: must be a mapping with `programs` (and source, date)")
    extra = set(data) - {"programs", "source", "date", "note"}
    if extra:
        raise ValueError(f"{where}: unknown field {sorted(extra)[0]!r} (known: programs, source, date, note)")
    items = _os_field("programs", data["programs"], where)
    if items is _UNKNOWN:
        raise ValueError(f"{where}: programs must be a list")
    return items, {k: data[k] for k in ("source", "date", "note") if k in data}


def _check_set_refs(items: Tuple[str, ...], known: Iterable[str], where: str) -> None:
    for item in items:
        if item.startswith("@") and item[1:] not in known:
            raise ValueError(f"{where}: programs: no program set named {item!r}")


_USR_PAIRS = (("/bin/", "/usr/bin/"), ("/sbin/", "/usr/sbin/"))


def _merge_usr(programs: FrozenSet[str]) -> FrozenSet[str]:
    """On a merged-/usr system /bin/x and /usr/bin/x (/sbin/x, /usr/sbin/x) are one file."""
    out = set(programs)
    for path in programs:
        for short, long in _USR_PAIRS:
            if path.startswith(short):
                out.add(long + path[len(short):])
            elif path.startswith(long):
                out.add(short + path[len(long):])
    return frozenset(out)


class Catalog:
    """Image facts, package sizes and suggestion targets. See the module docstring for the API."""

    def __init__(self, data: Optional[Mapping] = None):
        self._families: Dict[str, _Family] = {}
        self._order: List[str] = []  # family ids, oldest first
        self._exact: Dict[str, List[_Family]] = {}
        self._pattern_families: List[_Family] = []
        self._packages: Dict[str, _PackageIndex] = {}
        self._replacements: Dict[str, Mapping] = {}
        self._cache: Dict[Tuple[str, str], Optional[ImageFacts]] = {}
        # facts() of a reference given as text, by that text: rules and suggestions ask about
        # the same few dozen references for every file, and parsing each again cost more
        # than the lookup itself.
        self._text_cache: Dict[str, Optional[ImageFacts]] = {}
        self._nonroot: Optional[list] = None  # _nonroot_index(), built on first use
        self._nonroot_by: Dict[tuple, Tuple[Tuple[str, str], ...]] = {}  # nonroot_candidates() by its arguments
        self._by_name: Dict[str, List[Tuple[int, _Family, Dict[str, str]]]] = {}  # _candidates() by name
        self._replacement_cache: Dict[tuple, Optional[Replacement]] = {}  # replacement() by its arguments
        self._rank: Dict[str, int] = {}
        self._distros: Dict[str, _Distro] = {}
        self._program_sets: Dict[str, Tuple[Tuple[str, ...], Dict[str, Any]]] = {}
        self._set_cache: Dict[str, FrozenSet[str]] = {}
        self.meta: Dict[str, Any] = {}
        if data is not None:
            self._load(data, user=False)

    # -------------------------------------------------------------- loading
    @classmethod
    def from_yaml(cls, text_or_path: str) -> "Catalog":
        """A catalog from YAML text or a file path."""
        import os
        if "\n" not in text_or_path and os.path.exists(text_or_path):
            with open(text_or_path, "r", encoding="utf-8") as fh:
                text_or_path = fh.read()
        return cls(_yaml_load(text_or_path))

    def _load(self, data: Any, user: bool) -> None:
        if isinstance(data, (list, tuple)):
            families: Any = {}
            for i, item in enumerate(data):
                if not isinstance(item, _Map) or not isinstance(item.get("id", item.get("family")), str):
                    raise ValueError(f"images[{i}]: a family in a list needs an `id`")
                body = {k: v for k, v in item.items() if k not in ("id", "family")}
                families[item.get("id", item.get("family"))] = body
            data = {"families": families}
        if not isinstance(data, _Map):
            raise ValueError(f"image catalog must be a mapping, got {type(data).__name__}")
        document_keys = ("families", "packages", "replacements", "distributions", "program_sets",
                         "schema", "updated")
        if not any(k in data for k in document_keys):
            data = {"families": data}  # a bare mapping of families
        families = data.get("families") or {}
        if not isinstance(families, _Map):
            raise ValueError("image catalog: `families` must be a mapping of id -> family")
        built = [_Family(fid, body, user) for fid, body in families.items()]  # validate all first
        packages = data.get("packages") or {}
        if not isinstance(packages, _Map):
            raise ValueError("image catalog: `packages` must be a mapping of manager -> index")
        indexes = [_PackageIndex(_manager_name(m), body) for m, body in packages.items()]
        replacements = data.get("replacements") or {}
        if not isinstance(replacements, _Map) or not all(isinstance(v, _Map) for v in replacements.values()):
            raise ValueError("image catalog: `replacements` must be a mapping of family -> mapping")
        distros = data.get("distributions") or {}
        if not isinstance(distros, _Map):
            raise ValueError("image catalog: `distributions` must be a mapping of name -> releases")
        new_distros = {str(name): _Distro(str(name), body) for name, body in distros.items()}
        sets = data.get("program_sets") or {}
        if not isinstance(sets, _Map):
            raise ValueError("image catalog: `program_sets` must be a mapping of name -> programs")
        new_sets = {str(name): _program_set(str(name), body) for name, body in sets.items()}
        known_sets = set(self._program_sets) | set(new_sets)
        for name, (items, _) in new_sets.items():
            _check_set_refs(items, known_sets, f"program_sets.{name}")
        for fam in built:
            for i, fields in [(None, fam.base)] + [(j, o.fields) for j, o in enumerate(fam.overlays)]:
                items = fields.get("programs")
                if isinstance(items, tuple):
                    _check_set_refs(items, known_sets, _where(fam.id, i))
        for name, distro in new_distros.items():
            if name in self._distros:
                distro = self._distros[name].merged(distro)
            self._distros[name] = distro
        self._program_sets.update(new_sets)
        self._set_cache.clear()
        for fam in built:
            if fam.id in self._families:
                self._order.remove(fam.id)
            self._families[fam.id] = fam
            self._order.append(fam.id)
        for index in indexes:
            current = self._packages.get(index.manager)
            if current is None:
                self._packages[index.manager] = index
            else:  # merge: user closures and sizes win
                current.kib.update(index.kib)
                current.depends.update(index.depends)
                current.recommends.update(index.recommends)
        for name, body in replacements.items():
            merged = dict(self._replacements.get(name, {}))
            merged.update(body)
            self._replacements[name] = merged
        if not user:
            self.meta.update({k: v for k, v in data.items() if k in ("schema", "updated")})
        self._reindex()

    def _reindex(self) -> None:
        self._rank = {fid: i for i, fid in enumerate(self._order)}
        self._exact = {}
        self._pattern_families = []
        for fid in reversed(self._order):  # newest first: user entries win
            fam = self._families[fid]
            for name in fam.names:
                self._exact.setdefault(name, []).append(fam)
            if fam.patterns:
                self._pattern_families.append(fam)
        self._cache.clear()
        self._text_cache.clear()
        self._nonroot = None
        self._nonroot_by = {}
        self._by_name.clear()
        self._replacement_cache.clear()

    def copy(self) -> "Catalog":
        """An independent catalog with the same entries (extend the copy, not the shared default)."""
        other = Catalog()
        other._families = dict(self._families)
        other._order = list(self._order)
        other._packages = {m: _PackageIndex.clone(i) for m, i in self._packages.items()}
        other._replacements = {k: dict(v) for k, v in self._replacements.items()}
        other.meta = dict(self.meta)
        other._distros = dict(self._distros)
        other._program_sets = dict(self._program_sets)
        other._reindex()
        return other

    def extend(self, mapping: Any) -> "Catalog":
        """Add or override entries (user config `images:`); see the module docstring."""
        if mapping is None:
            return self
        self._load(mapping, user=True)
        return self

    # -------------------------------------------------------------- image facts
    def family_ids(self) -> Tuple[str, ...]:
        return tuple(self._order)

    def nonroot_names(self) -> Tuple[Tuple[str, str], ...]:
        """(family id, name) of every family name, in family order, whose facts can say at
        some tag that the image does not run as root: those of a name whose claiming families
        (by exact name or name pattern) set no non-root `default_user` anywhere say root or
        unknown at every tag, so a search for a non-root variant need not look them up."""
        return tuple((fid, name) for fid, name, _ in self._nonroot_index())

    def nonroot_candidates(self, kind: str, entrypoint, cmd) -> Tuple[Tuple[str, str], ...]:
        """The nonroot_names() whose facts can also have this kind, ENTRYPOINT and CMD at some
        tag (what a non-root variant of an image must share with it); usually none."""
        key = (kind, entrypoint, cmd)
        found = self._nonroot_by.get(key)
        if found is None:
            found = self._nonroot_by[key] = tuple(
                (fid, name) for fid, name, possible in self._nonroot_index()
                if kind in possible[0] and entrypoint in possible[1] and cmd in possible[2])
        return found

    def _nonroot_index(self):
        """[(family id, name, (kinds, entrypoints, cmds))] of nonroot_names(): the values
        those facts can take, over the families that can claim the name and run as non-root."""
        if self._nonroot is None:
            able = [fam for fam in self._families.values() if _can_run_as_nonroot(fam)]
            found = []
            for fid in self._order:
                for name in self._families[fid].names:
                    ref_name = ImageRef.parse(name).name
                    claiming = [fam for fam in able if fam in self._exact.get(ref_name, ())
                                or (fam.patterns and fam.name_match(ref_name) is not None)]
                    if claiming:
                        found.append((fid, name, tuple(frozenset().union(*(_possible(fam, key) for fam in claiming))
                                                       for key in ("kind", "entrypoint", "cmd"))))
            self._nonroot = found
            self._nonroot_by = {}
        return self._nonroot

    def facts(self, ref: Union[ImageRef, str, None]) -> Optional[ImageFacts]:
        if ref is None:
            return None
        if not isinstance(ref, ImageRef):
            try:
                return self._text_cache[ref]
            except KeyError:
                pass
            result = self._facts(ImageRef.parse(ref))
            if len(self._text_cache) > 50000:
                self._text_cache.clear()
            self._text_cache[ref] = result
            return result
        return self._facts(ref)

    def _facts(self, ref: ImageRef) -> Optional[ImageFacts]:
        if ref.unresolved or not ref.repository:
            return None
        name = ref.name
        tag = ref.lookup_tag
        key = (name, tag)
        try:
            return self._cache[key]
        except KeyError:
            pass
        candidates = self._by_name.get(name)
        if candidates is None:
            candidates = self._by_name[name] = self._candidates(name)
        result = None
        windows = _WINDOWS_TAG.search(tag) is not None
        for _, fam, groups in candidates:
            if windows and not fam.user:
                continue  # bundled facts describe the Linux images; Windows tags are unknown
            result = fam.resolve(name, tag, groups)
            if result is not None:
                break
        if result is not None:
            result = self._complete(result)
        if len(self._cache) > 50000:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _candidates(self, name: str) -> List[Tuple[int, _Family, Dict[str, str]]]:
        """The families that claim `name`, newest entry first (user entries win), whether they
        claim it by an exact name or by a pattern, with the pattern's named groups. The same
        for every tag of the name: _facts keeps them by name."""
        candidates = [(self._rank[f.id], f, {}) for f in self._exact.get(name, ())]
        for fam in self._pattern_families:
            groups = fam.name_match(name)
            if groups is not None and not (groups == {} and name in fam.names):
                candidates.append((self._rank[fam.id], fam, groups))
        if len(candidates) > 1:
            candidates.sort(key=lambda c: -c[0])
        if len(self._by_name) > 50000:
            self._by_name.clear()
        return candidates

    # -------------------------------------------------------------- operating system facts
    def _complete(self, facts: ImageFacts) -> ImageFacts:
        """Facts that follow from others: a codename release as its number, the glibc
        version of the distribution release, program sets expanded (merged /usr included)."""
        changes: Dict[str, Any] = {}
        distro, release = facts.distro, facts.distro_release
        entry = None
        if distro and release:
            entry = self._release(distro, release)
            if entry is not None and entry.release != release:
                changes["distro_release"] = release = entry.release
        if facts.glibc_version is None and facts.libc == "glibc" and "glibc_version" not in facts.unknown \
                and entry is not None and entry.glibc:
            changes["glibc_version"] = entry.glibc
        if isinstance(facts.programs, tuple):
            programs = self._expand(facts.programs, ())
            if entry is not None and entry.merged_usr:
                programs = _merge_usr(programs)
            changes["programs"] = programs
        return records.replace(facts, **changes) if changes else facts

    def _release(self, distro: str, release: str) -> Optional["_Release"]:
        seen = set()
        name = str(distro).strip().lower()
        while name in self._distros and name not in seen:
            seen.add(name)
            found = self._distros[name].find(str(release))
            if found is not None or not self._distros[name].same_as:
                return found
            name = self._distros[name].same_as
        return None

    def glibc_version_of(self, distro: Optional[str], release: Any) -> Optional[str]:
        """The glibc version of a distribution release ("debian", "12" or "bookworm" -> "2.36";
        "ubuntu", "24.04" -> "2.39"; "ubi", "9" -> "2.34"). None when unknown or not glibc."""
        if not distro or release is None:
            return None
        entry = self._release(distro, str(release))
        return entry.glibc if entry is not None else None

    def distro_python3(self, distro: Optional[str], release: Any) -> Optional[Tuple[str, str]]:
        """(version, path) of the Python the distribution release's own `python3` package installs
        ("debian", "12" -> ("3.11", "/usr/bin/python3")); None when not known."""
        if not distro or release is None:
            return None
        entry = self._release(distro, str(release))
        if entry is None or not entry.python3:
            return None
        return entry.python3, "/usr/bin/python3"

    def distro_release_of(self, distro: Optional[str], release: Any) -> Optional[str]:
        """The release number for a release or codename ("debian", "trixie" -> "13";
        "debian", "12.5" -> "12"); None when the catalog does not know it."""
        if not distro or release is None:
            return None
        entry = self._release(distro, str(release))
        return entry.release if entry is not None else None

    def distribution_source(self, distro: str, release: Any = None) -> Dict[str, Any]:
        """Source and date of a distribution's (release's) facts ({} when unknown)."""
        base = self._distros.get(str(distro).lower())
        if base is None:
            return {}
        meta = dict(base.meta)
        entry = self._release(distro, str(release)) if release is not None else None
        if entry is not None:
            meta.update(entry.meta)
        return meta

    def program_set(self, name: str) -> Optional[FrozenSet[str]]:
        """The programs of a named set in `program_sets` (references expanded), None if no such set."""
        name = name.lstrip("@")
        if name not in self._program_sets:
            return None
        return self._expand(("@" + name,), ())

    def _expand(self, items: Tuple[str, ...], stack: Tuple[str, ...]) -> FrozenSet[str]:
        out: set = set()
        for item in items:
            if not item.startswith("@"):
                out.add(item)
                continue
            name = item[1:]
            cached = self._set_cache.get(name)
            if cached is None:
                if name in stack:
                    raise ValueError(f"program_sets.{name}: refers to itself through {' -> '.join(stack)}")
                entry = self._program_sets.get(name)
                if entry is None:
                    raise ValueError(f"program set {item!r} does not exist")
                cached = self._expand(entry[0], stack + (name,))
                self._set_cache[name] = cached
            out.update(cached)
        return frozenset(out)

    # -------------------------------------------------------------- package sizes
    def package_size_mb(self, manager: Any, package: Any, recommends: bool = False) -> Optional[float]:
        index = self._packages.get(_manager_name(manager))
        if index is None:
            return None
        closure = index.closure(_package_name(package), recommends)
        if closure is None:
            return None
        return round(sum(index.kib[p] for p in closure) * 1.024 / 1000, 1)

    def packages_size_mb(self, manager: Any, packages: Iterable[Any],
                         recommends: bool = False) -> Tuple[float, Tuple[str, ...]]:
        index = self._packages.get(_manager_name(manager))
        names = [_package_name(p) for p in packages]
        if index is None:
            return 0.0, tuple(n for n in names if n)
        union: set = set()
        unknown: List[str] = []
        for name in names:
            if not name:
                continue
            closure = index.closure(name, recommends)
            if closure is None:
                unknown.append(name)
            else:
                union.update(closure)
        return round(sum(index.kib[p] for p in union) * 1.024 / 1000, 1), tuple(unknown)

    def package_source(self, manager: Any) -> Dict[str, Any]:
        """Source, date and notes of a package-size index ({} when there is none)."""
        index = self._packages.get(_manager_name(manager))
        return dict(index.meta) if index else {}

    # -------------------------------------------------------------- suggestion targets
    def replacement_families(self) -> Tuple[str, ...]:
        return tuple(self._replacements)

    def replacement(self, family: str = "distroless", runtime: Optional[str] = None,
                    version: Any = None, linkage: Optional[str] = None,
                    flavor: Optional[str] = None) -> Optional[Replacement]:
        """The image of `family` for a runtime (at a version) or a linkage, or None. Kept by
        its arguments: every file with a suggestion asks about the same few runtimes."""
        key = (family, runtime, version, linkage, flavor)
        try:
            return self._replacement_cache[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable argument (a list as version): not kept
            return self._replacement(family, runtime, version, linkage, flavor)
        if len(self._replacement_cache) > 4096:
            self._replacement_cache.clear()
        found = self._replacement_cache[key] = self._replacement(family, runtime, version, linkage, flavor)
        return found

    def _replacement(self, family: str, runtime: Optional[str], version: Any, linkage: Optional[str],
                     flavor: Optional[str]) -> Optional[Replacement]:
        fam = self._replacements.get(family)
        if fam is None:
            return None
        rt = None if runtime is None else str(runtime).strip().lower()
        rt = _RUNTIME_ALIASES.get(rt, rt) if rt else None
        link = _LINKAGE_ALIASES.get(str(linkage).strip().lower()) if linkage else None
        requested = _norm_version(rt, version)
        family_note = fam.get("note", "")

        def make(image: str, **kw: Any) -> Replacement:
            facts = self.facts(ImageRef.parse(image))
            notes = [n for n in (kw.pop("note", ""), family_note) if n]
            return Replacement(image=image, family=family, runtime=rt, requested_version=requested,
                               note="; ".join(notes), facts=facts,
                               size_mb=facts.size_mb if facts else None,
                               size_note=facts.size_note if facts else "", **kw)

        slots = fam.get("linkage") or {}
        if rt == "static" or link == "static":
            return make(slots["static"], exact=True) if slots.get("static") else None
        if link == "musl":
            return None  # no musl runtime in these families: an Alpine-based image is needed
        languages = fam.get("languages") or {}
        if rt in languages:
            lang = languages[rt] or {}
            slot = link or lang.get("slot", "glibc")
            image = slots.get(slot)
            if not image:
                return None
            return make(image, exact=True, note=lang.get("note", ""))
        runtimes = fam.get("runtimes") or {}
        if rt in runtimes:
            return self._runtime_replacement(family, fam, rt, runtimes[rt] or {}, requested, flavor, make)
        used = (fam.get("use") or {}).get(rt) if rt else None
        if used and used != family and used in self._replacements:
            other = self._replacements[used]
            spec = (other.get("runtimes") or {}).get(rt)
            if spec:
                return self._runtime_replacement(family, other, rt, spec, requested, flavor, make)
        if rt is None or rt not in languages:
            default = fam.get("default")
            if not default:
                return None
            if isinstance(default, str):
                default = {"image": default}
            if rt is not None:
                return None  # a runtime the family knows nothing about: no guess
            return make(default["image"], guess=True, note=default.get("note", ""))
        return None

    @staticmethod
    def _runtime_replacement(family: str, fam: Mapping, rt: str, spec: Mapping,
                             requested: Optional[str], flavor: Optional[str], make) -> Optional[Replacement]:
        note = spec.get("note", "")
        template = spec.get("template")
        if template:  # .NET: versions are a list, the image comes from the template
            versions = [str(v) for v in spec.get("versions", [])]
            if requested not in versions:
                return None
            flavors = spec.get("flavors") or {}
            key = (flavor or spec.get("default_flavor") or "").strip().lower()
            chosen = flavors.get(key)
            if chosen is None:
                return None
            return make(template.format(flavor=chosen, version=requested), version=requested,
                        exact=True, note=note)
        versions = {str(k): v for k, v in (spec.get("versions") or {}).items()}
        if requested is not None and requested in versions:
            return make(versions[requested], version=requested, exact=True, note=note)
        if spec.get("latest"):
            return make(spec["latest"], exact=None, note=note)
        if requested is None:
            if not versions:
                return None
            try:
                newest = max(versions, key=float)
            except ValueError:
                return None
            said = f"the {rt} version in use is not known: this image runs {rt} {newest}"
            return make(versions[newest], version=newest, exact=None,
                        note="; ".join(n for n in (said, note) if n))
        if spec.get("nearest") and versions:
            try:
                want = float(requested)
                ranked = sorted(versions, key=lambda v: (abs(float(v) - want), -float(v)))
            except ValueError:
                return None
            best = ranked[0]
            said = f"{rt} {requested} has no {family} image; nearest available: {best}"
            return make(versions[best], version=best, exact=False,
                        note="; ".join(n for n in (said, note) if n))
        otherwise = spec.get("otherwise")
        if otherwise:
            image = otherwise["image"].format(version=requested)
            return make(image, version=requested, exact=True, fallback=True,
                        note=otherwise.get("note", ""))
        return None


# ------------------------------------------------------------------ loading the bundled data

def _yaml_load(text: str) -> Any:
    import yaml
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    return yaml.load(text, Loader=loader)


def _bundled_text() -> str:
    # A plain path read: importlib.resources costs ~10 ms of imports, and the package
    # data always sits beside this module (wheel, sdist or editable install).
    with open(_data_path("catalog.yaml"), "r", encoding="utf-8") as fh:
        return fh.read()


_COMPILED = "catalog.json"


def _data_path(name: str) -> str:
    import os
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", name)


def _source_digest(*texts: str) -> str:
    """A digest of the source text(s) a compiled file was made from. CRC-32 and length: it
    only has to notice an edit (it guards against staleness, not tampering), and zlib is
    already loaded where hashlib would load OpenSSL (~5 ms of start-up)."""
    import zlib

    crc, size = 0, 0
    for text in texts:
        data = text.encode("utf-8")
        crc, size = zlib.crc32(data, crc), size + len(data)
    return f"crc32:{crc:08x}:{size}"


@functools.lru_cache(maxsize=1)
def _bundled_data() -> Any:
    """The bundled catalog. catalog.yaml is the source; catalog.json is the same data
    pre-parsed (`python -m dockerslim_lint.images.catalog`), used only while it was made from
    the very same YAML text (its digest matches), because parsing 120 KB of YAML costs
    ~150 ms of start-up and JSON ~3 ms. An out-of-date JSON is ignored, never wrong."""
    import json
    text = _bundled_text()
    try:
        with open(_data_path(_COMPILED), encoding="utf-8") as fh:
            compiled = json.load(fh)
        if compiled.get("source_digest") == _source_digest(text):
            return compiled["data"]
    except (OSError, ValueError, AttributeError):
        pass
    return _yaml_load(text)


# catalog.pickle: the bundled Catalog object itself, built from catalog.yaml by this very
# module. Building it (validating 55 families, indexing thousands of package sizes) costs
# ~3x unpickling it. Its key is the digest of catalog.yaml AND of this file's source, so
# an edit to either makes it stale, and a stale or unreadable pickle is ignored (the
# catalog is built as usual), never used. It is our own package data, like this code.
_PICKLED = "catalog.pickle"


def _module_source() -> Optional[str]:
    try:
        with open(__file__, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError, NameError):  # no source shipped: no pickle
        return None


def _pickle_key() -> Optional[str]:
    source = _module_source()
    return None if source is None else _source_digest(_bundled_text(), source)


@functools.lru_cache(maxsize=1)
def _pickled_bytes() -> Optional[bytes]:
    try:
        with open(_data_path(_PICKLED), "rb") as fh:
            key, _, data = fh.read().partition(b"\n")
    except OSError:
        return None
    return data if key.decode("ascii", "replace") == _pickle_key() else None


def _bundled_catalog() -> Catalog:
    """A fresh Catalog of the bundled data: unpickled when catalog.pickle is current, else built."""
    data = _pickled_bytes()
    if data is not None:
        try:  # pickle's C unpickler, without pickle.py (~1.5 ms of start-up to import)
            from _pickle import loads
        except ImportError:  # pragma: no cover - an interpreter without the accelerator
            from pickle import loads

        try:
            catalog = loads(data)
            if isinstance(catalog, Catalog):
                return catalog
        except Exception:  # noqa: BLE001 - a damaged file: build instead
            pass
    return Catalog(_bundled_data())


def write_compiled() -> str:
    """Regenerate data/catalog.json and data/catalog.pickle from data/catalog.yaml (and this
    module, for the pickle); returns the JSON's path."""
    import json
    import pickle

    text = _bundled_text()
    path = _data_path(_COMPILED)
    data = _yaml_load(text)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump({"source": "catalog.yaml", "source_digest": _source_digest(text),
                   "note": "generated by `python -m dockerslim_lint.images.catalog`; edit catalog.yaml",
                   "data": data}, fh, separators=(",", ":"), sort_keys=False)
        fh.write("\n")
    key = _pickle_key()
    if key is not None:
        # The classes by their importable names, also when this runs as __main__ (`python -m`).
        from dockerslim_lint.images import catalog as module

        with open(_data_path(_PICKLED), "wb") as fh:
            fh.write(key.encode("ascii") + b"\n" + pickle.dumps(module.Catalog(data), protocol=4))
    _pickled_bytes.cache_clear()
    return path


@functools.lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The bundled catalog, loaded once per process. Do not extend it in place: build
    `Catalog(...)` / `load_catalog(user_images)` for user entries."""
    return _bundled_catalog()


def load_catalog(user_images: Any = None) -> Catalog:
    """A fresh catalog from the bundled data, extended with user entries (config `images:`)."""
    catalog = _bundled_catalog()
    if user_images:
        catalog.extend(user_images)
    return catalog


if __name__ == "__main__":  # pragma: no cover
    print(write_compiled())
