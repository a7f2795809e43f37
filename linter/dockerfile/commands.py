"""What a RUN does, read once from its shell text: the simple commands it runs, the
packages it installs and removes, the builds it runs, the caches it leaves.

This is deliberately a reader of the common shapes (`a && b || c; d | e`, quotes,
`sh -c '...'`, env prefixes, sudo), not a shell: what it cannot read it does not
judge. Scripts whose contents are not in the Dockerfile are never judged.
"""
from __future__ import annotations

import functools
import re
from dockerslim_lint import lazyre
from dockerslim_lint.records import field, record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import List, Optional

_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "\n", "(", ")", "{", "}")
_SHELLS = {"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox", "/bin/sh", "/bin/bash",
           "/bin/ash", "/bin/dash", "/usr/bin/bash", "/busybox/sh"}


# One token of the scanner, tried at the current position (the alternatives cover every
# character, so a match always advances). First a bare word (plain characters up to blanks,
# which it swallows, or an operator, or the end) and an operator with the blanks after it,
# which are most tokens; then the pieces of other words: plain characters, a backslash
# pair, a single-quoted string (unbalanced: to the end), a double-quoted one (unbalanced: to
# the end, a lone trailing backslash kept); blanks; `#`; a brace; a backslash at the very
# end. Plain characters are everything but blanks, newlines, quotes, backslashes,
# operators, braces and `#`.
_TOKEN = re.compile(r"""
    (?P<bare>[^ \t\r\n\\'"&|;(){}\#]+)(?:[ \t\r]+|(?=[\n&|;()])|\Z)
  | (?:&&|\|\||;;|[&|;\n()])(?P<op>[ \t\r]*)
  | (?P<word>[^ \t\r\n\\'"&|;(){}\#]+)
  | \\(?P<esc>.)
  | '(?P<sq>[^']*)'?
  | "(?P<dq>(?:[^"\\]|\\.)*\\?)"?
  | (?P<blank>[ \t\r]+)
  | (?P<hash>\#)
  | (?P<brace>[{}])
  | (?P<lone>\\)
""", re.VERBOSE | re.DOTALL)
_DQ_ESCAPE = re.compile(r'\\(["\\$`])')
_COMMENT_END = re.compile(r"[^\n]*")
# The fast path: a script with none of these (once line continuations are gone) is only
# words, blanks and operators.
_NOT_SIMPLE = re.compile(r"[\\'\"#{}]")
_OPERATORS_RE = re.compile(r"&&|\|\||;;|[&|;\n()]")
_WORDS_RE = re.compile(r"[^ \t\r]+")
_ASSIGNMENT = lazyre.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_VERSION_SUFFIX = re.compile(r"[=<>~@]")
_PIP_VERSIONED = re.compile(r"pip3\.\d+$")
_PYTHON = lazyre.compile(r"python[0-9.]*$")
_VERSIONED_COMPILER = lazyre.compile(r"(?:gcc|g\+\+|clang)-\d+$")


def tokenize(script: str, envs: Optional[List[dict]] = None) -> List[List[str]]:
    """Split a shell script into simple commands (lists of words), quotes removed.

    Operators (&&, ||, ;, |, &, newlines, subshell parentheses, braces) separate
    commands; comments are dropped; an unbalanced quote runs to the end. Linear time:
    a regex scanner reads a token at a time (a run of plain characters at once).
    `envs`, when given, receives one dict per returned command: its `NAME=value` prefix
    assignments (`CGO_ENABLED=0 go build`), which the returned words leave out.
    """
    joined = script.replace("\\\n", "") if "\\\n" in script else script
    if not _NOT_SIMPLE.search(joined):
        # No quotes, no escapes, no comments, no braces: operators split commands, blanks words.
        commands = []
        for part in _OPERATORS_RE.split(joined):
            found = _WORDS_RE.findall(part)
            if found:
                commands.append(found)
        return _unwrap(commands, envs)
    commands: List[List[str]] = []
    words: List[str] = []
    word: List[str] = []  # the pieces of the current word
    in_word = False  # a word has started (an empty quoted string starts one too)
    match = _TOKEN.match
    i, n = 0, len(script)
    while i < n:
        m = match(script, i)
        kind = m.lastgroup
        i = m.end()
        if kind == "bare":
            if in_word:
                word.append(m.group(kind))
                words.append("".join(word))
                word = []
                in_word = False
            else:
                words.append(m.group(kind))
        elif kind == "op":
            if in_word:
                words.append("".join(word))
                word = []
                in_word = False
            if words:
                commands.append(words)
                words = []
        elif kind == "word":
            word.append(m.group(kind))
            in_word = True
        elif kind == "blank":
            if in_word:
                words.append("".join(word))
                word = []
                in_word = False
        elif kind == "sq":
            word.append(m.group(kind))
            in_word = True
        elif kind == "dq":
            text = m.group(kind)
            word.append(_DQ_ESCAPE.sub(r"\1", text) if "\\" in text else text)
            in_word = True
        elif kind == "esc":
            char = m.group(kind)
            if char != "\n":  # a backslash-newline is a line continuation: nothing
                word.append(char)
                in_word = True
        elif kind == "hash":
            if in_word:
                word.append("#")
            else:  # a comment, up to (not including) the newline
                i = _COMMENT_END.match(script, i).end()
        elif kind == "brace":
            # In a word, or followed by a word character (brace expansion, ${...}): part
            # of the word; else a group's brace, which separates commands.
            if in_word or (i < n and script[i] not in " \t\n;"):
                word.append(m.group(kind))
                in_word = True
            elif words:
                commands.append(words)
                words = []
        else:  # a backslash as the last character
            word.append("\\")
            in_word = True
    if in_word:
        words.append("".join(word))
    if words:
        commands.append(words)
    return _unwrap(commands, envs)


def _unwrap(commands: List[List[str]], envs: Optional[List[dict]] = None,
            outer: Optional[dict] = None) -> List[List[str]]:
    """Strip env prefixes, sudo/exec/time wrappers, and read `sh -c '...'` bodies."""
    out: List[List[str]] = []
    for words in commands:
        k = 0
        env = dict(outer or {})
        while k < len(words):
            w = words[k]
            if "=" in w and not w.startswith("-") and _ASSIGNMENT.match(w):
                name, _, value = w.partition("=")
                env[name] = value
                k += 1
            elif w in ("sudo", "exec", "time", "nohup", "command", "env", "xargs", "then", "do",
                       "else", "if", "while", "until", "!"):
                k += 1
                while w in ("sudo", "env", "xargs") and k < len(words) and words[k].startswith("-"):
                    k += 1
            else:
                break
        words = words[k:]
        if not words:
            continue
        if words[0] in _SHELLS and len(words) >= 3 and words[1] in ("-c", "-ec", "-xc", "-exc", "-euxc"):
            inner: Optional[List[dict]] = [] if envs is not None else None
            body = tokenize(words[2], inner)
            out.extend(body)
            if envs is not None:
                envs.extend({**env, **e} for e in inner)
            continue
        out.append(words)
        if envs is not None:
            envs.append(env)
    return out


# -- packages -------------------------------------------------------------------------

BUILD_TOOL_PACKAGES = ("gcc", "gcc-*", "g++", "g++-*", "clang", "clang-*", "llvm", "build-essential",
                       "build-base", "make", "cmake", "autoconf", "automake", "libtool", "ninja-build",
                       "golang", "golang-go", "golang-*-go", "go", "rustc", "cargo", "rust",
                       "default-jdk", "default-jdk-headless", "openjdk-*-jdk", "openjdk-*-jdk-headless",
                       "openjdk*-jdk", "java-*-openjdk-devel", "maven", "gradle", "musl-dev", "libc-dev",
                       "libc6-dev", "gcc-c++", "dotnet-sdk-*", "nasm", "yasm", "bison", "flex", "swig")
FETCH_TOOL_PACKAGES = ("git", "curl", "wget")
SHELL_PACKAGES = ("bash", "dash", "zsh", "busybox", "busybox-static", "ash", "ksh", "mksh", "fish", "tcsh")


def _glob_parts(patterns):
    """Each pattern (with at most one `*`) as (exact name, or None) and (prefix, suffix)."""
    exact, wild = set(), []
    for p in patterns:
        if "*" in p:
            prefix, _, suffix = p.partition("*")
            assert "*" not in suffix and not any(c in p for c in "?[")
            wild.append((prefix, suffix))
        else:
            exact.add(p)
    return frozenset(exact), tuple(wild)


# fnmatch would compile a regex per pattern at start-up; the patterns are names with at most
# one `*`, matched as fnmatch.fnmatchcase does (a `*` matches any run of characters).
_BUILD_TOOL_EXACT, _BUILD_TOOL_WILD = _glob_parts(BUILD_TOOL_PACKAGES)


# An RPM name with its version and release (`make-3.82-24.el7`, `gcc-c++-4.8.5-39.el7.x86_64`,
# `python3-3.6.8-18.el7`): name-[epoch:]version-release[.arch], both starting with a digit and
# the release holding a dist tag after a dot. Debian names such as `gcc-12` or `openjdk-17-jdk`
# do not have that shape.
@functools.lru_cache(maxsize=None)
def _rpm_patterns():
    """(name-version-release, .arch suffix), compiled on first use (start-up stays lean)."""
    return (re.compile(r"^(?P<name>.+?)-(?:\d+:)?\d[\w.+~^]*-\d[\w+~^]*\.[\w.+~^]+$"),
            re.compile(r"\.(x86_64|noarch|aarch64|i686|i386|ppc64le|s390x|armv7hl)$"))


def rpm_name(name: str) -> str:
    """`make-3.82-24.el7` -> make; any name without a version-release suffix unchanged."""
    nevra, arch = _rpm_patterns()
    match = nevra.match(arch.sub("", name))
    return match.group("name") if match else name


@functools.lru_cache(maxsize=4096)  # the same few package names recur across thousands of files
def is_build_tool_package(name: str) -> bool:
    base = _package_base(name)
    if base.endswith("-dev") or base.endswith("-devel"):
        return True
    return base in _BUILD_TOOL_EXACT or any(
        len(base) >= len(prefix) + len(suffix) and base.startswith(prefix) and base.endswith(suffix)
        for prefix, suffix in _BUILD_TOOL_WILD)


@functools.lru_cache(maxsize=4096)  # tens of thousands of calls on a batch, a few hundred names
def _package_base(name: str) -> str:
    """`gcc=4:12.2.0-3` -> gcc, `gcc~=12` -> gcc, `curl>8` -> curl, `bash@edge` -> bash,
    `make-3.82-24.el7` -> make."""
    base = _VERSION_SUFFIX.split(name, 1)[0]
    if "-" in base and "." in base:  # maybe an RPM name-version-release
        base = rpm_name(base)
    return base.split(":")[0].lower()


@record
class PackageOp:
    """One package-manager command of a RUN: install, remove, update or clean."""

    manager: str  # apt, apk, dnf, yum, microdnf, zypper, pip, npm, gem
    action: str  # install, remove, update, clean
    packages: List[str]
    words: List[str]  # the whole simple command


@record
class RunAnalysis:
    """What one RUN does: its simple commands, package operations, builds and removals."""

    commands: List[List[str]]
    package_ops: List[PackageOp] = field(default_factory=list)
    build_commands: List[str] = field(default_factory=list)  # human-readable, e.g. "go build"
    managers_run: List[str] = field(default_factory=list)
    removed_paths: List[str] = field(default_factory=list)  # arguments of rm
    opaque: bool = False  # runs a script whose contents are not in the Dockerfile
    command_env: List[dict] = field(default_factory=list)  # per command: its `NAME=value` prefixes

    def installed(self, manager: Optional[str] = None) -> List[str]:
        return [_package_base(p) for op in self.package_ops if op.action == "install"
                and (manager is None or op.manager == manager) for p in op.packages]

    def removed(self) -> List[str]:
        return [_package_base(p) for op in self.package_ops if op.action == "remove" for p in op.packages]

    def net_installed(self) -> List[str]:
        """Packages installed and not removed again by this same RUN (apk --virtual groups included)."""
        cached = self.__dict__.get("_net_installed")
        if cached is None:
            cached = self.__dict__["_net_installed"] = self._net_installed()
        return list(cached)

    def _net_installed(self) -> List[str]:
        removed = set(self.removed())
        virtual_removed = set()
        for op in self.package_ops:
            if op.action == "install" and op.manager == "apk":
                group = _option_value(op.words, ("-t", "--virtual"))
                if group and group in removed:
                    virtual_removed.update(_package_base(p) for p in op.packages)
        return [p for p in self.installed() if p not in removed and p not in virtual_removed]


_APT_INSTALL = {"install"}
_APT_REMOVE = {"remove", "purge", "autoremove"}
_OPTS_WITH_VALUE = {"-t", "--virtual", "-o", "-c", "--target-release", "--repository", "-X",
                    "--setopt", "--installroot", "--releasever", "-r", "--requirement",
                    "--index-url", "-i", "--extra-index-url", "--prefix", "--root", "--target",
                    "--cache-dir", "--constraint", "-e", "--editable", "--registry"}


def _option_value(words, names) -> Optional[str]:
    for k, w in enumerate(words):
        for name in names:
            if w == name and k + 1 < len(words):
                return words[k + 1]
            if name.startswith("--") and w.startswith(name + "="):
                return w.split("=", 1)[1]
    return None


def _positionals(words: List[str], value_flags=_OPTS_WITH_VALUE) -> List[str]:
    """The words that are not options nor option values (`value_flags` take the next word)."""
    out = []
    skip = False
    for w in words:
        if skip:
            skip = False
            continue
        if w.startswith("-"):
            if w in value_flags:
                skip = True
            continue
        if w.startswith("$") or not w:
            continue
        out.append(w)
    return out


def _base_cmd(word: str) -> str:
    return word.rsplit("/", 1)[-1]


_MANAGER_COMMANDS = frozenset(("apt-get", "apt", "aptitude", "apk", "dnf", "yum", "microdnf", "tdnf", "dnf5",
                               "zypper", "npm", "pnpm", "yarn", "gem"))  # pip*, python*: by prefix


def _package_op(words: List[str], cmd: Optional[str] = None) -> Optional[PackageOp]:
    """The package operation of a simple command, if any; `cmd`: _base_cmd(words[0]) when known."""
    if cmd is None:
        cmd = _base_cmd(words[0])
    if cmd not in _MANAGER_COMMANDS and not cmd.startswith(("pip", "python")):
        return None
    rest = words[1:]
    pos = _positionals(rest)
    verb = pos[0] if pos else ""
    args = pos[1:]
    if cmd in ("apt-get", "apt", "aptitude"):
        if verb in _APT_INSTALL:
            return PackageOp("apt", "install", args, words)
        if verb in _APT_REMOVE:
            return PackageOp("apt", "remove", args, words)
        if verb in ("update", "upgrade", "dist-upgrade", "full-upgrade"):
            return PackageOp("apt", "update", [], words)
        if verb in ("clean", "distclean", "dist-clean", "autoclean"):
            return PackageOp("apt", "clean", [], words)
        return PackageOp("apt", verb or "other", [], words)
    if cmd == "apk":
        if verb == "add":
            return PackageOp("apk", "install", args, words)
        if verb == "del":
            return PackageOp("apk", "remove", args, words)
        if verb in ("update", "upgrade"):
            return PackageOp("apk", "update", [], words)
        if verb == "cache":
            return PackageOp("apk", "clean", [], words)
        return PackageOp("apk", verb or "other", [], words)
    if cmd in ("dnf", "yum", "microdnf", "tdnf", "dnf5"):
        manager = "dnf" if cmd in ("dnf5", "tdnf") else cmd
        if verb in ("install", "groupinstall", "reinstall"):
            return PackageOp(manager, "install", args, words)
        if verb in ("remove", "erase", "autoremove"):
            return PackageOp(manager, "remove", args, words)
        if verb == "clean":
            return PackageOp(manager, "clean", args, words)
        if verb in ("update", "upgrade", "makecache"):
            return PackageOp(manager, "update", [], words)
        return PackageOp(manager, verb or "other", [], words)
    if cmd == "zypper":
        if verb in ("install", "in"):
            return PackageOp("zypper", "install", args, words)
        if verb in ("remove", "rm"):
            return PackageOp("zypper", "remove", args, words)
        if verb in ("clean", "cc"):
            return PackageOp("zypper", "clean", [], words)
        return PackageOp("zypper", verb or "other", [], words)
    if cmd in ("pip", "pip3") or _PIP_VERSIONED.match(cmd) or (
            _PYTHON.match(cmd) and rest[:2] in (["-m", "pip"],)):
        if cmd.startswith("python"):
            rest = rest[2:]
            pos = _positionals(rest)
            verb = pos[0] if pos else ""
            args = pos[1:]
        if verb == "install":
            return PackageOp("pip", "install", args, words)
        if verb == "uninstall":
            return PackageOp("pip", "remove", args, words)
        return PackageOp("pip", verb or "other", [], words)
    if cmd in ("npm", "pnpm", "yarn"):
        if verb in ("install", "i", "ci", "add") or (cmd == "yarn" and not verb):
            return PackageOp(cmd, "install", args, words)
        if verb == "cache":
            return PackageOp(cmd, "clean", args, words)
        return PackageOp(cmd, verb or "other", [], words)
    if cmd == "gem" and verb == "install":
        return PackageOp("gem", "install", args, words)
    return None


# -- builds ---------------------------------------------------------------------------

_BUILD_COMMANDS = frozenset(("go", "cargo", "mvn", "mvnw", "gradle", "gradlew", "npm", "pnpm", "yarn", "make",
                             "gmake", "ninja", "cmake", "gcc", "cc", "g++", "c++", "clang", "clang++", "rustc",
                             "javac", "tsc", "musl-gcc", "dotnet", "configure"))  # and gcc-N, g++-N, clang-N

# Asking a tool for its version or help builds nothing (`rustc --version`, `javac -version`,
# `gcc -dumpversion`, `make -v`): such commands are never build evidence.
_QUERY_FLAGS = frozenset({"--version", "-version", "-V", "--help", "-help", "-h", "-dumpversion",
                          "-dumpfullversion", "-dumpmachine", "--print-target-info", "-print-search-dirs",
                          "--info", "--list-runtimes", "--list-sdks"})


def _is_query(words: List[str]) -> bool:
    args = words[1:]
    return any(w in _QUERY_FLAGS for w in args) or args == ["-v"] or (args[:1] == ["version"])


def _build_command(words: List[str], cmd: str) -> Optional[str]:
    """The build a simple command runs, if any (e.g. "go build"); `cmd`: _base_cmd(words[0])."""
    if cmd not in _BUILD_COMMANDS and not _VERSIONED_COMPILER.match(cmd) and not words[0].endswith("/configure"):
        return None
    if _is_query(words):
        return None
    pos = _positionals(words[1:])
    verb = pos[0] if pos else ""
    if cmd == "go" and verb in ("build", "install"):
        return f"go {verb}"
    if cmd == "cargo" and verb in ("build", "install", "rustc"):
        return f"cargo {verb}"
    if cmd in ("mvn", "mvnw") and any(p in ("package", "install", "verify", "compile") or
                                      p.startswith("spring-boot:") for p in pos):
        return "mvn package"
    if cmd in ("gradle", "gradlew") and any(
            p in ("build", "assemble", "bootJar", "jar", "shadowJar", "installDist", "distTar",
                  "nativeCompile", "bootWar", "war") or p.endswith(":build") for p in pos):
        return "gradle build"
    if cmd in ("npm", "pnpm") and (verb == "run" and len(pos) > 1 and pos[1].startswith("build")
                                   or verb == "build"):
        return f"{cmd} run build"
    if cmd == "yarn" and (verb.startswith("build") or (verb == "run" and len(pos) > 1 and pos[1].startswith("build"))):
        return "yarn build"
    if cmd in ("make", "gmake", "ninja", "cmake") and (cmd != "cmake" or "--build" in words):
        return cmd
    if cmd in ("gcc", "cc", "g++", "c++", "clang", "clang++", "rustc", "javac", "tsc", "musl-gcc") or \
            _VERSIONED_COMPILER.match(cmd):
        return cmd
    if cmd == "dotnet" and verb in ("publish", "build"):
        return f"dotnet {verb}"
    if cmd in ("./configure", "configure") or words[0].endswith("/configure"):
        return "./configure"
    return None


_SCRIPT = re.compile(r"^(\./|/|\.\./)?[\w./-]*\.(sh|bash|py|pl|rb)$")


def analyse(script: str) -> RunAnalysis:
    envs: List[dict] = []
    commands = tokenize(script, envs)
    analysis = RunAnalysis(commands, command_env=envs)
    for words in commands:
        cmd = words[0]
        base = _base_cmd(cmd)
        op = _package_op(words, base)
        if op is not None:
            analysis.package_ops.append(op)
            if op.manager not in analysis.managers_run:
                analysis.managers_run.append(op.manager)
        build = _build_command(words, base)
        if build is not None:
            analysis.build_commands.append(build)
        if base == "rm":
            analysis.removed_paths.extend(w for w in words[1:] if not w.startswith("-"))
        if _SCRIPT.match(cmd) or (cmd in _SHELLS and len(words) == 2 and not words[1].startswith("-")):
            analysis.opaque = True
    return analysis
