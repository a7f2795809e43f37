"""Artifact tracking: what the builds of a Dockerfile produce, how they were built, and
what each `COPY --from` into a runtime stage carries. Read by the runtime-compatibility
rules (DSL501-DSL508) and by the needs/provides model; computed once per model.

    build_outputs(model, stage) -> list[BuildOutput]
        What the RUNs of `stage` (its FROM-chain included) produce, plus outputs that
        `COPY --from` brought into it from other stages (paths rewritten): the `go build -o`
        file or `go install` into `$GOBIN`/`$GOPATH/bin`; `cargo build` outputs under
        `target/[<triple>/]<profile>`; C/C++ outputs of `gcc`/`cc`/`clang` (and of `make`,
        `cmake --build`, `ninja`, `./configure`, marked `opaque`: what they build is not in
        the file); virtualenvs, `pip --target/--prefix/--user` trees and site-packages;
        `node_modules`; jars under `target/` or `build/libs/`; `dotnet publish` folders.
        Each carries the builder facts: libc and glibc version of the builder image, cgo,
        static-link flags, interpreter version and path, JDK/SDK version and the level the
        build targets, native-addon signals, build platform and whether the command targets
        the target platform.
    artifacts_of(model) -> list[Artifact]
        Per `COPY --from=<stage>` into a runtime stage and per source path: the outputs it
        carries (the source path is an output, a folder holding one, a part of a folder
        output, or the file the effective ENTRYPOINT/CMD runs).
    effective_programs(model) -> list[Program]
        The programs the effective ENTRYPOINT/CMD and HEALTHCHECK CMD run, with the absolute
        paths a bare name resolves to along the effective PATH.

Image facts (libc, glibc version, interpreter versions and paths, programs present, PATH,
WORKDIR) come from the catalog through ImageFacts; a fact that is unknown is None here and
nothing is concluded from it. No image fact is written in this module.
"""
from __future__ import annotations

from dockerslim_lint import lazyre
from dockerslim_lint import records
import fnmatch
import posixpath
import re
from dockerslim_lint.records import field, record

from dockerslim_lint.dockerfile.commands import _package_base, _positionals
from dockerslim_lint.dockerfile.parser import Instruction
from dockerslim_lint.dockerfile.variables import expand
from dockerslim_lint.model.stages import Model, Stage, copy_source_stage

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Dict, List, Optional, Tuple

KINDS = ("go-binary", "rust-binary", "c-binary", "python-env", "node-modules", "jar", "dotnet-publish")
NATIVE_KINDS = frozenset({"go-binary", "rust-binary", "c-binary"})
# Folder outputs: a source path inside one is a part of it.
FOLDER_KINDS = frozenset({"python-env", "node-modules", "dotnet-publish"})
# Where Docker looks for a program when the image sets no PATH (runc's default).
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BIN_DIRS = ("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")

_C_COMPILERS = ("gcc", "cc", "g++", "c++", "clang", "clang++", "musl-gcc")
_CXX = ("g++", "c++", "clang++")
_COMPILER_PACKAGES = ("gcc", "g++", "build-base", "clang", "musl-dev", "gcc-c++", "build-essential")
_GO_VALUE_FLAGS = frozenset({"-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-modfile", "-p",
                             "-pkgdir", "-installsuffix", "-buildmode", "-compiler", "-gccgoflags",
                             "-overlay", "-pgo", "-toolexec", "-C", "-covermode", "-coverpkg"})
_CARGO_VALUE_FLAGS = frozenset({"--target", "--target-dir", "--profile", "-p", "--package", "--bin",
                                "--features", "-F", "--manifest-path", "--root", "--path", "-j", "--jobs",
                                "--example", "--config", "-Z", "--color", "--message-format", "--version",
                                "--git", "--branch", "--tag", "--rev", "--index", "--registry"})
_C_VALUE_FLAGS = frozenset({"-o", "-I", "-L", "-l", "-D", "-U", "-include", "-x", "-MF", "-MT", "-isystem",
                            "--sysroot", "-target", "--target", "-arch"})
_DOTNET_VALUE_FLAGS = frozenset({"-o", "--output", "-c", "--configuration", "-f", "--framework", "-r",
                                 "--runtime", "-a", "--arch", "--os", "-v", "--verbosity", "-p",
                                 "--property", "--version-suffix", "-s", "--source"})
_VERSION_VARS = {"go": ("GOLANG_VERSION", "GO_VERSION"), "python": ("PYTHON_VERSION",),
                 "node": ("NODE_VERSION",), "java": ("JAVA_VERSION",),
                 "dotnet": ("DOTNET_VERSION", "DOTNET_SDK_VERSION", "ASPNET_VERSION")}


@record
class BuildOutput:
    """One thing a RUN of a build stage produces, and how it was built."""

    kind: str  # one of KINDS
    paths: Tuple[str, ...]  # absolute paths in the builder (files or folders)
    exact: bool  # True: `paths` are the output; False: the folder it lands in (its name unknown)
    stage: Stage  # the stage whose RUN built it
    instruction: Instruction  # that RUN
    command: Tuple[str, ...]  # the build command's words
    builder_image: Optional[str] = None  # the builder stage's external base, as written
    libc: Optional[str] = None  # "glibc" | "musl" | "static" | None (unknown or not native)
    glibc_version: Optional[str] = None  # the builder's glibc version (glibc builds only)
    cgo: Optional[bool] = None  # Go: cgo on/off; None unknown
    static: Optional[bool] = None  # native: statically linked (True), dynamic (False), unknown (None)
    needs_libgcc: Optional[bool] = None  # Rust -gnu, C++: libgcc_s / libstdc++ at run time
    interpreter_version: Optional[str] = None  # Python X.Y of an environment, Node major of node_modules
    interpreter_path: Optional[str] = None  # the interpreter a virtualenv's bin/python points to
    sdk_version: Optional[str] = None  # Go, JDK, .NET SDK version of the builder
    target_level: Optional[str] = None  # Java --release/-target level, .NET -f framework version
    native_addons: Optional[bool] = None  # node: node-gyp signals (python3 + make + g++) in the stage
    build_platform: Optional[str] = None  # the stage's FROM --platform as written ("$BUILDPLATFORM")
    targets_target: Optional[bool] = None  # the command targets TARGET* (True), the build platform (False)
    cross_evidence: str = ""  # how it targets (or not), in words
    self_contained: Optional[bool] = None  # .NET: -r/--self-contained/AOT (a native program)
    opaque: bool = False  # make/cmake/configure: what it builds is not in the file
    copies: bool = False  # venv created with --copies
    via: Tuple[Instruction, ...] = ()  # COPY --from instructions that relayed it into this stage

    @property
    def native(self) -> bool:
        return self.kind in NATIVE_KINDS or (self.kind == "dotnet-publish" and bool(self.self_contained))


@record
class Artifact:
    """What one source path of a `COPY --from=<stage>` into a runtime stage carries."""

    instruction: Instruction  # the COPY
    stage: Stage  # the runtime stage it is in
    source_stage: Stage
    source: str  # absolute source path in the source stage, as written (globs kept)
    destination: str  # absolute destination path in the runtime stage
    runtime_paths: Tuple[str, ...]  # where the copied output can land (dest, dest/basename)
    outputs: List[BuildOutput] = field(default_factory=list)
    runs_it: bool = False  # the effective ENTRYPOINT/CMD runs what this copy brings


@record(frozen=True)
class Program:
    """A program the shipped image runs."""

    role: str  # "entrypoint" | "cmd" | "healthcheck"
    instruction: Optional[Instruction]  # None: the base image's own ENTRYPOINT/CMD
    words: Tuple[str, ...]  # the command (exec-form words, or the shell text split into words)
    exec_form: bool
    name: str  # the program as written
    paths: Tuple[str, ...]  # absolute paths it resolves to, in lookup order
    path_known: bool  # False: the PATH (or WORKDIR) is not fully known


# ------------------------------------------------------------------ small helpers

def _version_tuple(text: Optional[str]) -> Optional[Tuple[int, ...]]:
    if not text:
        return None
    m = re.match(r"^v?(\d+)(?:\.(\d+))?", str(text))
    if not m:
        return None
    return tuple(int(x) for x in m.groups() if x is not None)


def version_lt(a: Optional[str], b: Optional[str]) -> Optional[bool]:
    """a < b, on numeric components; None when either is unknown."""
    ta, tb = _version_tuple(a), _version_tuple(b)
    if ta is None or tb is None:
        return None
    return ta < tb


def _minor(text: Optional[str]) -> Optional[str]:
    m = re.match(r"^(\d+)\.(\d+)", text or "")
    return f"{m.group(1)}.{m.group(2)}" if m else None


def _major(text: Optional[str]) -> Optional[str]:
    m = re.search(r"(\d+)", text or "")
    if not m:
        return None
    major = m.group(1)
    if major == "1" and re.match(r"^1\.(\d+)", text or ""):  # Java 1.8 -> 8
        return re.match(r"^1\.(\d+)", text).group(1)
    return major


def _fact(facts, name):
    return getattr(facts, name, None) if facts is not None else None


def _is_unresolved(text: Optional[str]) -> bool:
    return text is None or "$" in text or "`" in text


def _join(cwd: Optional[str], path: str) -> Optional[str]:
    if path.startswith("/"):
        return posixpath.normpath(path)
    if cwd is None:
        return None
    return posixpath.normpath(posixpath.join(cwd, path))


def _option(words, names) -> Optional[str]:
    """The value of the last of `names` (`-o x`, `-o=x`, `--output=x`, `-ox` for short C flags)."""
    value = None
    for k, w in enumerate(words):
        for name in names:
            if w == name and k + 1 < len(words):
                value = words[k + 1]
            elif w.startswith(name + "="):
                value = w.split("=", 1)[1]
    return value


def _under(path: str, folder: str) -> bool:
    folder = folder.rstrip("/") or "/"
    return path == folder or folder == "/" or path.startswith(folder + "/")


# ------------------------------------------------------------------ per-stage state

class _StageFacts:
    """Builder facts of a stage that do not depend on one RUN."""

    def __init__(self, model: Model, stage: Stage):
        self.model = model
        self.stage = stage
        self.facts = model.facts_of(stage)
        root = stage.chain[0]
        self.image = root.image.raw if root.image is not None else None
        self.scratch = root.image is not None and root.image.is_scratch

    def version(self, language: str, ins: Instruction) -> Optional[str]:
        """The language version of the builder: the tag first, then *_VERSION ARG/ENV."""
        facts = self.facts
        if facts is not None and facts.runtime == language and facts.runtime_version:
            return facts.runtime_version
        variables = self.stage.vars_at(ins)
        for name in _VERSION_VARS.get(language, ()):
            value = variables.get(name)
            if value and not _is_unresolved(value) and re.match(r"^v?\d", value):
                return value.lstrip("v")
        return None


def _workdirs(model: Model, stage: Stage) -> Dict[int, Optional[str]]:
    """{id(instruction): WORKDIR in force} for the stage (the chain's WORKDIRs included)."""
    cache = model.__dict__.setdefault("_artifact_workdirs", {})
    found = cache.get(id(stage))
    if found is not None:
        return found
    if stage.parent is not None:
        parent = _workdirs(model, stage.parent)
        cwd = parent.get("end")
    else:
        facts = model.facts_of(stage)
        ref = stage.image
        if ref is not None and ref.is_scratch:
            cwd = "/"
        else:
            cwd = _fact(facts, "workdir")
    out: Dict = {}
    for ins in stage.instructions:
        out[id(ins)] = cwd
        if ins.keyword == "WORKDIR":
            raw = ins.args[0] if ins.args else ins.value.strip()
            value, unresolved = expand(raw, stage.vars_at(ins))
            if unresolved or not value:
                cwd = None
            else:
                cwd = _join(cwd, value) if not value.startswith("/") else posixpath.normpath(value)
    out["end"] = cwd
    cache[id(stage)] = out
    return out


def workdir_at(model: Model, stage: Stage, ins: Instruction) -> Optional[str]:
    return _workdirs(model, stage).get(id(ins))


def final_workdir(model: Model) -> Optional[str]:
    return _workdirs(model, model.target).get("end")


class _Env:
    """The environment one command of a RUN sees: inline prefixes, `export`s of the same RUN,
    ARG/ENV of the stage, then `go env -w` settings (lowest)."""

    def __init__(self, stage_vars, exported, inline, go_env):
        self.stage_vars = stage_vars
        self.exported = exported
        self.inline = inline
        self.go_env = go_env

    def get(self, name: str) -> Tuple[bool, Optional[str]]:
        """(set, value); value None when set but unknown (ARG without a value, a variable)."""
        for source in (self.inline, self.exported):
            if name in source:
                value = source[name]
                return True, None if _is_unresolved(value) else value
        if name in self.stage_vars:
            value = self.stage_vars[name]
            return True, None if _is_unresolved(value) else value
        if name in self.go_env:
            value = self.go_env[name]
            return True, None if _is_unresolved(value) else value
        return False, None

    def raw(self, name: str) -> Optional[str]:
        for source in (self.inline, self.exported, self.go_env):
            if name in source:
                return source[name]
        return None


# ------------------------------------------------------------------ build outputs

def build_outputs(model: Model, stage: Stage) -> List[BuildOutput]:
    """What `stage` holds that its builds (and the stages it copies from) produced."""
    cache = model.__dict__.setdefault("_build_outputs", {})
    key = id(stage)
    if key in cache:
        return cache[key]
    cache[key] = []  # a reference cycle (BuildKit rejects it) reads as nothing
    out: List[BuildOutput] = []
    if stage.parent is not None:
        out.extend(build_outputs(model, stage.parent))
    out.extend(_own_outputs(model, stage))
    out.extend(_relayed_outputs(model, stage))
    cache[key] = out
    return out


def _own_outputs(model: Model, stage: Stage) -> List[BuildOutput]:
    sf = _StageFacts(model, stage)
    go_env = dict(_inherited_go_env(model, stage))
    out: List[BuildOutput] = []
    for ins in stage.instructions:
        if ins.keyword != "RUN":
            continue
        run = stage.run(ins)
        cwd = workdir_at(model, stage, ins)
        exported: Dict[str, str] = {}
        for index, words in enumerate(run.commands):
            cmd = words[0].rsplit("/", 1)[-1]
            if cmd == "cd":
                target = words[1] if len(words) > 1 else None
                cwd = None if target is None or _is_unresolved(target) or target == "-" else _join(cwd, target)
                continue
            if cmd in ("export", "declare", "typeset"):
                for w in words[1:]:
                    if "=" in w and not w.startswith("-"):
                        name, _, value = w.partition("=")
                        exported[name] = value
                continue
            if cmd == "go" and words[1:3] == ["env", "-w"]:
                for w in words[3:]:
                    name, eq, value = w.partition("=")
                    if eq:
                        go_env[name] = value
                continue
            if not _may_build(cmd):
                continue  # most commands (apt-get, echo, chmod, ...) build nothing
            inline = run.command_env[index] if index < len(run.command_env) else {}
            env = _Env(stage.vars_at(ins), exported, inline, go_env)
            out.extend(_outputs_of_command(model, sf, ins, run, index, words, cwd, env))
    model.__dict__.setdefault("_go_env_end", {})[id(stage)] = go_env
    return out


def _inherited_go_env(model: Model, stage: Stage) -> Dict[str, str]:
    if stage.parent is None:
        return {}
    build_outputs(model, stage.parent)
    return model.__dict__.get("_go_env_end", {}).get(id(stage.parent), {})


# Tried on the simple commands that may build (_may_build): compiled once, on first use (re's
# own cache costs a lookup a call).
_VERSIONED_CC = lazyre.compile(r"^(gcc|g\+\+|clang|clang\+\+)-\d+$")
_XX_CC = lazyre.compile(r"^xx-(clang|clang\+\+|gcc|g\+\+|cc|c\+\+)$")
_CROSS_CC = lazyre.compile(r"^[\w.-]+-linux-[\w.-]+-(gcc|g\+\+)$")
_PIP_CMD = lazyre.compile(r"^pip(\d(\.\d+)?)?$")
_PYTHON_CMD = lazyre.compile(r"^python(\d(\.\d+)?)?$")


# The commands _outputs_of_command can find an output of, by name: the ones it names, and
# the prefixes and suffixes of the ones it matches by pattern (python3.12 -m venv, pip3,
# gcc-12, clang++, xx-clang, aarch64-linux-gnu-gcc).
_BUILD_COMMANDS = frozenset({"go", "xx-go", "cargo", "xx-cargo", "make", "gmake", "ninja", "cmake", "configure",
                             "virtualenv", "uv", "npm", "pnpm", "yarn", "mvn", "mvnw", "gradle", "gradlew",
                             "javac", "dotnet"}) | frozenset(_C_COMPILERS)
_BUILD_PREFIXES = ("python", "pip", "gcc-", "g++-", "clang", "xx-")
_BUILD_SUFFIXES = ("gcc", "g++")


def _may_build(cmd: str) -> bool:
    """False when _outputs_of_command finds no output for a command named `cmd`, whatever its
    arguments: a cheap test that spares the others the full analysis (tests/test_fast_paths.py)."""
    return cmd in _BUILD_COMMANDS or cmd.startswith(_BUILD_PREFIXES) or cmd.endswith(_BUILD_SUFFIXES)


def _outputs_of_command(model, sf, ins, run, index, words, cwd, env) -> List[BuildOutput]:
    cmd = words[0].rsplit("/", 1)[-1]
    pos = _positionals(words[1:])
    verb = pos[0] if pos else ""
    base = dict(stage=sf.stage, instruction=ins, command=tuple(words), builder_image=sf.image,
                build_platform=sf.stage.platform)
    if cmd in ("go", "xx-go") and verb in ("build", "install"):
        return [_go_output(model, sf, ins, run, index, words, cwd, env, base, cmd == "xx-go")]
    if cmd in ("cargo", "xx-cargo") and verb in ("build", "install"):
        return [_rust_output(model, sf, ins, run, index, words, cwd, env, base, cmd == "xx-cargo")]
    if cmd in _C_COMPILERS or _VERSIONED_CC.match(cmd) or _XX_CC.match(cmd) or _CROSS_CC.match(cmd):
        found = _c_output(model, sf, ins, run, index, words, cwd, env, base)
        return [found] if found is not None else []
    if cmd in ("make", "gmake", "ninja") or (cmd == "cmake" and "--build" in words) or \
            cmd == "configure" or words[0].endswith("/configure"):
        return [_native_common(model, sf, ins, run, index, BuildOutput(
            kind="c-binary", paths=(), exact=False, opaque=True, **base), env, words)]
    python = _python_env_output(model, sf, ins, run, index, words, cwd, env, base)
    if python is not None:
        return [python]
    if cmd in ("npm", "pnpm", "yarn") and not any(w in ("-g", "--global") for w in words) and (
            verb in ("ci", "install", "i") or (cmd == "yarn" and (not verb or verb == "install"))):
        if pos[1:] and verb != "ci" and cmd != "yarn":
            pass  # `npm install express`: still writes node_modules
        folder = _join(cwd, "node_modules")
        return [BuildOutput(kind="node-modules", paths=(folder,) if folder else (), exact=folder is not None,
                            interpreter_version=_major(sf.version("node", ins)),
                            native_addons=_native_addon_signals(model, sf.stage, ins, index), **base)]
    if cmd in ("mvn", "mvnw") and any(p in ("package", "install", "verify") or p.startswith("spring-boot:")
                                      for p in pos):
        project = _option(words, ("-f", "--file"))
        folder = cwd
        if project is not None:
            project = project if not project.endswith(".xml") else posixpath.dirname(project) or "."
            folder = None if _is_unresolved(project) else _join(cwd, project)
        target = _join(folder, "target") if folder else None
        return [BuildOutput(kind="jar", paths=(target,) if target else (), exact=False,
                            sdk_version=_major(sf.version("java", ins)),
                            target_level=_java_level(words), **base)]
    if cmd in ("gradle", "gradlew") and any(
            p in ("build", "assemble", "bootJar", "jar", "shadowJar", "installDist", "bootWar", "war")
            or p.endswith(":build") or p.endswith(":bootJar") or p.endswith(":jar") for p in pos):
        project = _option(words, ("-p", "--project-dir"))
        folder = cwd if project is None else (None if _is_unresolved(project) else _join(cwd, project))
        libs = _join(folder, "build/libs") if folder else None
        return [BuildOutput(kind="jar", paths=(libs,) if libs else (), exact=False,
                            sdk_version=_major(sf.version("java", ins)), target_level=_java_level(words),
                            **base)]
    if cmd == "javac":
        dest = _option(words, ("-d",))
        folder = _join(cwd, dest) if dest and not _is_unresolved(dest) else cwd
        return [BuildOutput(kind="jar", paths=(folder,) if folder else (), exact=False,
                            sdk_version=_major(sf.version("java", ins)), target_level=_java_level(words),
                            **base)]
    if cmd == "dotnet" and verb == "publish":
        return [_dotnet_output(model, sf, ins, run, index, words, cwd, env, base)]
    return []


# -- Go ----------------------------------------------------------------------------------

def _go_output(model, sf, ins, run, index, words, cwd, env, base, xx) -> BuildOutput:
    verb = "install" if "install" in words[1:3] else "build"
    rest = words[words.index(verb) + 1:]
    packages = _positionals(rest, _GO_VALUE_FLAGS)
    target = _option(rest, ("-o",))
    paths: Tuple[str, ...] = ()
    exact = False
    if verb == "build":
        if target is not None:
            if not _is_unresolved(target):
                path = _join(cwd, target)
                if path is not None:
                    paths, exact = (path,), True
        elif cwd is not None and len(packages) == 1 and "..." not in packages[0] \
                and packages[0] not in (".", "./") and not packages[0].endswith(".go") \
                and not _is_unresolved(packages[0]):
            name = packages[0].rstrip("/").rsplit("/", 1)[-1]
            if re.match(r"^v\d+$", name):  # module major-version suffix: not the binary name
                name = None
            if name:
                paths, exact = (_join(cwd, name),), True
        if not paths and cwd is not None:
            paths = (cwd,)  # the binary lands in the working directory, its name unknown
    else:
        gobin = env.get("GOBIN")
        gopath = env.get("GOPATH")
        if gobin[0]:
            folder = gobin[1]
        elif gopath[0]:
            folder = gopath[1].split(":")[0] + "/bin" if gopath[1] else None
        else:
            image_gopath = _fact(sf.facts, "gopath")  # the builder image's own GOPATH (catalog)
            folder = image_gopath.split(":")[0] + "/bin" if image_gopath else None
        if folder:
            paths = (posixpath.normpath(folder),)
    out = BuildOutput(kind="go-binary", paths=paths, exact=exact, **base)
    out.sdk_version = sf.version("go", ins)
    ldflags = " ".join(v for v in (_option(rest, ("-ldflags",)), env.raw("GOFLAGS"),
                                    env.get("GOFLAGS")[1]) if v)
    tags = re.split(r"[,\s]+", _option(rest, ("-tags",)) or "")
    static_flags = bool(re.search(r"-extldflags[= ]+['\"]?[^'\"]*-static", ldflags)) or (
        "netgo" in tags and "osusergo" in tags)
    out.cgo = _go_cgo(model, sf, ins, run, index, env, out.sdk_version, xx)
    if static_flags:
        out.static = True
    elif out.cgo is False:
        out.static = True
    elif out.cgo is True:
        out.static = False
    if out.static:
        out.libc = "static"
    elif out.cgo:
        out.libc = _fact(sf.facts, "libc")
        if out.libc == "glibc":
            out.glibc_version = _fact(sf.facts, "glibc_version")
    _cross(out, sf, ins, env, xx, ("GOARCH", "GOOS"), words)
    return out


def _go_cgo(model, sf, ins, run, index, env, version, xx) -> Optional[bool]:
    """cgo on (True) / off (False) for this `go` command, None when unknown (docs/rules/DSL501.md)."""
    is_set, value = env.get("CGO_ENABLED")
    if is_set:
        if value is None:
            return None
        return value.strip() != "0"
    if xx:
        return None  # xx-go turns cgo off unless the file sets it up
    for name in ("GOOS", "GOARCH"):
        if env.get(name)[0]:
            return None  # cross-compiling turns cgo off by default: the host is unknown here
    compiler = _has_c_compiler(model, sf, ins, index)
    if compiler is True:
        return True
    old = version_lt(version, "1.20")
    if old is True:
        return True  # before Go 1.20 the standard library linked libc without a compiler
    if compiler is False and old is False:
        return False
    return None


def _has_c_compiler(model, sf, ins, index) -> Optional[bool]:
    """Is a C compiler present when this command runs? From the builder's programs (image facts)
    and the packages the stage chain installed before it. None when unknown."""
    for stage in sf.stage.chain:
        for other in stage.instructions:
            if other is ins:
                break
            if other.keyword == "RUN" and _installs_compiler(stage.run(other).package_ops):
                return True
    run = sf.stage.run(ins)
    earlier = [op for op in run.package_ops if _op_index(run, op) < index]
    if _installs_compiler(earlier):
        return True
    facts = sf.facts
    programs = _fact(facts, "programs")
    if sf.scratch:
        return False
    if programs is None:
        return _fact(facts, "c_compiler")  # the catalog's sourced fact when the program list is unknown
    return any(posixpath.basename(p) in ("gcc", "cc", "clang") for p in programs)


def _op_index(run, op) -> int:
    for k, words in enumerate(run.commands):
        if words is op.words:
            return k
    return -1


def _installs_compiler(ops) -> bool:
    for op in ops:
        if op.action != "install" or op.manager not in ("apt", "apk", "dnf", "yum", "microdnf", "zypper"):
            continue
        for pkg in op.packages:
            name = _package_base(pkg)
            if name in _COMPILER_PACKAGES or re.match(r"^(gcc|g\+\+|clang)-\d+$", name):
                return True
    return False


# -- cross builds ------------------------------------------------------------------------

def _target_vars_in_scope(stage: Stage, ins: Instruction) -> set:
    """TARGET* names declared in `stage` by an ARG without a default before `ins`."""
    names = set()
    for other in stage.instructions:
        if other is ins:
            break
        if other.keyword == "ARG":
            for key, default in other.key_values():
                if key.startswith("TARGET"):
                    if default is None:
                        names.add(key)
                    else:
                        names.discard(key)
    return names


def _env_raw_from_instructions(stage: Stage, ins: Instruction, name: str) -> Optional[str]:
    """The raw value of the last `ENV name=...` along the chain before `ins` (variables kept)."""
    value = None
    for st in stage.chain:
        for other in st.instructions:
            if other is ins:
                break
            if other.keyword == "ENV":
                for key, raw in other.key_values():
                    if key == name:
                        value = raw
    return value


def _refers_to_target(value: Optional[str], in_scope: set) -> Optional[bool]:
    """Does `value` come from a TARGET* variable in scope? None: from another variable (unknown)."""
    if value is None:
        return False
    refs = re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", value)
    if any(r in in_scope for r in refs):
        return True
    if any(not r.startswith("TARGET") for r in refs) or "`" in value or "$(" in value:
        return None
    return False


def _cross(out: BuildOutput, sf: _StageFacts, ins, env: _Env, xx: bool, names, words,
           flag_values: Tuple[Optional[str], ...] = ()) -> None:
    """Fill targets_target: does the command build for the target platform?"""
    platform = sf.stage.from_instruction.flag("platform") or (
        sf.stage.chain[0].from_instruction.flag("platform") if sf.stage.parent is not None else None)
    if not platform:
        return
    targets = [env.raw(n) or env.get(n)[1] for n in names] + list(flag_values)
    if any(v and re.match(r"^(wasm|wasm32|wasm64|js|wasip\d)", v) for v in targets):
        out.targets_target, out.cross_evidence = True, "a WebAssembly target (any CPU)"
        return
    if xx:
        out.targets_target, out.cross_evidence = True, "an xx-* helper"
        return
    run = sf.stage.run(ins)
    if any(w and w[0].rsplit("/", 1)[-1].startswith("xx-") for w in run.commands):
        out.targets_target, out.cross_evidence = True, "an xx-* helper"
        return
    for st in sf.stage.chain:
        for other in st.instructions:
            if other is ins:
                break
            if other.keyword == "RUN" and any(w[0].startswith("xx-") for w in st.run(other).commands):
                out.targets_target, out.cross_evidence = True, "an xx-* helper"
                return
    in_scope = _target_vars_in_scope(sf.stage, ins)
    values = []
    for name in names:
        raw = env.raw(name)
        if raw is None:
            raw = _env_raw_from_instructions(sf.stage, ins, name)
        if raw is None and name in sf.stage.vars_at(ins):
            raw = sf.stage.vars_at(ins)[name]
            if raw is None:
                raw = "$" + name  # ARG name without a value: a build argument
        values.append(raw)
    values.extend(flag_values)
    verdicts = [_refers_to_target(v, in_scope) for v in values if v is not None]
    script = ins.value + "".join(d.content for d in ins.heredocs)
    branches = any(re.search(r"\$\{?" + name + r"\b", script) for name in in_scope)
    if any(v is True for v in verdicts):
        out.targets_target, out.cross_evidence = True, "TARGET* variables"
    elif any(v is None for v in verdicts) or branches:
        out.targets_target = None  # another variable, or the RUN itself reads TARGET* (`if [ $TARGETARCH ...`)
    else:
        out.targets_target = False
        set_values = [v for v in values if v is not None]
        stale = sorted({r for v in set_values + [script] for r in re.findall(r"\$\{?(TARGET[A-Z]*)", v)}
                       - in_scope)
        if stale:
            out.cross_evidence = "out of scope: " + " ".join(stale)  # ARG with a default, or global only
        else:
            out.cross_evidence = "set to " + ", ".join(set_values) if set_values else "not set"


# -- Rust --------------------------------------------------------------------------------

def _rust_output(model, sf, ins, run, index, words, cwd, env, base, xx) -> BuildOutput:
    verb = "install" if "install" in words[1:3] else "build"
    triple = _option(words, ("--target",))
    if triple is None:
        is_set, value = env.get("CARGO_BUILD_TARGET")
        triple = (value or "$CARGO_BUILD_TARGET") if is_set else None
    flags = " ".join(v for v in (env.raw("RUSTFLAGS"), env.get("RUSTFLAGS")[1],
                                  env.get("CARGO_BUILD_RUSTFLAGS")[1]) if v)
    paths: Tuple[str, ...] = ()
    if verb == "build":
        target_dir = _option(words, ("--target-dir",))
        if target_dir is None:
            is_set, value = env.get("CARGO_TARGET_DIR")
            target_dir = (value or "$X") if is_set else "target"
        profile = _option(words, ("--profile",))
        profile = profile or ("release" if ("--release" in words or "-r" in words) else "debug")
        profile = "debug" if profile == "dev" else profile
        if not _is_unresolved(target_dir) and (triple is None or not _is_unresolved(triple)):
            folder = _join(cwd, target_dir)
            if folder is not None:
                if triple:
                    folder = posixpath.join(folder, triple)
                paths = (posixpath.join(folder, profile),)
    else:
        root = _option(words, ("--root",))
        if root is None:
            is_set, value = env.get("CARGO_INSTALL_ROOT")
            root = value if is_set else None
            if root is None:
                is_set, value = env.get("CARGO_HOME")
                root = value if is_set else None
        if root and not _is_unresolved(root):
            paths = (posixpath.join(_join(cwd, root) or root, "bin"),)
    out = BuildOutput(kind="rust-binary", paths=paths, exact=False, **base)
    out.sdk_version = sf.version("rust", ins)
    builder_libc = _fact(sf.facts, "libc")
    crt = re.search(r"target-feature=([+-])crt-static", flags)
    if triple is not None and _is_unresolved(triple):
        out.libc = None
    elif triple is not None:
        if "-unknown-linux-musl" in triple or re.search(r"-linux-musl", triple) and "alpine" not in triple:
            out.static = not (crt and crt.group(1) == "-")
            out.libc = "static" if out.static else "musl"
        elif "alpine-linux-musl" in triple:
            out.static = bool(crt and crt.group(1) == "+")
            out.libc = "static" if out.static else "musl"
        elif "-gnu" in triple:
            out.static = bool(crt and crt.group(1) == "+")
            out.libc = "static" if out.static else "glibc"
    else:
        from_apk = _installed_in_chain(sf.stage, ins, ("cargo", "rust"), "apk")
        if builder_libc == "musl":
            if from_apk:
                out.static, out.libc = False, "musl"  # Alpine's own Rust targets *-alpine-linux-musl
            elif sf.facts is not None and sf.facts.runtime == "rust":
                out.static, out.libc = True, "static"  # rust:*-alpine: *-unknown-linux-musl
            if crt and out.libc is not None:
                out.static = crt.group(1) == "+"
                out.libc = "static" if out.static else "musl"
        elif builder_libc == "glibc":
            out.static = bool(crt and crt.group(1) == "+")
            out.libc = "static" if out.static else "glibc"
    if out.libc == "glibc":
        out.glibc_version = _fact(sf.facts, "glibc_version")
        out.needs_libgcc = True
    _cross(out, sf, ins, env, xx, ("CARGO_BUILD_TARGET",), words, (_option(words, ("--target",)),))
    return out


def _installed_in_chain(stage: Stage, ins: Instruction, packages, manager=None) -> bool:
    for st in stage.chain:
        for other in st.instructions:
            if other.keyword == "RUN":
                for op in st.run(other).package_ops:
                    if op.action == "install" and (manager is None or op.manager == manager) and \
                            any(_package_base(p) in packages for p in op.packages):
                        return True
            if other is ins:
                return False
    return False


# -- C / C++ -----------------------------------------------------------------------------

def _c_output(model, sf, ins, run, index, words, cwd, env, base) -> Optional[BuildOutput]:
    if "-c" in words or "-E" in words or "-S" in words or "--version" in words or "-v" == words[-1]:
        return None  # compile only / preprocess: no program
    target = _option(words, ("-o",))
    if target is None:
        for w in words[1:]:
            if w.startswith("-o") and len(w) > 2 and not w.startswith("-o="):
                target = w[2:]
    paths: Tuple[str, ...] = ()
    exact = False
    if target is not None and not _is_unresolved(target):
        path = _join(cwd, target)
        if path is not None:
            paths, exact = (path,), True
    elif target is None and cwd is not None:
        paths, exact = (_join(cwd, "a.out"),), True
    if paths and re.search(r"\.(o|a|so|so\.\d.*)$", paths[0]):
        return None  # an object or a library, not a program
    out = BuildOutput(kind="c-binary", paths=paths, exact=exact, **base)
    out.needs_libgcc = words[0].rsplit("/", 1)[-1].endswith("++") or None
    return _native_common(model, sf, ins, run, index, out, env, words)


def _native_common(model, sf, ins, run, index, out: BuildOutput, env, words) -> BuildOutput:
    ldflags = " ".join(v for v in (env.get("LDFLAGS")[1], " ".join(words)) if v)
    if re.search(r"(^|\s)(-static|--static|-static-pie)(\s|$)", ldflags):
        out.static, out.libc = True, "static"
    elif not out.opaque:
        out.static = False
        out.libc = _fact(sf.facts, "libc")
        if out.libc == "glibc":
            out.glibc_version = _fact(sf.facts, "glibc_version")
    if not out.opaque:
        cc_raw = env.raw("CC") or _env_raw_from_instructions(sf.stage, ins, "CC")
        _cross(out, sf, ins, env, False, (), words, (_option(words, ("--target", "-target")), cc_raw))
        if out.targets_target is False and cc_raw is None and _option(words, ("--target", "-target")) is None:
            out.cross_evidence = "no --target or CC from TARGET* variables"
    return out


# -- Python ------------------------------------------------------------------------------

def _python_env_output(model, sf, ins, run, index, words, cwd, env, base) -> Optional[BuildOutput]:
    cmd = words[0].rsplit("/", 1)[-1]
    python_word = None
    venv_path = None
    kind = None
    copies = "--copies" in words
    version = None
    interpreter = None
    if words[1:3] in (["-m", "venv"], ["-m", "virtualenv"]) and _PYTHON_CMD.match(cmd):
        args = [w for w in words[3:] if not w.startswith("-")]
        if args:
            venv_path, kind, python_word = args[-1], "venv", words[0]
    elif cmd == "virtualenv":
        args = _positionals(words[1:])
        python_word = _option(words, ("-p", "--python"))
        args = [a for a in args if a != python_word]
        if args:
            venv_path, kind = args[-1], "venv"
            python_word = python_word or "python3"
    elif cmd == "uv" and len(words) > 1 and words[1] == "venv":
        args = [w for w in _positionals(words[2:]) if w != _option(words, ("--python", "-p"))]
        venv_path, kind = (args[0] if args else ".venv"), "uv"
        version = _minor(_option(words, ("--python", "-p")))
    elif cmd == "uv" and len(words) > 1 and words[1] == "sync":
        is_set, value = env.get("UV_PROJECT_ENVIRONMENT")
        venv_path, kind = (value if is_set else ".venv"), "uv"
        version = _minor(_option(words, ("--python", "-p")))
    else:
        return _pip_output(model, sf, ins, words, cwd, env, base)
    if venv_path is None or _is_unresolved(venv_path):
        return None
    path = _join(cwd, venv_path)
    if path is None:
        return None
    if kind != "uv":
        version, interpreter = _python_of(sf, ins, python_word)
    out = BuildOutput(kind="python-env", paths=(path,), exact=True, interpreter_version=version,
                      interpreter_path=interpreter, copies=copies, **base)
    return out


def _python_of(sf: _StageFacts, ins, word: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """(X.Y, interpreter path) of `python3` / `python3.12` / `/usr/bin/python3` in the builder."""
    builder_version = _minor(sf.version("python", ins))
    builder_path = _fact(sf.facts, "python_path") if sf.facts is not None and sf.facts.runtime == "python" \
        else None
    if word is None:
        return builder_version, builder_path
    name = word.rsplit("/", 1)[-1]
    m = re.match(r"^python(\d\.\d+)$", name)
    word_version = m.group(1) if m else None
    if word.startswith("/"):
        path = word
        if builder_path and posixpath.dirname(word) != posixpath.dirname(builder_path):
            return word_version, path  # another interpreter than the image's own
        return word_version or builder_version, path
    if word_version and builder_version and word_version != builder_version:
        return word_version, None
    if builder_path:
        return word_version or builder_version, builder_path
    return word_version or builder_version, None


def _pip_output(model, sf, ins, words, cwd, env, base) -> Optional[BuildOutput]:
    cmd = words[0].rsplit("/", 1)[-1]
    rest = None
    if _PIP_CMD.match(cmd):
        rest = words[1:]
        python_word = "python" + cmd[3:] if len(cmd) > 3 else None
    elif words[1:3] == ["-m", "pip"] and _PYTHON_CMD.match(cmd):
        rest = words[3:]
        python_word = words[0]
    elif cmd == "uv" and words[1:3] == ["pip", "install"]:
        rest = words[2:]
        python_word = None
    else:
        return None
    pos = _positionals(rest)
    if not pos or pos[0] != "install":
        return None
    target = _option(rest, ("--target", "-t"))
    prefix = _option(rest, ("--prefix",))
    user = "--user" in rest
    path = None
    if target is not None:
        path = None if _is_unresolved(target) else _join(cwd, target)
    elif prefix is not None:
        path = None if _is_unresolved(prefix) else _join(cwd, prefix)
    elif user:
        is_set, home = env.get("HOME")
        home = home if is_set else ("/root" if not _user_set(sf.stage, ins) else None)
        path = posixpath.join(home, ".local") if home else None
    else:
        return None  # the interpreter's own site-packages: recognised by the copied path
    if path is None:
        return None
    if cmd == "uv":
        version, interpreter = _minor(_option(rest, ("--python", "-p"))), None
    else:
        version, interpreter = _python_of(sf, ins, python_word if "/" not in words[0] else None)
    return BuildOutput(kind="python-env", paths=(path,), exact=True, interpreter_version=version,
                       interpreter_path=interpreter, **base)


def _user_set(stage: Stage, ins: Instruction) -> bool:
    for st in stage.chain:
        for other in st.instructions:
            if other is ins:
                return False
            if other.keyword == "USER":
                return True
    return False


# -- Node --------------------------------------------------------------------------------

def _native_addon_signals(model, stage: Stage, ins: Instruction, index: int) -> Optional[bool]:
    """node-gyp's tools installed by the stage chain before this command: python3, make and a C++
    compiler (g++ / build-base). True when all are installed, else None (no evidence either way)."""
    installed = set()
    for st in stage.chain:
        for other in st.instructions:
            if other.keyword == "RUN":
                run = st.run(other)
                for op in run.package_ops:
                    if other is ins and _op_index(run, op) >= index:
                        continue
                    if op.action == "install":
                        installed.update(_package_base(p) for p in op.packages)
            if other is ins:
                break
    has_python = any(re.match(r"^python3?$|^python3\.\d+$", p) for p in installed)
    has_make = "make" in installed or "build-base" in installed or "build-essential" in installed
    has_cxx = bool(installed & {"g++", "build-base", "build-essential", "gcc-c++"})
    return True if has_python and has_make and has_cxx else None


# -- Java / .NET -------------------------------------------------------------------------

def _java_level(words) -> Optional[str]:
    """The bytecode level the command asks for (`--release 17`, `-Dmaven.compiler.release=17`)."""
    level = None
    for k, w in enumerate(words):
        m = re.match(r"^-D(?:maven\.compiler\.(?:release|target)|java\.version|maven\.compiler\.source)=(.+)$", w)
        if m and not w.startswith("-Dmaven.compiler.source"):
            level = m.group(1)
        elif w in ("--release", "-target", "-source", "--target", "--source") and k + 1 < len(words):
            if w in ("--release", "-target", "--target"):
                level = words[k + 1]
        elif w.startswith("--release="):
            level = w.split("=", 1)[1]
    if level is None or _is_unresolved(level):
        return None
    return _major(level)


def _dotnet_output(model, sf, ins, run, index, words, cwd, env, base) -> BuildOutput:
    output = _option(words, ("-o", "--output"))
    paths: Tuple[str, ...] = ()
    exact = False
    if output is not None and not _is_unresolved(output):
        path = _join(cwd, output)
        if path is not None:
            paths, exact = (path,), True
    elif cwd is not None:
        paths = (cwd,)
    lower = " ".join(words).lower()
    rid = _option(words, ("-r", "--runtime"))
    aot = "publishaot=true" in lower
    sc_flag = "--self-contained" in words and not re.search(r"--self-contained[= ](false)", lower) \
        or "selfcontained=true" in lower or "--sc" in words
    framework = _option(words, ("-f", "--framework"))
    out = BuildOutput(kind="dotnet-publish", paths=paths, exact=exact, **base)
    out.sdk_version = _minor(sf.version("dotnet", ins)) or sf.version("dotnet", ins)
    m = re.match(r"^net(?:coreapp)?(\d+\.\d+)", framework or "")
    out.target_level = m.group(1) if m else None
    out.self_contained = True if (aot or sc_flag or rid is not None) else None
    _cross(out, sf, ins, env, False, (), words, (rid, _option(words, ("-a", "--arch"))))
    if out.targets_target is False and not out.self_contained:
        out.targets_target = None  # framework-dependent IL runs anywhere
    return out


# ------------------------------------------------------------------ relayed outputs

def _copy_parts(model: Model, stage: Stage, ins: Instruction):
    """(sources, destination, dest_is_dir) of a COPY/ADD, variables expanded; None if unreadable."""
    words = list(ins.args)
    if len(words) < 2:
        return None
    variables = stage.vars_at(ins)
    words = [expand(w, variables)[0] for w in words]
    sources = [w for w in words[:-1] if not w.startswith("<<")]
    dest = words[-1]
    if not sources or not dest:
        return None
    cwd = workdir_at(model, stage, ins)
    dest_abs = _join(cwd, dest)
    if dest_abs is None:
        return None
    dest_is_dir = dest.endswith("/") or dest in (".", "./") or len(sources) > 1
    return sources, dest_abs, dest_is_dir


def _landing(source: str, dest: str, dest_is_dir: bool) -> Tuple[str, ...]:
    """Where `source` lands under `dest`: a file lands at dest (or dest/basename), a folder's
    contents land in dest."""
    name = posixpath.basename(source.rstrip("/")) if source.rstrip("/") else ""
    if dest_is_dir and name and not any(c in name for c in "*?["):
        return (posixpath.join(dest, name), dest)
    return (dest,)


def _match(source: str, output: BuildOutput) -> Optional[str]:
    """How the source path of a COPY relates to an output: "whole" (the output or a folder holding
    it), "part" (inside a folder output, or a file in the folder where an unnamed output lands),
    "maybe" (a file beside an unnamed output: only what the entrypoint runs counts), or None."""
    src = posixpath.normpath("/" + source.lstrip("/")) if source.strip("/") else "/"
    globbed = any(c in src for c in "*?[")
    for path in output.paths:
        if globbed:
            ancestors = [path]
            while ancestors[-1] not in ("/", ""):
                ancestors.append(posixpath.dirname(ancestors[-1]))
            if any(fnmatch.fnmatchcase(a, src) for a in ancestors):
                return "whole"
            parent = posixpath.dirname(src)
            if not any(c in parent for c in "*?[") and _under(parent, path) and \
                    (not output.exact or output.kind in FOLDER_KINDS):
                return "part" if output.kind != "go-binary" else "maybe"
            continue
        if _under(path, src):
            return "whole"
        if _under(src, path):
            if output.exact and output.kind in FOLDER_KINDS:
                return "part"
            if output.exact and output.kind == "go-binary" and output.paths and _go_dir_output(output):
                return "part"
            if not output.exact:
                if output.kind == "go-binary" and posixpath.dirname(src) == path:
                    return "maybe"
                if output.kind == "dotnet-publish" and not src.startswith(path.rstrip("/") + "/bin/") \
                        and "/publish" not in src:
                    return "maybe"
                if output.kind == "c-binary":
                    return "maybe"
                if output.kind == "go-binary":
                    return None
                return "part"
    return None


def _go_dir_output(output: BuildOutput) -> bool:
    words = output.command
    target = _option(list(words), ("-o",))
    return bool(target and target.endswith("/"))


def _stage_copies(model: Model, stage: Stage):
    """(COPY, source stage, sources, destination, dest_is_dir) for each readable COPY --from=<stage>."""
    for ins in stage.instructions:
        if ins.keyword != "COPY":
            continue
        source_stage = copy_source_stage(model, stage, ins)
        parts = _copy_parts(model, stage, ins) if source_stage is not None else None
        if parts is not None:
            yield (ins, source_stage) + parts


def _relayed_outputs(model: Model, stage: Stage) -> List[BuildOutput]:
    """Outputs a `COPY --from=<stage>` brought into `stage`, with their paths there."""
    out: List[BuildOutput] = []
    for ins, source_stage, sources, dest, dest_is_dir in _stage_copies(model, stage):
        for output in build_outputs(model, source_stage):
            for src in sources:
                if _match(src, output) in ("whole", "part"):
                    out.append(records.replace(output, paths=_relocate(src, output, dest, dest_is_dir),
                                                   via=output.via + (ins,)))
    return out


def _relocate(src: str, output: BuildOutput, dest: str, dest_is_dir: bool) -> Tuple[str, ...]:
    src_n = posixpath.normpath("/" + src.lstrip("/"))
    new = []
    for path in output.paths:
        if _under(path, src_n) and path != src_n:
            new.append(posixpath.join(dest, posixpath.relpath(path, src_n)))
        else:
            new.extend(_landing(src, dest, dest_is_dir)[:1])
    return tuple(dict.fromkeys(new))


# ------------------------------------------------------------------ artifacts

def artifacts_of(model: Model) -> List[Artifact]:
    """Per COPY --from=<stage> into a runtime stage and per source path, what it carries."""
    cached = model.__dict__.get("_artifacts")
    if cached is not None:
        return cached
    run_paths = None  # what the effective ENTRYPOINT/CMD runs: read at the first copy
    out: List[Artifact] = []
    for stage in model.runtime_stages:
        for ins, source_stage, sources, dest, dest_is_dir in _stage_copies(model, stage):
            if run_paths is None:
                run_paths = {path for program in effective_programs(model) if program.role in ("entrypoint", "cmd")
                             for path in program.paths}
            outputs = build_outputs(model, source_stage)
            for src in sources:
                landing = _landing(src, dest, dest_is_dir)
                runs_it = any(p in run_paths for p in landing)
                carried = []
                for output in outputs:
                    how = _match(src, output)
                    if how in ("whole", "part") or (how == "maybe" and runs_it):
                        carried.append(output)
                synthetic = _site_packages_output(model, source_stage, ins, src)
                if synthetic is not None and not any(o.kind == "python-env" for o in carried):
                    carried.append(synthetic)
                if not carried and not runs_it:
                    continue
                out.append(Artifact(ins, stage, source_stage, posixpath.normpath("/" + src.lstrip("/")),
                                    dest, landing, carried, runs_it))
    model.__dict__["_artifacts"] = out
    return out


_SITE = lazyre.compile(r"/lib/python(\d\.\d+)(/|$)")


def _site_packages_output(model: Model, source_stage: Stage, ins: Instruction, src: str) -> Optional[BuildOutput]:
    """A copied `.../lib/pythonX.Y[/site-packages]` tree: a Python environment of version X.Y."""
    m = _SITE.search(src)
    if m is None and not src.rstrip("/").endswith("site-packages"):
        return None
    version = m.group(1) if m else None
    sf = _StageFacts(model, source_stage)
    if version is None:
        version = _minor(sf.version("python", ins))
    return BuildOutput(kind="python-env", paths=(posixpath.normpath("/" + src.lstrip("/")),), exact=True,
                       stage=source_stage, instruction=ins, command=(), builder_image=sf.image,
                       interpreter_version=version)


# ------------------------------------------------------------------ programs

def effective_path(model: Model) -> Tuple[Optional[List[str]], bool]:
    """(folders of the effective PATH, complete). ENV PATH along the runtime stages, `$PATH` in it
    standing for the base's PATH (image facts); a base without PATH gets Docker's default."""
    facts = model.base_facts
    base = model.runtime_base
    path = _fact(facts, "path_env")
    if path is None and base is not None and base.is_scratch:
        path = DEFAULT_PATH
    complete = path is not None
    current = path
    for stage in model.runtime_stages:
        for ins in stage.instructions:
            if ins.keyword != "ENV":
                continue
            for key, raw in ins.key_values():
                if key != "PATH" or raw is None:
                    continue
                variables = dict(stage.vars_at(ins))
                refers_path = bool(re.search(r"\$\{?PATH\b", raw))
                variables["PATH"] = current
                value, unresolved = expand(raw, variables)
                if refers_path and current is None:
                    complete = False
                    unresolved = False
                elif unresolved:
                    complete = False
                else:
                    complete = True
                current = value
    if current is None:
        return None, False
    return [p for p in current.split(":") if p], complete


def effective_programs(model: Model) -> List[Program]:
    """The programs the effective ENTRYPOINT (else CMD) and HEALTHCHECK CMD run."""
    cached = model.__dict__.get("_effective_programs")
    if cached is not None:
        return cached
    out: List[Program] = []
    entrypoint, cmd, known = model.effective_entrypoint_cmd
    folders, complete = effective_path(model)
    workdir = final_workdir(model)
    command, role = (entrypoint, "entrypoint") if entrypoint is not None else (cmd, "cmd")
    if command is not None and (entrypoint is not None or known):
        program = _program(role, command.instruction, command.args, command.exec_form, folders, complete,
                           workdir)
        if program is not None:
            out.append(program)
    health = model.effective("HEALTHCHECK")
    if health is not None and (health.subcommand or "").upper() == "CMD" and health.args:
        program = _program("healthcheck", health, tuple(health.args), health.exec_form, folders, complete,
                           workdir)
        if program is not None:
            out.append(program)
    model.__dict__["_effective_programs"] = out
    return out


def _program(role, ins, args, exec_form, folders, complete, workdir) -> Optional[Program]:
    if exec_form:
        words = tuple(args)
    else:
        from dockerslim_lint.dockerfile.commands import tokenize
        commands = tokenize(" ".join(args))
        words = tuple(commands[0]) if commands else ()
    if not words or not words[0].strip():
        return None
    name = words[0]
    if _is_unresolved(name):
        return Program(role, ins, words, exec_form, name, (), False)
    if name.startswith("/"):
        return Program(role, ins, words, exec_form, name, (posixpath.normpath(name),), True)
    if "/" in name:
        path = _join(workdir, name)
        return Program(role, ins, words, exec_form, name, (path,) if path else (), path is not None)
    if folders is None:
        return Program(role, ins, words, exec_form, name, (), False)
    # (posixpath.join of a folder and a bare name, spelt out: one per PATH folder)
    paths = tuple((f + name if f.endswith("/") else f + "/" + name) for f in folders if f.startswith("/"))
    return Program(role, ins, words, exec_form, name, paths, complete)
