"""DSL501-DSL508: runtime compatibility. The image builds, then the program does not start.

Each rule compares what a copied artifact needs (from `dockerslim_lint.model.artifacts`:
how it was built, read from the file) with what the runtime provides (the runtime base's
image facts, plus what the runtime stages add). A fact that is unknown keeps a rule
silent: unknown tags, builds through scripts or `make`, copies that could bring anything.
"""
from __future__ import annotations

import posixpath
import re

from dockerslim_lint import lazyre
from dockerslim_lint.dockerfile.commands import _package_base
from dockerslim_lint.dockerfile.variables import expand
from dockerslim_lint.engine.findings import Finding, shorten
from dockerslim_lint.engine.rule import rule
from dockerslim_lint.fix.fixes import wanted
from dockerslim_lint.model.artifacts import (BIN_DIRS, Artifact, BuildOutput, artifacts_of, effective_path,
                                             effective_programs, version_lt)
from dockerslim_lint.model.surface import analysis, runtime_runs

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Dict, Iterable, List, Optional, Tuple

# Interpreters a base image's exec-form ENTRYPOINT can be (DSL505), by the program's name.
_INTERPRETER = lazyre.compile(r"^(node|nodejs|python[23]?(\.\d+)?|java)$")
# Programs a CMD under such an ENTRYPOINT must not start with (docs/rules/DSL505.md).
_PROGRAM_WORDS = lazyre.compile(r"^(node|nodejs|npm|npx|yarn|pnpm|python[23]?(\.\d+)?|java|sh|bash|ash|dash)$")
_SCRIPT_ARG = lazyre.compile(r"\.(js|mjs|cjs|py|pyc|jar)$")
# OS packages that bring no program a command could run (libraries and data).
_NO_PROGRAM_PACKAGE = lazyre.compile(r"^(lib.*|.*-libs?|.*-dev|.*-devel|.*-doc|ca-certificates|tzdata|musl|gcompat|"
                                 r"libc6-compat|.*-data|.*-common|fonts-.*|font-.*)$")
# Commands a runtime-stage RUN may run without creating programs (package installs are judged
# by their package names).
_INERT_COMMANDS = frozenset({"apk", "apt-get", "apt", "dnf", "yum", "microdnf", "zypper", "rm", "mkdir", "chown",
                             "chmod", "chgrp", "addgroup", "adduser", "useradd", "groupadd", "usermod",
                             "echo", "printf", "true", "set", "update-ca-certificates", "touch", ":", "exit",
                             "test", "[", "apt-mark", "dpkg-reconfigure", "sed", "cat", "ls", "id",
                             "locale-gen", "update-alternatives", "ldconfig", "sync", "whoami"})
_LIBC_COMPAT = ("gcompat", "libc6-compat")
_LIBC_DIRS = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib", "/lib/x86_64-linux-gnu",
              "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/")


def _finding(rule_id, ins, message, **extra):
    finding = Finding(rule_id, ins.start_line, message, column=ins.column)
    finding.extra.update(extra)
    return finding


def _fit(*candidates: str) -> str:
    """The first message that fits in 120 characters (the last one otherwise)."""
    for text in candidates:
        if len(text) <= 120:
            return text
    return candidates[-1]


def _base_name(model) -> str:
    base = model.runtime_base
    return base.raw if base is not None else "the base"


def _runtime_libc(model) -> Optional[str]:
    """"glibc" | "musl" | "none" (scratch, distroless/chainguard static) | None (unknown)."""
    base = model.runtime_base
    if base is None or base.unresolved:
        return None
    if base.is_scratch:
        return "none"
    facts = model.base_facts
    if facts is None:
        return None
    if facts.libc in ("glibc", "musl"):
        return facts.libc
    if "libc" not in facts.unknown and facts.kind in ("scratch", "minimal") and not facts.debug:
        return "none"
    return None


def _runtime_copies(model):
    """(stage, COPY/ADD, sources, destination, destination as written) along the runtime
    stages, variables expanded (kept on the model: several rules read them)."""
    return model.memo("DSL5xx runtime copies", lambda: tuple(_find_runtime_copies(model)))


def _find_runtime_copies(model):
    from dockerslim_lint.model.artifacts import workdir_at

    for stage in model.runtime_stages:
        for ins in stage.instructions:
            if ins.keyword not in ("COPY", "ADD") or len(ins.args) < 2:
                continue
            words = [expand(w, stage.vars_at(ins))[0] for w in ins.args]
            cwd = workdir_at(model, stage, ins)
            dest = words[-1]
            if not dest.startswith("/"):
                dest = posixpath.normpath(posixpath.join(cwd, dest)) if cwd else None
            else:
                dest = posixpath.normpath(dest)
            yield stage, ins, [w for w in words[:-1] if not w.startswith("<<")], dest, words[-1]


def _runtime_installs(model) -> Optional[Tuple[str, ...]]:
    """OS packages the runtime stages install; None when a RUN there cannot be read (kept)."""
    return model.memo("DSL5xx runtime installs", lambda: _find_runtime_installs(model))


def _find_runtime_installs(model) -> Optional[Tuple[str, ...]]:
    out: List[str] = []
    for stage in model.runtime_stages:
        for ins, run in stage.runs():
            if run.opaque:
                return None
            out.extend(run.installed())
    return tuple(out)


def _adds_libc(model) -> bool:
    """Does a runtime stage copy a C library (or a folder that may hold one) in? (kept)"""
    return model.memo("DSL5xx copies a libc", lambda: _copies_libc(model))


def _copies_libc(model) -> bool:
    for _stage, ins, sources, dest, _raw in _runtime_copies(model):
        if ins.flag("from") is None and ins.keyword == "COPY":
            if dest in ("/",) and any(s in (".", "./") or s.endswith("/") for s in sources):
                return True
            if dest is not None and dest.rstrip("/") in _LIBC_DIRS and dest != "/":
                return True
            continue
        if dest is None or any(dest.rstrip("/") == d or dest.startswith(d.rstrip("/") + "/") for d in _LIBC_DIRS
                               if d != "/") or dest == "/":
            return True
        if any(re.search(r"(^|/)(lib|lib64)(/|$)|ld-|libc\.", s) for s in sources):
            return True
    return False


def _once(artifacts: Iterable[Artifact], kinds, test):
    """(artifact, output) pairs passing `test`, once per output (its first COPY) and per COPY line."""
    seen_outputs = set()
    seen_lines = set()
    for art in artifacts:
        for output in art.outputs:
            if output.kind not in kinds:
                continue
            key = (id(output.instruction), output.kind, output.command)
            if key in seen_outputs:
                continue
            if not test(art, output):
                continue
            seen_outputs.add(key)
            if id(art.instruction) in seen_lines:
                continue
            seen_lines.add(id(art.instruction))
            yield art, output


def _copied(art: Artifact) -> str:
    return art.source if len(art.source) <= 32 else "…" + art.source[-31:]


def _is_dynamic_native(output: BuildOutput) -> bool:
    if output.opaque or output.static is not False:
        return False
    if output.kind == "go-binary":
        return output.cgo is True
    return output.kind in ("rust-binary", "c-binary")


# ------------------------------------------------------------------ DSL501

@rule("DSL501", "cgo-binary-on-libc-free-base", "error",
      "A Go binary built with cgo is copied onto a base with no C library: it cannot start.",
      tags=("correctness", "runtime-compat"))
def cgo_binary_on_libc_free_base(model, context):
    if _runtime_libc(model) != "none" or _adds_libc(model):
        return
    base = _base_name(model)
    for art, output in _once(artifacts_of(model), ("go-binary",),
                             lambda a, o: o.cgo is True and o.static is False):
        line = output.instruction.start_line
        yield _finding("DSL501", art.instruction, _fit(
            f"`{_copied(art)}` is a cgo-enabled Go build (line {line}) and {base} has no C library: "
            f"build it with `CGO_ENABLED=0`",
            f"`{_copied(art)}` is a cgo-enabled Go build (line {line}) and the runtime base has no C library: "
            f"build it with `CGO_ENABLED=0`",
            f"cgo-enabled Go build (line {line}) on a base with no C library: build it with `CGO_ENABLED=0`"))


# ------------------------------------------------------------------ DSL502

def _node_addons(output: BuildOutput) -> bool:
    return output.kind == "node-modules" and output.native_addons is True


@rule("DSL502", "libc-mismatch", "error",
      "A dynamically linked native program is copied between C libraries (musl vs glibc).",
      tags=("correctness", "runtime-compat"))
def libc_mismatch(model, context):
    runtime = _runtime_libc(model)
    if runtime not in ("glibc", "musl"):
        return
    base = _base_name(model)

    def compat():  # a musl runtime with a glibc compatibility layer, or one we cannot tell
        installs = _runtime_installs(model)
        return installs is None or any(_package_base(p) in _LIBC_COMPAT for p in installs)

    def test(art, output):
        if not (_is_dynamic_native(output) or _node_addons(output)):
            return False
        built = output.libc if output.kind != "node-modules" else _builder_libc(model, output)
        if built not in ("glibc", "musl") or built == runtime:
            return False
        if runtime == "musl" and compat():
            return False
        return not _adds_libc(model)

    for art, output in _once(artifacts_of(model), ("go-binary", "rust-binary", "c-binary", "node-modules"), test):
        built = output.libc if output.kind != "node-modules" else _builder_libc(model, output)
        what = "native addons" if output.kind == "node-modules" else "a binary"
        line = output.instruction.start_line
        fix = "build it on a glibc image" if runtime == "glibc" else "build it on Alpine or `apk add gcompat`"
        src = _copied(art)
        yield _finding("DSL502", art.instruction, _fit(
            f"`{src}`: {what} linked against {built} (line {line}), {base} has {runtime}: {fix}",
            f"`{src}`: {what} linked against {built} (line {line}), the runtime has {runtime}: {fix}",
            f"{what} linked against {built} (line {line}) copied onto {runtime}: {fix}"))


def _builder_libc(model, output: BuildOutput) -> Optional[str]:
    facts = model.facts_of(output.stage)
    return facts.libc if facts is not None else None


# ------------------------------------------------------------------ DSL503

@rule("DSL503", "glibc-too-new", "warning",
      "A native program built against a newer glibc than the runtime has.",
      tags=("correctness", "runtime-compat"))
def glibc_too_new(model, context):
    if _runtime_libc(model) != "glibc":
        return
    facts = model.base_facts
    runtime_version = getattr(facts, "glibc_version", None)
    if not runtime_version:
        return

    def test(art, output):
        return _is_dynamic_native(output) and output.libc == "glibc" and \
            version_lt(runtime_version, output.glibc_version) is True

    for art, output in _once(artifacts_of(model), ("go-binary", "rust-binary", "c-binary"), test):
        builder = model.facts_of(output.stage)
        release = getattr(builder, "distro_release", None)
        distro = getattr(builder, "distro", None)
        if getattr(facts, "family", "").startswith("distroless-") and distro == "debian" and release:
            flavour = "cc" if output.needs_libgcc else "base"
            fix = f"ship `{flavour}-debian{release}`"
        else:
            fix = f"build on a release with glibc ≤ {runtime_version}"
        src, need = _copied(art), output.glibc_version
        yield _finding("DSL503", art.instruction, _fit(
            f"`{src}` needs glibc {need} (built on {output.builder_image}) but {_base_name(model)} has "
            f"{runtime_version}: {fix}",
            f"`{src}` needs glibc {need} (built on {output.builder_image}), the runtime has {runtime_version}: {fix}",
            f"`{src}` needs glibc {need}, the runtime has {runtime_version}: {fix}"))


# ------------------------------------------------------------------ DSL504

_PYTHON_PROGRAM = lazyre.compile(r"^python[23]?(\.\d+)?$")


def _runtime_python(model) -> Tuple[Optional[str], Optional[bool]]:
    """(X.Y of the runtime's Python, has python). (None, False): no Python; (None, None): unknown.
    Kept on the model: asked for each Python environment copied in."""
    return model.memo("DSL504 runtime Python", lambda: _find_runtime_python(model))


def _find_runtime_python(model) -> Tuple[Optional[str], Optional[bool]]:
    facts = model.base_facts
    base = model.runtime_base
    installs = _runtime_installs(model)
    if installs is None or any(p.startswith("python") for p in map(_package_base, installs)):
        return None, None
    for _stage, ins, sources, dest, _raw in _runtime_copies(model):
        if any("python" in s for s in sources) or (dest or "").startswith("/usr/local/bin") or dest == "/":
            if not any(re.search(r"site-packages|/venv|\.venv|/lib/python", s) for s in sources):
                return None, None
    if base is not None and base.is_scratch:
        return None, False
    if facts is None:
        return None, None
    if facts.runtime == "python":
        version = facts.runtime_version
        return (version if version and re.match(r"^\d+\.\d+$", version) else None), True
    if facts.programs is not None:
        has = any(_PYTHON_PROGRAM.match(posixpath.basename(p)) for p in facts.programs if "python" in p)
        return None, (None if has else False)
    return None, None


@rule("DSL504", "python-env-mismatch", "error",
      "A Python environment is copied into a runtime with another Python version, no Python, or "
      "without the interpreter its virtualenv points to.",
      tags=("correctness", "runtime-compat"))
def python_env_mismatch(model, context):
    facts = model.base_facts
    base = _base_name(model)
    for art, output in _once(artifacts_of(model), ("python-env",), lambda a, o: True):
        version, has_python = _runtime_python(model)
        built = output.interpreter_version
        src = _copied(art)
        if has_python is False:
            shown = f"Python {built} environment" if built else "Python environment"
            fix = f"ship it on `python:{built}-slim`" if built else "ship it on an image with that Python"
            yield _finding("DSL504", art.instruction, _fit(
                f"`{src}` is a {shown} but {base} has no Python: {fix}",
                f"`{src}` is a {shown} but the runtime has no Python: {fix}"))
            continue
        if built and version and built != version:
            yield _finding("DSL504", art.instruction, _fit(
                f"`{src}` was built with Python {built} but {base} runs {version}: build it on `python:{version}-slim`",
                f"`{src}` was built with Python {built}, the runtime runs {version}: build it on "
                f"`python:{version}-slim`"))
            continue
        missing = _missing_interpreter(model, art, output, effective_programs(model))
        if missing is not None:
            have = getattr(facts, "python_path", None)
            fix = f"create it with `{have} -m venv`" if have else "create it with the runtime's interpreter path"
            yield _finding("DSL504", art.instruction, _fit(
                f"the virtualenv `{src}` points to {missing}, which {base} lacks: {fix}",
                f"the virtualenv `{src}` points to {missing}, which the runtime lacks: {fix}",
                f"venv `{src}` runs {missing}, which the runtime lacks: {fix}"))


def _missing_interpreter(model, art: Artifact, output: BuildOutput, programs) -> Optional[str]:
    """The venv's interpreter path when the venv's programs run and the runtime lacks it."""
    path = output.interpreter_path
    if not path or output.copies or not output.exact or "venv" not in " ".join(output.command):
        return None
    facts = model.base_facts
    if facts is None or facts.programs is None:
        return None
    if path in facts.programs:
        return None
    venv_bins = [posixpath.join(p, "bin") for p in art.runtime_paths]
    runs = any(any(c.startswith(b + "/") for b in venv_bins) for p in programs if p.role != "healthcheck"
               for c in p.paths[:1] if p.path_known or c.startswith("/"))
    if not runs:
        return None
    for _stage, ins, sources, dest, _raw in _runtime_copies(model):
        if dest is not None and (dest == path or _under_dir(path, dest)):
            return None
    for _stage, ins, run in runtime_runs(model):
        if any(path in w or "ln" == w[0] for w in map(" ".join, run.commands)):
            return None
    return path


def _under_dir(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip("/") + "/")


# ------------------------------------------------------------------ DSL505

def _runtime_sets_entrypoint(model) -> bool:
    return any(ins.keyword == "ENTRYPOINT" for _s, ins in model.runtime_instructions())


@rule("DSL505", "cmd-repeats-entrypoint", "error",
      "CMD repeats the interpreter that the base image's ENTRYPOINT already runs.",
      tags=("correctness", "runtime-compat"))
def cmd_repeats_entrypoint(model, context):
    facts = model.base_facts
    if facts is None or not facts.entrypoint or _runtime_sets_entrypoint(model):
        return
    entry = tuple(facts.entrypoint)
    interpreter = posixpath.basename(entry[0])
    if not _INTERPRETER.match(interpreter):
        return
    _ep, cmd, _known = model.effective_entrypoint_cmd
    if cmd is None or cmd.instruction is None or not cmd.args:
        return
    ins = cmd.instruction
    runs = " ".join(entry)
    if cmd.exec_form:
        words = list(cmd.args)
        first = words[0]
        name = posixpath.basename(first)
        if not (_PROGRAM_WORDS.match(name) or (first.startswith("/") and not _SCRIPT_ARG.search(first)
                                                and "/bin/" in first)):
            return
        shown_run = f"{runs} {' '.join(words)}"
    else:
        text = cmd.args[0].strip()
        words = text.split() if _plain(text) else []
        shown_run = f'{runs} /bin/sh -c "{text}"'
    corrected = _corrected(entry, words) if words else None
    safe = corrected is not None and _same_interpreter(entry, words)
    if corrected is not None:
        fix = f"use `CMD {_json(corrected)}`"
        extra = {"corrected_cmd": list(corrected)}
    else:
        fix = f"make CMD the {_what(interpreter)} itself, e.g. `CMD {_json(['app' + _ext(interpreter)])}`"
        extra = {}
    message = _fit(*(f"the image runs `{shorten(shown_run, limit)}`: {fix}" for limit in (70, 50, 30)))
    yield _fix(model, _finding("DSL505", ins, message, **extra), ins,
               corrected if safe and wanted(context) else None)


def _what(interpreter: str) -> str:
    return "jar" if interpreter.startswith("java") else "script"


def _ext(interpreter: str) -> str:
    if interpreter.startswith("node"):
        return ".js"
    if interpreter.startswith("java"):
        return ".jar"
    return ".py"


def _same_interpreter(entry, words) -> bool:
    """Is the CMD's first word the base's own interpreter (node on node, python* on python)?"""
    ep = posixpath.basename(entry[0])
    first = words[0]
    if "/" in first:
        return False  # another interpreter path (a venv's python) is no safe drop
    name = first
    if ep.startswith("node"):
        return name in ("node", "nodejs")
    if ep.startswith("python"):
        return bool(re.match(r"^python3?(\.\d+)?$", name)) and (
            not re.match(r"^python3\.\d+$", name) or name == ep)
    if ep == "java":
        return name == "java" and len(words) > 1 and words[1] == "-jar"
    return False


def _corrected(entry, words) -> Optional[List[str]]:
    """The CMD words that go after the base's ENTRYPOINT, or None when none can be told."""
    ep = posixpath.basename(entry[0])
    if "/" in words[0] and words[0] != entry[0]:
        return None  # another interpreter (a virtualenv's python): dropping it loses what it brings
    first = posixpath.basename(words[0])
    if ep == "java":
        if first == "java" and len(words) > 2 and words[1] == "-jar":
            return list(words[2:])
        return None
    if ep.startswith("node") and first in ("node", "nodejs") and len(words) > 1:
        return list(words[1:])
    if ep.startswith("python") and re.match(r"^python[23]?(\.\d+)?$", first) and len(words) > 1:
        return list(words[1:])
    return None


def _plain(text: str) -> bool:
    return bool(text) and not any(c in text for c in "$'\"`\\|&;<>*?[](){}~#")




def _json(words) -> str:
    from dockerslim_lint.fix.edits import exec_form
    return exec_form(words)


def _fix(model, finding, ins, corrected):
    """Attach the safe fix (RULES/issue: only when the CMD's first word is the base's own
    interpreter, `java -jar` dropped together)."""
    if corrected is None:
        return finding
    from dockerslim_lint.fix.edits import Fix, exec_form, replace_value

    edit = replace_value(model.parsed, ins, exec_form(corrected))
    if edit is not None:
        finding.fix = Fix(f"CMD {exec_form(corrected)}: drop the interpreter the base's ENTRYPOINT runs",
                          (edit,), True)
    return finding


# ------------------------------------------------------------------ DSL506

def _program_may_be_added(model, program, paths) -> bool:
    """Could a runtime stage add one of `paths`? (True also when it cannot be told.)"""
    name = posixpath.basename(program.name)
    folders = {posixpath.dirname(p) for p in paths}
    for _stage, ins, sources, dest, raw_dest in _runtime_copies(model):
        if dest is None:
            return True
        dest_is_dir = raw_dest.endswith("/") or len(sources) > 1
        for src in sources:
            base = posixpath.basename(src.rstrip("/"))
            src_folder = src.endswith("/") or src in (".", "./") or any(c in src for c in "*?[") or \
                not base or ("." not in base and base != name) or _is_archive(ins, src)
            if dest in paths:
                return True
            if dest in folders and (base == name or src_folder):
                return True
            if (dest_is_dir or src_folder) and any(_under_dir(f, dest) or f == dest for f in folders) and \
                    (src_folder or base == name):
                return True
            if dest == "/" and src_folder:
                return True
    for stage in model.runtime_stages:
        for ins, run in stage.runs():
            if run.opaque:
                return True
            for words in run.commands:
                cmd = posixpath.basename(words[0])
                if any(name in w for w in words[1:]) and cmd not in ("apk", "apt-get", "apt", "dnf", "yum",
                                                                      "microdnf", "zypper"):
                    return True
                if cmd not in _INERT_COMMANDS:
                    return True
            for pkg in run.installed():
                pkg = _package_base(pkg)
                if pkg == name or not _NO_PROGRAM_PACKAGE.match(pkg):
                    return True
    return False


def _is_archive(ins, src: str) -> bool:
    return ins.keyword == "ADD" and bool(re.search(r"\.(tar|tgz|tbz2?|txz|zip)(\.\w+)?$", src))


def _shell_present(model) -> Optional[bool]:
    shell = model.effective_shell.args[0]
    return analysis(model).final(model.target).has_program(shell)


@rule("DSL506", "program-not-in-image", "error",
      "ENTRYPOINT/CMD or HEALTHCHECK runs a program the shipped image does not contain.",
      tags=("correctness", "runtime-compat"))
def program_not_in_image(model, context):
    facts = model.base_facts
    base = model.runtime_base
    if base is None or base.unresolved:
        return
    if base.is_scratch:
        known: Optional[frozenset] = frozenset()
    else:
        known = getattr(facts, "programs", None) if facts is not None else None
    if known is None:
        return
    entrypoint, _cmd, _known = model.effective_entrypoint_cmd
    for program in effective_programs(model):
        if program.instruction is None:
            continue  # the base's own command: its program ships with it
        if program.role == "cmd" and entrypoint is not None:
            continue  # an argument of the ENTRYPOINT
        if not program.exec_form and _shell_present(model) is not True:
            continue  # no shell: DSL305's concern
        paths = _judged_paths(program)
        if not paths or any(p in known for p in paths):
            continue
        if _program_may_be_added(model, program, paths):
            continue
        yield _finding("DSL506", program.instruction, _missing_message(model, program))


def _judged_paths(program) -> Tuple[str, ...]:
    name = program.name
    if name.endswith(".wasm"):
        return ()  # a WebAssembly module: its runtime (wasmedge, wasmtime shims) resolves it from /
    if name.startswith("/"):
        path = posixpath.normpath(name)
        return (path,) if posixpath.dirname(path) in BIN_DIRS else ()
    if "/" in name or not program.path_known or "$" in name:
        return ()
    return program.paths


def _missing_message(model, program) -> str:
    name = posixpath.basename(program.name)
    base = _base_name(model)
    keyword = "HEALTHCHECK" if program.role == "healthcheck" else program.instruction.keyword
    facts = model.base_facts
    if name in ("sh", "bash", "ash", "dash", "zsh"):
        has_sh = facts is not None and facts.programs is not None and any(
            posixpath.basename(p) == "sh" for p in facts.programs)
        if has_sh and name != "sh":
            fix = f"use `sh`, or `RUN apk add --no-cache {name}`" if getattr(facts, "distro", None) == "alpine" \
                else f"use `sh` or install {name}"
        else:
            fix = "run the program directly in exec form"
    elif program.role == "healthcheck":
        fix = "copy a static health-check binary in, or drop it"
    else:
        fix = f"`COPY` it into the image or install it"
    return _fit(f"{keyword} runs `{name}`, which {base} does not contain: {fix}",
                f"{keyword} runs `{name}`, which the shipped image does not contain: {fix}")


# ------------------------------------------------------------------ DSL507

@rule("DSL507", "runtime-older-than-build", "warning",
      "The shipped language runtime is likely older than the one that built the artifact.",
      tags=("correctness", "runtime-compat"), precision="medium")
def runtime_older_than_build(model, context):
    facts = model.base_facts
    if facts is None or facts.runtime not in ("java", "dotnet", "node") or not facts.runtime_version:
        return
    runtime, have = facts.runtime, facts.runtime_version
    base = _base_name(model)

    def test(art, output):
        return _older(runtime, have, output) is not None

    for art, output in _once(artifacts_of(model), ("jar", "dotnet-publish", "node-modules"), test):
        text = _older(runtime, have, output)
        src = f"`{_copied(art)}`"
        yield _finding("DSL507", art.instruction, _fit(
            text.format(src=src, base=base), text.format(src=src, base="the runtime"),
            text.format(src=f"`{posixpath.basename(art.source) or art.source}`", base="the runtime")))


def _older(runtime, have, output: BuildOutput) -> Optional[str]:
    if runtime == "java" and output.kind == "jar":
        built = output.sdk_version
        if version_lt(have, built) is not True:
            return None
        if output.target_level and version_lt(have, output.target_level) is False:
            return None
        return (f"{{src}} was likely compiled by JDK {built}, {{base}} runs Java {have}: "
                f"build with `--release {have}` or run Java {built}")
    if runtime == "dotnet" and output.kind == "dotnet-publish":
        built = output.sdk_version
        if output.self_contained or version_lt(have, built) is not True:
            return None
        if output.target_level and version_lt(have, output.target_level) is False:
            return None
        return (f"{{src}} was likely published by .NET SDK {built}, {{base}} runs .NET {have}: "
                f"publish with `-f net{have}` or run .NET {built}")
    if runtime == "node" and output.kind == "node-modules" and output.native_addons is True:
        built = output.interpreter_version
        if not built or _major_of(built) == _major_of(have):
            return None
        return (f"{{src}} likely has native addons built by Node {built}, {{base}} runs {have}: "
                f"build on Node {have} (N-API ones are fine)")
    return None


def _major_of(text: str) -> str:
    return re.match(r"^\d+", text).group(0) if re.match(r"^\d+", text) else text


# ------------------------------------------------------------------ DSL508

def _cross_stage(model, output: BuildOutput, art: Artifact) -> Optional[str]:
    """The build stage's --platform when it differs from the target platform, else None."""
    raw = _platform_flag(output.stage.chain)
    if not raw:
        return None
    runtime_raw = _platform_flag(art.stage.chain)
    if runtime_raw and _same_platform_text(runtime_raw, raw):
        return None  # the shipping stage runs on that platform too
    if "BUILDPLATFORM" in raw:
        return raw
    if "$" in raw:
        return None
    if runtime_raw and "$" not in runtime_raw and not _same_platform_text(runtime_raw, raw):
        return raw
    return None


def _platform_flag(chain) -> Optional[str]:
    """The --platform written on the nearest FROM of a stage chain (child first)."""
    for stage in reversed(chain):
        raw = stage.from_instruction.flag("platform")
        if raw:
            return raw
    return None


def _same_platform_text(a: str, b: str) -> bool:
    return re.sub(r"[{}\s]", "", a) == re.sub(r"[{}\s]", "", b)


@rule("DSL508", "cross-build-wrong-arch", "error",
      "A stage on the build platform compiles a native program without targeting the target platform.",
      tags=("correctness", "runtime-compat"))
def cross_build_wrong_arch(model, context):
    seen = set()
    for art in artifacts_of(model):
        for output in art.outputs:
            if output.opaque or output.targets_target is not False or id(output.instruction) in seen:
                continue
            if not (output.kind in ("go-binary", "rust-binary", "c-binary") or
                    (output.kind == "dotnet-publish" and output.self_contained)):
                continue
            platform = _cross_stage(model, output, art)
            if platform is None:
                continue
            seen.add(id(output.instruction))
            yield _finding("DSL508", output.instruction, _cross_message(output, platform))


def _cross_message(output: BuildOutput, platform: str) -> str:
    if output.kind == "go-binary":
        tool, fix = "go build", "set `GOOS=$TARGETOS GOARCH=$TARGETARCH` from `ARG`s"
    elif output.kind == "rust-binary":
        tool, fix = "cargo build", "pass `--target` from `ARG TARGETARCH`, or use xx-cargo"
    elif output.kind == "dotnet-publish":
        tool, fix = "dotnet publish", "add `ARG TARGETARCH` and `-a $TARGETARCH`"
    else:
        tool, fix = posixpath.basename(output.command[0]), "use xx-clang, or `CC`/`--target` from `ARG TARGETPLATFORM`"
    if output.cross_evidence.startswith("out of scope: "):
        names = output.cross_evidence[len("out of scope: "):].split()
        return _fit(*(f"{tool} targets the build machine: ${names[0]} is unset or fixed here; declare "
                      f"`ARG {' '.join(shown)}` with no default" for shown in (names, names[:1])))
    return _fit(f"{tool} on --platform={platform} targets the build machine, not the target: {fix}",
                f"{tool} on a build-platform stage targets the build machine: {fix}")


RULES = [cgo_binary_on_libc_free_base, libc_mismatch, glibc_too_new, python_env_mismatch, cmd_repeats_entrypoint,
         program_not_in_image, runtime_older_than_build, cross_build_wrong_arch]
