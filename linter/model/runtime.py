"""Runtime detection: what the shipped image runs, at which version, linked how.

Read from the model once (cached on it): build commands in the needed stages
(`go build` with or without CGO_ENABLED=0, cargo and musl targets, mvn/gradle,
npm/yarn/pnpm, pip/poetry/uv, `dotnet publish` self-contained/AOT, gcc/make), the
builder's and the runtime base's image facts (`golang:1.22`, `python:3.12-slim`,
`maven:3.9-eclipse-temurin-17`), what COPY --from brings into the runtime stages,
and the effective ENTRYPOINT/CMD. Unknown stays unknown (None fields).
"""
from __future__ import annotations

from dockerslim_lint import lazyre
from dockerslim_lint.records import record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import List, Optional

_PYTHON_TOOLS = {"pip", "poetry", "uv", "pipenv", "pdm"}
_NODE_TOOLS = {"npm", "yarn", "pnpm"}


@record(frozen=True)
class Runtime:
    """The language runtime a stage's program needs, as far as the Dockerfile shows it."""

    language: Optional[str] = None  # go, rust, c, python, node, java, dotnet
    version: Optional[str] = None  # "3.12", "20", "21", "8.0"
    static: Optional[bool] = None  # go/rust/c: fully static binary (no libc needed)
    libc: Optional[str] = None  # "musl" when the artifact needs musl, "glibc", None unknown
    dotnet_mode: Optional[str] = None  # "framework" | "self-contained" | "aot"
    web: bool = False  # .NET: ASP.NET Core app
    needs_libgcc: bool = False
    evidence: str = ""  # in words, for messages

    @property
    def known(self) -> bool:
        return self.language is not None


def detect(model) -> Runtime:
    cached = getattr(model, "_runtime", None)
    if cached is None:
        cached = _detect(model)
        model._runtime = cached
    return cached


def _stage_var(stage, name) -> Optional[str]:
    return stage.variables.get(name)


def _detect(model) -> Runtime:
    found: List[Runtime] = []
    for stage in model.needed_stages:  # the stages whose output reaches the image
        facts = model.facts_of(stage)
        base_libc = facts.libc if facts else None
        for ins, run in stage.runs():
            script_text = " ".join(" ".join(w) for w in run.commands) if run.build_commands else ""
            for build in run.build_commands:
                rt = _from_build(model, stage, ins, build, script_text, facts, base_libc)
                if rt is not None:
                    found.append(rt)
            tools = set(run.managers_run)
            if tools & _PYTHON_TOOLS or any(w[0] in ("poetry", "uv", "pipenv", "pdm") for w in run.commands):
                found.append(Runtime("python", _lang_version(facts, "python"), libc=base_libc,
                                     evidence="Python packages installed with pip/poetry/uv"))
            elif tools & _NODE_TOOLS and not run.build_commands:
                found.append(Runtime("node", _lang_version(facts, "node"), libc=base_libc,
                                     evidence="Node.js dependencies installed"))
    entry = _from_entrypoint(model)
    # Prefer, in order: an explicit build of a compiled language, the interpreter the image
    # runs, then interpreter ecosystems seen in the builds.
    compiled = [r for r in found if r.language in ("go", "rust", "c", "dotnet")]
    if compiled:
        best = compiled[-1]
        return best
    if entry is not None:
        if entry.version is None:
            for r in found:
                if r.language == entry.language and r.version:
                    return Runtime(entry.language, r.version, libc=r.libc or entry.libc, evidence=entry.evidence)
        return entry
    java = [r for r in found if r.language == "java"]
    if java:
        return java[-1]
    if found:
        return found[-1]
    # Nothing built: the runtime base itself may say (python:3.13-slim, eclipse-temurin:21-jre).
    facts = model.base_facts
    if facts is not None and facts.runtime:
        return Runtime(facts.runtime, facts.runtime_version, libc=facts.libc,
                       evidence=f"the base image is a {facts.runtime} image")
    return Runtime()


def _lang_version(facts, language) -> Optional[str]:
    if facts is not None and facts.runtime == language:
        return facts.runtime_version
    return None


# Static for sure: cgo off, or both pure-Go resolvers (netgo, osusergo) with no cgo package left.
# `-extldflags -static` is static only under external linking, which is not known here.
_STATIC_FLAGS = lazyre.compile(r"(?=.*\bnetgo\b)(?=.*\bosusergo\b)")


def _static_flags(text: str) -> bool:
    """Both build tags on one line (_STATIC_FLAGS), tried only when both words occur: its
    lookaheads rescan the rest of the line from every position of a long RUN."""
    return "netgo" in text and "osusergo" in text and _STATIC_FLAGS.search(text) is not None


def _from_build(model, stage, ins, build, script_text, facts, base_libc) -> Optional[Runtime]:
    cmd = build.split()[0]
    if cmd == "go":
        cgo_off = ("CGO_ENABLED=0" in ins.value or _stage_var(stage, "CGO_ENABLED") == "0"
                   or "CGO_ENABLED=0" in script_text)
        static = cgo_off or _static_flags(ins.value)
        return Runtime("go", _lang_version(facts, "go"), static=static,
                       libc=None if static else (base_libc or "glibc"),
                       evidence="Go built with CGO_ENABLED=0" if cgo_off else
                       ("Go built with static link flags" if static else "Go built with cgo enabled (the default)"))
    if cmd == "cargo":
        text = ins.value + " " + (stage.variables.get("RUSTFLAGS") or "")
        musl = "musl" in text
        static = musl or "crt-static" in text
        return Runtime("rust", None, static=static, libc="musl" if musl else (base_libc or "glibc"),
                       needs_libgcc=not static,
                       evidence="Rust built for a musl target" if musl else "Rust built with cargo")
    if cmd in ("mvn", "gradle"):
        return Runtime("java", _lang_version(facts, "java"), evidence=f"Java built with {cmd}")
    if cmd in ("npm", "yarn", "pnpm"):
        return Runtime("node", _lang_version(facts, "node"), libc=base_libc, evidence=f"Node.js built with {cmd}")
    if cmd == "dotnet":
        value = ins.value.lower()
        if "publishaot=true" in value:
            mode = "aot"
        elif "--self-contained" in value and "--self-contained false" not in value \
                and "--self-contained=false" not in value or "selfcontained=true" in value:
            mode = "self-contained"
        else:
            mode = "framework"
        web = "aspnet" in (stage.base_text or "") or "web" in value
        return Runtime("dotnet", _lang_version(facts, "dotnet"), dotnet_mode=mode, web=web,
                       evidence=f".NET published ({mode})")
    if cmd in ("make", "ninja") and facts is not None and facts.runtime in ("go", "rust"):
        # `make` on a Go or Rust toolchain image drives that toolchain's build.
        static = "CGO_ENABLED=0" in ins.value or \
            _stage_var(stage, "CGO_ENABLED") == "0"
        return Runtime(facts.runtime, _lang_version(facts, facts.runtime), static=static,
                       libc=None if static else (base_libc or "glibc"),
                       evidence=f"{facts.runtime} built with {cmd}" + (" (static)" if static else ""))
    if cmd in ("gcc", "cc", "g++", "c++", "clang", "clang++", "make", "cmake", "ninja", "./configure", "musl-gcc"):
        static = "-static" in ins.value and "-static" in ins.value.split()  # (a word of its own)
        return Runtime("c", None, static=static, libc=None if static else (base_libc or "glibc"),
                       needs_libgcc="++" in cmd or "g++" in ins.value,
                       evidence="C/C++ built with " + cmd)
    if cmd in ("javac",):
        return Runtime("java", _lang_version(facts, "java"), evidence="Java compiled with javac")
    return None


_PYTHON_PROGRAM = lazyre.compile(r"^python(\d\.\d+)?$|^python3(\.\d+)?$")


def _from_entrypoint(model) -> Optional[Runtime]:
    entrypoint, cmd, _ = model.effective_entrypoint_cmd
    words: List[str] = []
    for part in (entrypoint, cmd):
        if part is not None:
            words.extend(part.args if part.exec_form else " ".join(part.args).split())
    if not words:
        return None
    prog = words[0].rsplit("/", 1)[-1]
    facts = model.base_facts
    if prog.startswith("java"):
        return Runtime("java", _lang_version(facts, "java"), evidence="the image runs java")
    if prog in ("node", "nodejs") or prog.startswith("node"):
        return Runtime("node", _lang_version(facts, "node"), libc=facts.libc if facts else None,
                       evidence="the image runs node")
    if _PYTHON_PROGRAM.match(prog) or prog in ("gunicorn", "uvicorn", "flask", "celery"):
        return Runtime("python", _lang_version(facts, "python"), libc=facts.libc if facts else None,
                       evidence="the image runs python")
    if prog == "dotnet":
        return Runtime("dotnet", _lang_version(facts, "dotnet"), dotnet_mode="framework",
                       web=bool(facts and "aspnet" in facts.family),
                       evidence="the image runs dotnet")
    return None
