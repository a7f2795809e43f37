"""Needs of the shipped program and what an image provides (docs/suggestions.md).

    needs_of(model) -> Needs                       computed once per model (cached)
    provides_of(facts, image, model=None) -> Provides
        An image's provides from its catalog facts; with `model`, plus what the runtime
        stages add (COPY/ADD destinations, packages they install) when rebuilt on it.
    unmet(needs, provides, strict=False) -> list[Unmet]
        The known needs the image does not provide. strict=False (the runtime-compatibility
        rules): only needs that are known *not* provided. strict=True (suggestions, fixes):
        a need whose provide is unknown is unmet too, since a suggestion must be known to run.

A need that cannot be read from the file is None (unknown) and nothing is concluded from
it; `Needs.unknown` names the needs that block a suggestion. Image facts come from the
catalog (ImageFacts); none is written here. The program's build facts come from
model.artifacts (build_outputs / artifacts_of / effective_programs), shared with DSL5xx.
"""
from __future__ import annotations

import re
from dockerslim_lint import lazyre
from dockerslim_lint.records import field, record

from dockerslim_lint.dockerfile.commands import FETCH_TOOL_PACKAGES, _package_base, is_build_tool_package, tokenize
from dockerslim_lint.images.catalog import ImageRef
from dockerslim_lint.model.artifacts import artifacts_of, build_outputs, effective_programs, version_lt
from dockerslim_lint.model.runtime import detect

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import FrozenSet, List, Optional, Tuple

# Packages that are data, not code: they tie an image to no C library or package manager.
DATA_ONLY_PACKAGES = frozenset({"ca-certificates", "tzdata", "ca-certificates-bundle", "tzdata-legacy"})
# Interactive programs: an image whose command is one of these (alone) runs no program of its own.
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "fish", "busybox"})
REPLS = frozenset({"python", "python2", "python3", "node", "nodejs", "irb", "ghci", "jshell", "erl", "iex",
                   "php", "R", "perl", "lua", "ruby", "pwsh", "scala", "clojure", "julia", "deno", "bun"})
_SHELLS_AND_REPLS = SHELLS | REPLS
# Languages with no image in any suggestion family: detected, and answered honestly.
NO_MINIMAL_IMAGE = {"php": "PHP", "ruby": "Ruby", "perl": "Perl", "erlang": "Erlang", "elixir": "Elixir",
                    "r": "R", "haskell": "Haskell", "lua": "Lua", "swift": "Swift", "dart": "Dart",
                    "julia": "Julia", "deno": "Deno", "bun": "Bun"}
_PROGRAM_LANGUAGE = {
    "php": "php", "php-fpm": "php", "apache2-foreground": "php", "docker-php-entrypoint": "php",
    "artisan": "php", "ruby": "ruby", "rails": "ruby", "bundle": "ruby", "puma": "ruby", "rackup": "ruby",
    "unicorn": "ruby", "sidekiq": "ruby", "perl": "perl", "plackup": "perl", "starman": "perl", "hypnotoad": "perl",
    "erl": "erlang", "rebar3": "erlang", "elixir": "elixir", "mix": "elixir", "iex": "elixir",
    "R": "r", "Rscript": "r", "stack": "haskell", "cabal": "haskell", "runghc": "haskell",
    "lua": "lua", "luajit": "lua", "swift": "swift", "dart": "dart", "julia": "julia", "deno": "deno", "bun": "bun",
}
# A package of one of these languages: its name, or the name with a version and/or a `-suffix`
# ("php8.2-fpm", "ruby-dev", "lua5.4"); the first name that matches wins.
_PACKAGE_LANGUAGE = {"php": "php", "ruby": "ruby", "perl": "perl", "erlang": "erlang", "elixir": "elixir",
                     "r-base": "r", "ghc": "haskell", "lua": "lua"}
_LANGUAGE_PACKAGE = lazyre.compile(r"(" + "|".join(re.escape(p) for p in _PACKAGE_LANGUAGE) + r")[0-9.]*(?:-|$)")
# Process supervisors and init wrappers that start scripts: they need a shell for what they run.
SUPERVISORS = frozenset({"supervisord", "s6-svscan", "/init", "runsvdir", "circusd", "pm2", "pm2-runtime",
                         "forever", "honcho", "foreman", "catalina.sh", "startup.sh", "run.sh"})
_INIT_WRAPPERS = frozenset({"tini", "dumb-init", "gosu", "su-exec", "tini-static", "catatonit"})
_PROGRAM_FILE = lazyre.compile(r"\.(jar|js|py|dll|sh)$")  # a relative program path names a file
_SHELL_SYNTAX = lazyre.compile(r"[|&;<>()$`*?~\\\"'{}\[\]]|\b(if|then|for|while|do|done|fi|case|esac)\b")


@record(frozen=True)
class Unmet:
    need: str  # "libc", "glibc", "libgcc", "interpreter", "interpreter_path", "shell", "program", "os_packages"
    clause: str  # one clause, for a reason: "the program needs a shell (ENTRYPOINT runs start.sh)"


@record(frozen=True)
class Needs:
    """What the shipped program requires at run time, read from the file. None: unknown."""

    language: Optional[str]  # go, rust, c, python, node, java, dotnet, php, ruby, ... ; None unknown
    label: str  # "Go", "Python 3.12", "PHP 8.3", for reasons
    runs_program: Optional[bool]  # False: no program of its own (no command, or a shell / REPL)
    runs_what: str  # the command in words ("`bash`", "no ENTRYPOINT or CMD")
    libc: Optional[str] = None  # "static" | "glibc" | "musl" | None unknown / not native
    glibc_version: Optional[str] = None  # the builder's glibc (a glibc need is >= this)
    libgcc: Optional[bool] = None  # libgcc_s / libstdc++ (Rust -gnu, C++)
    interpreter: Optional[str] = None  # "python", "node", "java", "dotnet"
    interpreter_version: Optional[str] = None  # "3.12" (minor), "20" (major), "21", "8.0"
    interpreter_path: Optional[str] = None  # the path installed packages / venvs were built against
    interpreter_from: Optional[str] = None  # else the image line they were installed on ("python")
    shell: Optional[bool] = False  # True: the program needs a shell at run time
    shell_why: str = ""
    build_shell: bool = False  # a RUN left in the runtime stages needs a shell to build
    programs: Tuple[str, ...] = ()  # programs the commands run (besides the interpreter and the artifact)
    os_packages: Tuple[str, ...] = ()  # code packages the runtime stages install (net)
    package_manager: Optional[str] = None  # the manager those packages and RUNs use ("apt", "apk", ...)
    arch: Optional[str] = None  # a fixed platform of the runtime stage ("linux/arm64"), None: the default
    dotnet_mode: Optional[str] = None
    web: bool = False
    # The WORKDIR that relative paths of the command rely on, when no runtime stage sets one:
    # the runtime base's (None: unknown) and its image line; "" when nothing relies on it.
    workdir: Optional[str] = ""
    workdir_line: str = ""
    root_home: bool = False  # runs as root (no USER) from files under /root
    unknown: Tuple[str, ...] = ()  # needs that could not be read and block a suggestion
    evidence: str = ""

    @property
    def native(self) -> bool:
        return self.language in ("go", "rust", "c") or (self.language == "dotnet" and self.dotnet_mode in (
            "self-contained", "aot"))


@record(frozen=True)
class Provides:
    """What an image offers a program, from its facts (plus the runtime stages' additions)."""

    image: str
    libc: Optional[str]  # "glibc" | "musl" | None (none: scratch/static) ; "unknown" when unknown
    glibc_version: Optional[str]
    libgcc: Optional[bool]
    runtime: Optional[str]
    runtime_version: Optional[str]
    python_path: Optional[str]
    shell: Optional[bool]
    programs: Optional[FrozenSet[str]]  # absolute paths; None unknown
    path_env: Optional[str]
    package_managers: Optional[Tuple[str, ...]]
    entrypoint: Optional[Tuple[str, ...]]
    default_user: Optional[str]
    workdir: Optional[str]
    size_mb: Optional[float]
    family: str = ""
    repository: str = ""  # the image line: "python", "gcr.io/distroless/python3-debian13"

    def has_program(self, name: str) -> Optional[bool]:
        if self.programs is None or not name:
            return None
        if name.startswith("/"):
            return name in self.programs or ("/usr" + name) in self.programs
        if self.path_env is None:
            return None
        return any(f"{d.rstrip('/')}/{name}" in self.programs for d in self.path_env.split(":") if d)


def provides_of(facts, image: str, model=None) -> Optional[Provides]:
    """Provides of `image` (its ImageFacts), or None when the catalog does not know it. With a
    model, programs copied by the runtime stages are added (they land in the rebuilt image)."""
    if facts is None:
        return None
    unknown = set(facts.unknown or ())
    libc = "unknown" if "libc" in unknown else facts.libc
    libgcc = None
    family = facts.family or ""
    if libc is None and facts.kind in ("minimal", "scratch"):
        libgcc = False
    elif family.startswith("distroless-cc") or family.startswith("distroless-") and facts.runtime in (
            "python", "node", "java"):
        libgcc = True  # distroless language images are built on cc
    elif facts.kind in ("slim-runtime", "full-os", "toolchain") and libc == "glibc":
        libgcc = True  # Debian/Ubuntu/UBI bases ship libgcc-s1 and libstdc++ as essential
    programs = facts.programs
    if programs is not None and model is not None:
        added = _added_paths(model)
        if added:  # (else the image's own set, not a copy of it)
            programs = frozenset(programs) | added
    return Provides(
        image=image, libc=libc, glibc_version=facts.glibc_version, libgcc=libgcc,
        runtime=facts.runtime, runtime_version=facts.runtime_version, python_path=facts.python_path,
        shell=facts.has_shell, programs=programs, path_env=facts.path_env,
        package_managers=None if "package_managers" in unknown else tuple(facts.package_managers or ()),
        entrypoint=None if "entrypoint" in unknown else facts.entrypoint,
        default_user=facts.default_user, workdir=facts.workdir, size_mb=facts.size_mb, family=family,
        repository=ImageRef.parse(image).name)


def _added_paths(model) -> FrozenSet[str]:
    """Destinations the runtime stages COPY/ADD (files or folders), absolute, as written
    (kept on the model: asked for each candidate image)."""
    found = model.__dict__.get("_added_paths")
    if found is None:
        found = model.__dict__["_added_paths"] = _copy_destinations(model)
    return found


def _copy_destinations(model) -> FrozenSet[str]:
    out = set()
    for stage in model.runtime_stages:
        for ins in stage.instructions:
            if ins.keyword in ("COPY", "ADD") and ins.args:
                dest = ins.args[-1]
                if dest.startswith("/"):
                    out.add(dest.rstrip("/") or "/")
                    if len(ins.args) == 2 and dest.endswith("/"):
                        out.add(dest.rstrip("/") + "/" + ins.args[0].rstrip("/").rsplit("/", 1)[-1])
    return frozenset(out)


# ---------------------------------------------------------------------------- needs

def needs_of(model, moved=()) -> Needs:
    """The needs of the shipped program (cached on the model). `moved`: RUN instructions the
    suggestion moves to a build stage (DSL101/DSL102's builds); the other RUNs stay."""
    key = "_needs_" + ",".join(str(id(i)) for i in moved)
    cached = model.__dict__.get(key)
    if cached is None:
        cached = model.__dict__[key] = _needs(model, set(id(i) for i in moved))
    return cached


def _command_words(model) -> Tuple[Optional[object], List[str]]:
    entrypoint, cmd, _ = model.effective_entrypoint_cmd
    words: List[str] = []
    first = None
    for part in (entrypoint, cmd):
        if part is None:
            continue
        if part is entrypoint and part.instruction is None and cmd is not None \
                and not _is_interpreter_entrypoint(part.args):
            continue  # the base's own ENTRYPOINT wrapper (docker-entrypoint.sh): replaced with the base
        first = first or part
        if part.exec_form:
            words.extend(part.args)
        else:
            commands = tokenize(" ".join(part.args))
            words.extend(commands[0] if commands else [])
    return first, words


def _is_interpreter_entrypoint(args) -> bool:
    """The base's ENTRYPOINT is a language interpreter (distroless nodejs/python3/java): the
    file's CMD holds its arguments, not a program."""
    if not args:
        return False
    name = args[0].rsplit("/", 1)[-1]
    return bool(re.match(r"^(node|nodejs|python[\d.]*|java|dotnet)$", name))


def _unwrap(words: List[str]) -> List[str]:
    """Drop init wrappers (tini --, dumb-init, gosu user) to the program they start."""
    out = list(words)
    while out and out[0].rsplit("/", 1)[-1] in _INIT_WRAPPERS:
        name = out[0].rsplit("/", 1)[-1]
        out = out[1:]
        if name in ("gosu", "su-exec") and out:
            out = out[1:]
        while out and out[0].startswith("-"):
            out = out[1:]
    return out


def _language_from_words(words: List[str]) -> Optional[str]:
    for w in words[:2]:
        name = w.rsplit("/", 1)[-1]
        if name in _PROGRAM_LANGUAGE:
            return _PROGRAM_LANGUAGE[name]
        if name.endswith(".php"):
            return "php"
        if name.endswith(".rb"):
            return "ruby"
        if name.endswith(".pl"):
            return "perl"
        if name.endswith((".R", ".r")) and len(name) > 2:
            return "r"
    return None


def program_run(model) -> Tuple[Optional[bool], str]:
    """(runs_program, runs_what) of Needs, which need nothing else: the suggestion asks first,
    since an image that runs no program of its own has no other need to read."""
    _, _, runs_program, runs_what = _command(model)
    return runs_program, runs_what


def _command(model) -> Tuple[List[str], List[str], Optional[bool], str]:
    """(command words, program words, runs_program, runs_what), kept on the model."""
    found = model.__dict__.get("_needs_command")
    if found is None:
        found = model.__dict__["_needs_command"] = _read_command(model)
    return found


def _read_command(model) -> Tuple[List[str], List[str], Optional[bool], str]:
    _, words = _command_words(model)
    program_words = _unwrap(words)
    runs_program: Optional[bool] = True
    runs_what = "`" + " ".join(words)[:40] + "`" if words else "no ENTRYPOINT or CMD"
    _, _, known = model.effective_entrypoint_cmd
    if not words:
        runs_program = False if known else None
    elif len(program_words) >= 1 and program_words[0].rsplit("/", 1)[-1] in _SHELLS_AND_REPLS and (
            len(program_words) == 1 or all(w.startswith("-") for w in program_words[1:])):
        runs_program = False
    elif program_words and program_words[0].rsplit("/", 1)[-1] in SHELLS and program_words[1:2] == ["-l"]:
        runs_program = False
    return words, program_words, runs_program, runs_what


def program_language(model) -> Tuple[Optional[str], str]:
    """(language, label) of Needs, read before the other needs: the suggestion asks first,
    since no image is suggested for an unknown language or one with no minimal image.
    (The label's version is final for those; builds may still raise a Java, .NET or Python one.)"""
    language, version = _language(model)
    return language, _label_with_version(language, version)


def _language(model) -> Tuple[Optional[str], Optional[str]]:
    """(language, version as the image and the file's variables and packages say), kept on the model."""
    found = model.__dict__.get("_needs_language")
    if found is None:
        found = model.__dict__["_needs_language"] = _read_language(model)
    return found


def _read_language(model) -> Tuple[Optional[str], Optional[str]]:
    runtime = detect(model)
    facts = model.base_facts
    _, program_words, _, _ = _command(model)
    language = runtime.language
    if language is None or language == "c":  # only then can another language replace it
        other = _language_from_words(program_words) or _other_language(model, facts)
        if other is not None:
            language = other
    if language is None and facts is not None and facts.runtime:
        language = facts.runtime
    version = runtime.version if language == runtime.language else None
    if version is None:
        version = _version_from_env(model, language) or (
            facts.runtime_version if facts is not None and facts.runtime == language else None) \
            or _version_from_tag(model, facts, language) or _version_from_packages(model, language)
    return language, version


def _needs(model, moved) -> Needs:
    runtime = detect(model)
    facts = model.base_facts
    words, program_words, runs_program, runs_what = _command(model)
    language, version = _language(model)
    unknown: List[str] = []

    # The shipped native artifact and how it was built (model.artifacts).
    libc, glibc, libgcc = None, None, None
    if runtime.language in ("go", "rust", "c") and language == runtime.language:
        libc = "static" if runtime.static else (runtime.libc or None)
        libgcc = True if runtime.needs_libgcc else (False if runtime.static else None)
        if runtime.language == "go" and not runtime.static:
            libgcc = False
        if runtime.language == "c" and not runtime.static and not runtime.needs_libgcc:
            libgcc = None  # C or C++ from make/cmake: unknown
    interpreter_path = None
    interpreter_from = None  # the image line (repository) whose interpreter the packages were installed for
    # (the native outputs, read only for a compiled language the builds agree on)
    native = language == runtime.language and language in ("go", "rust", "c", "dotnet") and _native_outputs(model)
    if native:
        out = native[0]
        words = " ".join(out.command)
        maybe_static = out.kind == "go-binary" and out.cgo is not False and not (
            "netgo" in words and "osusergo" in words)  # -extldflags -static: static only if linked externally
        if (out.static or out.libc == "static") and maybe_static:
            libc, libgcc = "glibc", False  # glibc runs the program either way
        elif out.static or out.libc == "static":
            libc = "static"
        elif out.libc in ("glibc", "musl"):
            libc = out.libc
        glibc = out.glibc_version if libc == "glibc" else None
        if out.needs_libgcc is not None:
            libgcc = out.needs_libgcc
    for art in artifacts_of(model):
        for out in art.outputs:
            if out.kind in ("jar", "dotnet-publish") and language in ("java", "dotnet") and not out.self_contained:
                # the level the build compiled for: the runtime must be at least that (Java) / that (.NET)
                built = _major_of(out.target_level or out.sdk_version, language)
                if built and (version is None or version_lt(version, built)):
                    version = built
            if out.kind == "python-env" and out.interpreter_path and _is_venv(out):
                # a virtualenv's bin/python and console scripts point at the interpreter it was made from
                # (pip --target/--prefix trees run through PYTHONPATH on any same-minor interpreter)
                interpreter_path = out.interpreter_path
            if out.kind == "python-env" and out.interpreter_version and language == "python":
                version = version or out.interpreter_version

    # What the runtime stages still do when rebuilt on another image.
    shell, shell_why, build_shell = False, "", False
    programs: List[str] = []
    packages: List[str] = []
    manager = None
    for stage in model.runtime_stages:
        for ins in stage.instructions:
            if ins.keyword != "RUN":
                continue
            run = stage.run(ins)
            if language == "python" and "pip" in run.managers_run and id(ins) not in moved:
                # (a moved install goes to a build stage with --target and PYTHONPATH: no path tie)
                # packages installed for this interpreter: tied to its path (or, unknown, to its image line)
                interpreter_path = interpreter_path or (facts.python_path if facts is not None else None)
                interpreter_from = interpreter_from or (model.runtime_base.name if model.runtime_base else None)
            is_moved = id(ins) in moved
            if not is_moved:
                if not ins.exec_form:
                    build_shell = True
                elif ins.args:
                    programs.append(ins.args[0])
            for op in run.package_ops:
                if op.manager in ("apt", "apk", "dnf", "yum", "microdnf", "zypper"):
                    manager = manager or op.manager
            kept = set(run.net_installed())
            for op in run.package_ops:
                if op.action != "install" or op.manager not in ("apt", "apk", "dnf", "yum", "microdnf", "zypper"):
                    continue
                for pkg in op.packages:
                    base = _package_base(pkg)
                    if is_moved and base in FETCH_TOOL_PACKAGES:
                        continue  # git/curl/wget in a build's RUN serve the build
                    if base in kept and base not in DATA_ONLY_PACKAGES and not is_build_tool_package(base) \
                            and not _is_interpreter_package(base, language):
                        packages.append(base)
    if language == "python" and interpreter_path is None and interpreter_from is None \
            and _copies_site_packages(model):
        unknown.append("interpreter path")

    # Shell needs of the command itself.
    entrypoint, cmd, _ = model.effective_entrypoint_cmd
    if entrypoint is not None and entrypoint.instruction is None and cmd is not None \
            and not _is_interpreter_entrypoint(entrypoint.args):
        entrypoint = None  # the base's wrapper goes with the base
    command = entrypoint if entrypoint is not None else cmd
    if command is not None and not command.exec_form:
        text = " ".join(command.args)
        if _SHELL_SYNTAX.search(text) or (entrypoint is not None and cmd is not None):
            shell, shell_why = True, "its command is in shell form with shell syntax"
    head = program_words[0].rsplit("/", 1)[-1] if program_words else ""
    if head in SHELLS and runs_program:
        shell, shell_why = True, f"its command runs `{head}`"
    elif head.endswith((".sh", ".bash")) or head in SUPERVISORS or head.endswith("-entrypoint") \
            or head == "docker-entrypoint.sh":
        shell, shell_why = True, f"its command runs `{head}`"
    elif head in ("npm", "yarn", "pnpm", "npx"):
        shell, shell_why = True, f"`{head}` runs package scripts through a shell"
        programs.append(head)
    elif head and head not in REPLS and head != "java" and head != "dotnet" and head.rsplit(".", 1)[-1] not in (
            "js", "mjs", "cjs", "py", "jar", "dll"):
        if language in ("python", "node", "java", "dotnet") and not _is_copied_output(model, program_words[0]) \
                and not _installed_by_the_file(model, program_words[0]):
            programs.append(program_words[0])  # a program the file does not install: must exist in the image
    healthcheck = model.effective("HEALTHCHECK") is not None  # (else no program has that role)
    for prog in effective_programs(model) if healthcheck else ():
        if prog.role == "healthcheck":
            if not prog.exec_form:
                shell, shell_why = True, shell_why or "its HEALTHCHECK is in shell form"
            name = prog.name.rsplit("/", 1)[-1]
            if name in SHELLS:
                shell, shell_why = True, shell_why or f"its HEALTHCHECK runs `{name}`"
            elif name in _INTERPRETER_NAMES.get(language, ()):
                pass  # the interpreter itself: an interpreter need, met by the language image
            elif not _is_copied_output(model, prog.name) and not _installed_by_the_file(model, prog.name):
                programs.append(prog.name)

    workdir, workdir_line = "", ""
    sets_workdir = model.effective("WORKDIR") is not None  # a runtime stage sets a WORKDIR
    # (a build moved out gets a new final stage, whose WORKDIR the rewrite writes)
    if not moved and not sets_workdir and any(
            not w.startswith(("/", "-")) and ("/" in w or _PROGRAM_FILE.search(w) or w == ".")
            for w in program_words):
        workdir = facts.workdir if facts is not None else None
        workdir_line = model.runtime_base.name if model.runtime_base is not None else ""
    # Files under /root that a root-run image uses (its WORKDIR or the program): a non-root user cannot reach them.
    user, user_ins = model.effective_user
    workdir_now = None
    if sets_workdir and user_ins is None and user in ("root", "0"):  # (read only for such an image)
        for _, ins in model.runtime_instructions():
            if ins.keyword == "WORKDIR" and ins.args:
                workdir_now = ins.args[0] if ins.args[0].startswith("/") else workdir_now
    root_home = user_ins is None and user in ("root", "0") and any(
        (w or "").rstrip("/") == "/root" or (w or "").startswith("/root/") for w in [workdir_now] + program_words[:1])
    interpreter = language if language in ("python", "node", "java", "dotnet") else None
    if interpreter == "dotnet" and runtime.dotnet_mode in ("self-contained", "aot"):
        interpreter = None
        libc = libc or "glibc"
    if interpreter is not None and version is None:
        unknown.append(f"{_label(language)} version")
    if language is None:
        unknown.append("runtime")
    label = _label_with_version(language, version)
    platform = model.runtime_stages[0].platform if model.runtime_stages else None
    return Needs(language=language, label=label, runs_program=runs_program, runs_what=runs_what,
                 libc=libc, glibc_version=glibc, libgcc=libgcc, interpreter=interpreter,
                 interpreter_version=version if interpreter else None, interpreter_path=interpreter_path,
                 interpreter_from=interpreter_from if interpreter else None,
                 shell=shell, shell_why=shell_why, build_shell=build_shell,
                 programs=tuple(dict.fromkeys(programs)), os_packages=tuple(dict.fromkeys(packages)),
                 package_manager=manager, arch=platform if platform and "$" not in platform else None,
                 dotnet_mode=runtime.dotnet_mode, web=runtime.web or any(
                     k.startswith("ASPNETCORE_") for k in model.target.variables), unknown=tuple(unknown),
                 workdir=workdir, workdir_line=workdir_line, root_home=root_home, evidence=runtime.evidence)


_LABELS = {"python": "Python", "node": "Node.js", "java": "Java", "dotnet": ".NET", "go": "Go", "rust": "Rust",
           "c": "C/C++"}


def _label_with_version(language: Optional[str], version: Optional[str]) -> str:
    """"Python 3.12", "PHP 8.3", "Go" (a compiled language's version is not the program's)."""
    return _label(language) + (f" {version}" if version and language not in ("go", "rust", "c") else "")


def _label(language: Optional[str]) -> str:
    if language is None:
        return "the program"
    return _LABELS.get(language) or NO_MINIMAL_IMAGE.get(language) or language


def _other_language(model, facts) -> Optional[str]:
    """PHP, Ruby, Perl, ... from the runtime base or the runtime stages' packages."""
    if facts is not None and facts.runtime in NO_MINIMAL_IMAGE:
        return facts.runtime
    for stage in model.runtime_stages:
        for _, run in stage.runs():
            for pkg in run.net_installed():
                m = _LANGUAGE_PACKAGE.match(pkg)
                if m:
                    return _PACKAGE_LANGUAGE[m.group(1)]
            for op in run.package_ops:
                if op.manager == "gem":
                    return "ruby"
    return None


_VERSION_VARS = {"python": ("PYTHON_VERSION",), "node": ("NODE_VERSION",), "java": ("JAVA_VERSION",),
                 "dotnet": ("DOTNET_VERSION", "ASPNET_VERSION"), "go": ("GOLANG_VERSION", "GO_VERSION"),
                 "php": ("PHP_VERSION",), "ruby": ("RUBY_VERSION",)}


def _version_from_env(model, language) -> Optional[str]:
    """A version set through ENV/ARG (`PYTHON_VERSION=3.11.9` -> "3.11"), along the runtime stages."""
    for name in _VERSION_VARS.get(language, ()):
        value = model.target.variables.get(name)
        if not value or "$" in value:
            continue
        m = re.match(r"^v?(\d+)(?:\.(\d+))?", value)
        if not m:
            continue
        if language == "python" and m.group(2):
            return f"{m.group(1)}.{m.group(2)}"
        if language == "dotnet":
            return f"{m.group(1)}.{m.group(2) or 0}"
        if language == "java" and m.group(1) == "1" and m.group(2):
            return m.group(2)
        return m.group(1)
    return None


_INTERPRETER_NAMES = {"node": ("node", "nodejs"), "python": ("python", "python3"), "java": ("java",),
                      "dotnet": ("dotnet",)}
_OS_TOOLS = frozenset({"curl", "wget", "nc", "netcat", "bash", "sh", "ps", "pgrep", "grep", "cat", "test",
                       "true", "false", "sleep", "env", "su", "sudo", "nginx", "apache2", "httpd"})


def _installed_by_the_file(model, program: str) -> bool:
    """A console script (gunicorn, uvicorn, next) that a language package manager run of the
    runtime stages installs: it comes with the packages, moved or not."""
    if program.rsplit("/", 1)[-1] in _OS_TOOLS:
        return False
    found = model.__dict__.get("_installs_language_packages")
    if found is None:
        found = model.__dict__["_installs_language_packages"] = any(
            not _LANGUAGE_MANAGERS.isdisjoint(run.managers_run)
            or any(w and w[0] in ("poetry", "uv", "pipenv", "pdm") for w in run.commands)
            for stage in model.runtime_stages for _, run in stage.runs())
    return found


_LANGUAGE_MANAGERS = frozenset({"pip", "npm", "yarn", "pnpm", "gem", "poetry", "uv", "pipenv"})


def _native_outputs(model):
    """Native programs the image ships, the one its command runs first: what COPY --from brings
    in, else what the runtime stages build themselves (a single-stage build)."""
    copied = [(not art.runs_it, o) for art in artifacts_of(model) for o in art.outputs if o.native]
    if copied:
        return [o for _, o in sorted(copied, key=lambda pair: pair[0])]
    out = []
    for stage in model.runtime_stages:
        out.extend(o for o in build_outputs(model, stage) if o.native)
    return out[::-1]  # the last build is the program


def _major_of(text: Optional[str], language: str) -> Optional[str]:
    """"21.0.2" -> "21" (Java; "1.8" -> "8"), "8.0.100" -> "8.0" (.NET)."""
    m = re.match(r"^(\d+)(?:\.(\d+))?", text or "")
    if not m:
        return None
    if language == "java":
        return m.group(2) if m.group(1) == "1" and m.group(2) else m.group(1)
    return f"{m.group(1)}.0"


def _version_from_tag(model, facts, language) -> Optional[str]:
    """`python:2.7-slim` -> "2.7", `node:14` -> "14" when the base is that language's image."""
    base = model.runtime_base
    if base is None or facts is None or facts.runtime != language or not base.tag:
        return None
    m = re.match(r"^(\d+)(?:\.(\d+))?", base.tag)
    if not m:
        return None
    if language in ("python", "dotnet"):
        return f"{m.group(1)}.{m.group(2)}" if m.group(2) else None
    return m.group(1)


_VERSION_PACKAGES = {"java": lazyre.compile(r"^(?:openjdk-|temurin-|java-)(\d+)(?:-jre|-jdk|-openjdk)"),
                     "python": lazyre.compile(r"^python(\d\.\d+)$"), "node": lazyre.compile(r"^nodejs(\d+)$")}


def _version_from_packages(model, language) -> Optional[str]:
    pattern = _VERSION_PACKAGES.get(language)
    if pattern is None:
        return None
    for stage in model.runtime_stages:
        for _, run in stage.runs():
            for pkg in run.net_installed():
                m = pattern.match(pkg)
                if m:
                    return m.group(1)
    return None


def _is_interpreter_package(pkg: str, language: Optional[str]) -> bool:
    pattern = _VERSION_PACKAGES.get(language or "")
    return bool(pattern and pattern.match(pkg)) or (language == "python" and pkg in ("python3", "python3-minimal")) \
        or (language == "node" and pkg == "nodejs") or (language == "java" and pkg.startswith(("default-jre",)))


def _is_venv(out) -> bool:
    words = " ".join(out.command)
    return "venv" in words or "virtualenv" in words or words.startswith(("uv ", "poetry ", "pipenv "))


def _copies_site_packages(model) -> bool:
    for art in artifacts_of(model):
        if any(o.kind == "python-env" for o in art.outputs):
            return True
    return False


def _is_copied_output(model, name: str) -> bool:
    """The program is the file's own: something a COPY into the runtime stages brings, or a path
    that a build in the runtime stages produces (a single-stage build's output)."""
    if not name:
        return False
    if "/" in name and any(run.build_commands for stage in model.runtime_stages for _, run in stage.runs()):
        return True
    for art in artifacts_of(model):
        if art.runs_it:
            return True
    if "/" not in name:
        return False
    for stage in model.runtime_stages:
        for ins in stage.instructions:
            if ins.keyword in ("COPY", "ADD") and ins.args:
                dest = ins.args[-1].rstrip("/")
                if name == dest or name.startswith(dest + "/") or name.lstrip("./") == dest.lstrip("./"):
                    return True
    return False


# ---------------------------------------------------------------------------- unmet

def unmet(needs: Needs, provides: Provides, strict: bool = False) -> List[Unmet]:
    """The needs `provides` does not meet. strict: an unknown provide counts as unmet."""
    out: List[Unmet] = []

    def miss(have: Optional[bool], need: str, clause: str):
        if have is False or (have is None and strict):
            out.append(Unmet(need, clause))

    p = provides
    if needs.libc in ("glibc", "musl"):
        have = None if p.libc == "unknown" else p.libc == needs.libc
        miss(have, "libc", f"the program needs {needs.libc}, which {p.image} lacks")
        if needs.libc == "glibc" and needs.glibc_version and have:
            newer = version_lt(p.glibc_version, needs.glibc_version)
            miss(None if newer is None else not newer, "glibc",
                 f"the program was built against glibc {needs.glibc_version}")
    if needs.libgcc:
        miss(p.libgcc, "libgcc", f"the program needs libgcc/libstdc++, which {p.image} lacks")
    if needs.interpreter:
        if p.runtime is None and p.runtime_version is None:
            have = False
        else:
            have = p.runtime == needs.interpreter if p.runtime else None
        if have and needs.interpreter_version:
            v, pv = needs.interpreter_version, p.runtime_version
            if pv is None:
                have = None
            elif needs.interpreter == "java":
                have = not version_lt(pv, v)
            else:
                have = pv == v
        miss(have, "interpreter", f"it runs {needs.label}")
        if (needs.interpreter_path or needs.interpreter_from) and have:
            same_line = bool(needs.interpreter_from) and p.repository == needs.interpreter_from
            path = p.python_path
            ok = True if same_line else (None if path is None or not needs.interpreter_path
                                         else path == needs.interpreter_path)
            miss(ok, "interpreter_path", "its packages were installed for the interpreter at "
                 + (needs.interpreter_path or f"the {needs.interpreter_from} image's path"))
    if needs.root_home:
        runs_as_root = None if p.default_user is None else p.default_user in ("root", "0")
        miss(runs_as_root, "user", f"its files are under /root, which {p.image}'s non-root user cannot reach")
    if needs.workdir != "":
        same_line = bool(needs.workdir_line) and p.repository == needs.workdir_line
        have = True if same_line else (None if needs.workdir is None or p.workdir is None
                                       else p.workdir == needs.workdir)
        miss(have, "workdir", "its command uses paths relative to the base's WORKDIR")
    if needs.os_packages:
        keeps = None if p.package_managers is None else (
            needs.package_manager in p.package_managers and bool(p.shell))
        miss(keeps, "os_packages", "the runtime stages install " + ", ".join(needs.os_packages[:3]))
    if needs.shell or needs.build_shell:
        why = needs.shell_why if needs.shell else "a RUN left in the runtime stages needs a shell"
        miss(p.shell, "shell", f"the program needs a shell ({why})")
    for program in needs.programs:
        miss(p.has_program(program), "program", f"its command runs `{program.rsplit('/', 1)[-1]}`")
    return out
