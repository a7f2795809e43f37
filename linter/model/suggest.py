"""Suggestions: the concrete minimal runtime image for the detected runtime, with sizes.

The image lists and sizes are data: the catalog's `replacements:` and image families.
One proposal per model (cached): DSL101, DSL102 and DSL2xx all carry the same one.
"""
from __future__ import annotations

from dockerslim_lint.records import record

from dockerslim_lint.dockerfile.commands import _package_base, is_build_tool_package
from dockerslim_lint.engine.findings import ACTIONS, Finding, Suggestion, fmt_mb
from dockerslim_lint.images.catalog import ImageRef
from dockerslim_lint.model.artifacts import version_lt
from dockerslim_lint.model.needs import NO_MINIMAL_IMAGE, Needs, needs_of, program_language, program_run, provides_of, unmet
from dockerslim_lint.model.runtime import Runtime, detect

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import List, Optional, Tuple



@record(frozen=True)
class BuildEvidence:
    """Why a stage "builds software" (docs/rules/DSL101.md), in words, with its RUN."""

    instruction: object
    does: str  # "runs `go build`", "installs build tools gcc, make"
    purged: bool  # the same RUN removes the build tools it installs


def build_evidence(model, stage) -> Optional[BuildEvidence]:
    """The first build command of `stage`, else its first install of build tools, or None
    when the stage does not build software. `purged` says the same RUN removes the tools.
    Kept per stage on the model: DSL101/DSL102, the suggestion and the rewrite all ask."""
    found = model.__dict__.setdefault("_build_evidence", {})
    key = id(stage)
    if key not in found:
        found[key] = _build_evidence(stage)
    return found[key]


def _build_evidence(stage) -> Optional[BuildEvidence]:
    tools_found = None
    for ins, run in stage.runs():
        tools = sorted({_package_base(p) for op in run.package_ops if op.action == "install"
                        for p in op.packages if is_build_tool_package(p)})
        purged = bool(tools) and not set(tools) & set(run.net_installed())
        if run.build_commands:
            return BuildEvidence(ins, f"runs `{run.build_commands[0]}`", purged)
        if tools_found is None and tools:
            shown = tools[:2] if sum(len(t) for t in tools[:3]) > 30 else tools[:3]
            tools_found = BuildEvidence(ins, "installs " + ", ".join(shown) +
                                        (" and more" if len(tools) > len(shown) else ""), purged)
    return tools_found


def action_of(model) -> str:
    """What the user does with the suggested image: a file-level fact (one suggestion per file)."""
    if model.single_stage:
        if build_evidence(model, model.stages[0]) is not None:
            return ACTIONS[0]
    elif any(build_evidence(model, stage) is not None for stage in model.runtime_stages):
        return ACTIONS[1]
    return ACTIONS[2]


@record(frozen=True)
class Advice:
    """The model's advice for one file: the Suggestion every finding carries, and what the
    rules need to know about it (DSL203 fires only on an exact, smaller, different image)."""

    suggestion: Suggestion
    runtime: Runtime
    exact: bool  # the image runs the detected runtime at the same version
    current_desc: str
    needs: Optional[Needs] = None  # None when the first needs decide: no program, an unknown language, ...


def estimate_current(model, catalog) -> Tuple[Optional[float], str]:
    """About how big the shipped image is: the runtime base plus what runtime stages install
    that the catalog can size. Returns (MB or None, words)."""
    facts = model.base_facts
    base = model.runtime_base
    if base is not None and base.is_scratch:
        size, words = 0.0, "scratch"
    elif facts is None or facts.size_mb is None:
        return None, (base.raw if base is not None else "an unknown image")
    else:
        size = facts.size_mb
        words = base.raw
    added = []
    for stage in model.runtime_stages:
        for ins, run in stage.runs():
            if not run.package_ops:
                continue
            recommends = True
            for op in run.package_ops:
                if op.action == "install" and op.manager == "apt" and (
                        "--no-install-recommends" in op.words or any(
                            "Install-Recommends=false" in w for w in op.words)):
                    recommends = False
            kept = set(run.net_installed())
            for op in run.package_ops:
                if op.action != "install" or op.manager not in ("apt", "apk"):
                    continue
                for pkg in op.packages:
                    if _package_base(pkg) not in kept:
                        continue
                    mb = catalog.package_size_mb(op.manager, pkg, recommends=recommends) \
                        if catalog is not None else None
                    if mb:
                        size += mb
                        added.append(pkg)
    contents = facts.contents if facts is not None else ""
    detail = ", ".join(filter(None, [contents] + [f"plus {p}" for p in added]))
    desc = f"{words} ({fmt_mb(size)}" + (f": {detail})" if detail else ")")
    return size, desc


def suggested_finding(rule_id: str, instruction, message: str, model, context) -> Finding:
    """A finding at `instruction` that carries the file's one suggestion (DSL101/102/2xx)."""
    return Finding(rule_id, instruction.start_line, message, column=instruction.column,
                   suggestion=suggestion_of(model, context))


def suggestion_of(model, context) -> Suggestion:
    return advice(model, context).suggestion


def advice(model, context) -> Advice:
    """The file's advice, computed once per model."""
    cached = model.__dict__.get("_advice")
    if cached is None:
        cached = model.__dict__["_advice"] = _advise(model, context)
    return cached


def _image_size(catalog, image: str) -> Optional[float]:
    facts = catalog.facts(ImageRef.parse(image)) if catalog is not None else None
    return facts.size_mb if facts is not None else None


_LABELS = {"python": "Python", "node": "Node.js", "java": "Java", "dotnet": ".NET",
           "go": "Go", "rust": "Rust", "c": "C/C++"}


def choose(runtime: Runtime, family: str, catalog=None) -> Tuple[Optional[str], str, bool]:
    """(image or None, one clause of reason, exact) for a runtime, per the table in docs/suggestions.md; the
    image lists live in the catalog (`replacements:`). `exact` is True when the image is known
    to run the detected runtime at the same version. No image when the runtime, its version
    or a need is unknown: a guess is never a suggestion."""
    if catalog is None:
        from dockerslim_lint.images.catalog import default_catalog
        catalog = default_catalog()
    lang = runtime.language
    label = _LABELS.get(lang, lang)
    if lang is None:
        return None, "the program the image runs could not be identified", False
    if lang in ("go", "rust", "c"):
        if runtime.static:
            linkage = "static"
            why = f"static binary: {runtime.evidence}" if runtime.evidence else "static binary"
        elif runtime.libc == "musl":
            return None, ("the binary links musl, which no image of the family ships; a static build "
                          "(CGO_ENABLED=0 or a musl crt-static target) would run on a static image"), False
        elif lang == "rust" or runtime.needs_libgcc:
            linkage, why = "libgcc", "the binary needs glibc and libgcc"
        else:
            linkage, why = "glibc", "the binary needs glibc"
        found = catalog.replacement(family, runtime=lang, linkage=linkage)
        if found is None:
            return None, f"no image of the {family} family provides {linkage}", False
        if lang == "go" and linkage == "glibc":
            static = catalog.replacement(family, runtime="go", linkage="static")
            why = ("Go with cgo, on by default, needs glibc; CGO_ENABLED=0 would allow "
                   f"{static.image if static else 'a static image'}")
        return found.image, why, True
    if lang == "dotnet":
        flavor = "runtime-deps" if runtime.dotnet_mode in ("self-contained", "aot") else \
            ("aspnet" if runtime.web else "runtime")
        mode = {"runtime-deps": f"{runtime.dotnet_mode}", "aspnet": "ASP.NET Core",
                "runtime": "framework-dependent"}[flavor]
        if runtime.version is None:
            return None, "the .NET version could not be detected", False
        found = catalog.replacement(family, runtime="dotnet", version=runtime.version, flavor=flavor)
        if found is None:
            return None, f"no chiseled image in the catalog runs .NET {runtime.version}", False
        return found.image, f"{mode} .NET {runtime.version} app", True
    if runtime.version is None:
        return None, f"the {label} version could not be detected", False
    found = catalog.replacement(family, runtime=lang, version=runtime.version)
    if found is None:
        return None, f"no image of the {family} family runs {label} {runtime.version}", False
    if found.fallback:
        return found.image, f"same {label} {runtime.version}; distroless python3 needs 3.13", True
    if found.exact:
        return found.image, f"{label} {runtime.version}", True
    if found.exact is False and lang == "node":
        # docs/suggestions.md: a different Node major is never suggested; the same major's -slim image is.
        slim = f"node:{runtime.version}-slim"
        facts = catalog.facts(ImageRef.parse(slim))
        if facts is not None and facts.runtime == "node":
            return slim, f"same Node.js {runtime.version}; distroless ships only Node.js 22, 24 and 26", True
        return None, f"no image of the {family} family runs Node.js {runtime.version}", False
    if found.exact is False and lang == "java":
        caveat = ""
        if version_lt(runtime.version, "11"):
            caveat = " (Java EE modules such as JAXB were removed in 11, reflective access closed in 16)"
        elif version_lt(runtime.version, "16"):
            caveat = " (reflective access to JDK internals closed in 16)"
        return found.image, (f"Java {runtime.version} has no {family} image; Java {found.version} is the "
                             f"nearest newer{caveat}, test the app on it"), False
    return None, f"no image of the {family} family is known to run {label} {runtime.version}", False


def _fix_safe(model, image: str, runtime: Runtime, needs: Needs, catalog) -> bool:
    """Swapping the base alone gives a working image (docs/suggestions.md): the image
    provides every need (checked by the choice), the runtime stages run no RUN, the effective
    user and the WORKDIR that relative paths rely on stay the same, and the effective
    ENTRYPOINT/CMD stay right for the replacement's own ENTRYPOINT."""
    for stage in model.runtime_stages:
        if any(ins.keyword == "RUN" for ins in stage.instructions):
            return False
    entrypoint, cmd, known = model.effective_entrypoint_cmd
    if not known:
        return False
    if entrypoint is not None and not entrypoint.exec_form:
        return False
    if entrypoint is None and cmd is not None and not cmd.exec_form:
        return False
    facts, base = catalog.facts(ImageRef.parse(image)), model.base_facts
    if facts is None or base is None:
        return False
    _, user_ins = model.effective_user
    if user_ins is None and (facts.default_user is None or facts.default_user != base.default_user):
        return False  # e.g. :nonroot runs as 65532 where the base ran as root
    if model.effective("WORKDIR") is None:  # no runtime stage sets a WORKDIR
        words = [w for part in (entrypoint, cmd) if part is not None for w in part.args]
        relative = any(not w.startswith(("/", "-")) and ("/" in w or "." in w) for w in words)
        if relative and (facts.workdir is None or facts.workdir != base.workdir):
            return False  # relative paths resolve against another WORKDIR
    interpreter = bool(facts.entrypoint)
    if not interpreter:
        # no ENTRYPOINT of its own: ours must be set, in exec form.
        return (entrypoint is not None and entrypoint.instruction is not None) or (
            entrypoint is None and cmd is not None and cmd.instruction is not None)
    names = {"python": ("python", "python3"), "node": (), "java": ("java",)}.get(runtime.language, ())
    if entrypoint is not None and entrypoint.instruction is not None:
        return bool(entrypoint.args) and entrypoint.args[0] in names
    if runtime.language == "node" and cmd is not None and cmd.args:
        return cmd.args[0].endswith((".js", ".mjs", ".cjs"))
    return False


def _not_the_base(model, catalog, image, reason, needs):
    """docs/suggestions.md: never the image already in use, nor one larger than it."""
    if image is None or model.runtime_base is None:
        return image, reason
    base = model.runtime_base
    candidate = ImageRef.parse(image)
    label = needs.label
    if candidate.name == base.name and candidate.lookup_tag == base.lookup_tag:
        return None, f"{base.raw} is already the smallest image known to run {label}"
    size = _image_size(catalog, image)
    facts = model.base_facts
    if size is not None and facts is not None and facts.size_mb is not None and size >= facts.size_mb:
        return None, f"no image smaller than {base.raw} is known to run {label}"
    return image, reason


def moved_runs(model, action: str):
    """The RUNs a suggestion moves to a build stage: DSL101/DSL102's builds (build commands,
    build-tool installs, language dependency installs whose result is copied). Others stay."""
    if action == ACTIONS[2]:
        return ()
    if action == ACTIONS[0]:
        # A single stage becomes the build stage: all its RUNs stay there; the final stage only
        # copies the result (what a RUN wrote outside the copied paths is the rewrite's refusal).
        return tuple(ins for ins, _ in model.stages[0].runs())
    stages = model.runtime_stages
    out = []
    for stage in stages:
        for ins, run in stage.runs():
            tools = any(is_build_tool_package(p) for op in run.package_ops if op.action == "install"
                        for p in op.packages)
            deps = bool(set(run.managers_run) & _DEPENDENCY_MANAGERS) or any(
                w and w[0] in ("go", "cargo", "rustup", "bundle", "composer", "mix", "dotnet", "mvn", "gradle",
                              "./mvnw", "./gradlew") for w in run.commands)
            if run.build_commands or tools or deps:
                out.append(ins)
    return tuple(out)


_DEPENDENCY_MANAGERS = {"pip", "npm", "yarn", "pnpm", "gem", "poetry", "uv"}


def _with_extra(catalog, image: str, model) -> str:
    """.NET chiseled: the `-extra` variant (ICU, tzdata) unless the file sets invariant globalization."""
    if not image.endswith("-chiseled"):
        return image
    invariant = (model.target.variables.get("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT") or "").lower()
    if invariant in ("true", "1"):
        return image
    extra = image + "-extra"
    return extra if catalog.facts(ImageRef.parse(extra)) is not None else image


def _candidates(needs: Needs, runtime: Runtime, family: str, catalog, model) -> List[Tuple[str, str, bool]]:
    """(image, reason, exact) to try, smallest first: the table's image, then, for interpreters,
    the same-version -slim image that keeps a shell and the package manager."""
    rt = Runtime(needs.language, needs.interpreter_version or runtime.version,
                 static=True if needs.libc == "static" else runtime.static if needs.libc is None else False,
                 libc=needs.libc if needs.libc in ("glibc", "musl") else runtime.libc,
                 dotnet_mode=runtime.dotnet_mode, web=needs.web,
                 needs_libgcc=bool(needs.libgcc), evidence=runtime.evidence)
    image, reason, exact = choose(rt, family, catalog)
    out = []
    if image is not None:
        out.append((_with_extra(catalog, image, model), reason, exact))
    version = rt.version
    if needs.language in ("python", "node") and version:
        slim = f"{needs.language}:{version}-slim"
        if catalog.facts(ImageRef.parse(slim)) is not None and all(c[0] != slim for c in out):
            out.append((slim, f"same {needs.label}, with a shell and apt", True))
    return out if out else [(None, reason, False)]


def _decided_early(model) -> Optional[str]:
    """Why no image is suggested, when the first needs decide it (_choose_for's first checks,
    in its order): the image runs no program of its own or its command is unknown, its
    language is unknown or has no minimal image. None: the full needs are read."""
    runs_program, runs_what = program_run(model)
    if runs_program is not True:
        return _no_program(runs_program, runs_what)
    language, label = program_language(model)
    if language in NO_MINIMAL_IMAGE:
        return _no_minimal_image(label)
    if language is None:
        return _not_detected("runtime")  # Needs.unknown is ("runtime",) then
    return None


def _no_program(runs_program: Optional[bool], runs_what: str) -> str:
    if runs_program is False:
        return f"the image runs no program of its own ({runs_what})"
    return "the image's command is unknown"


def _no_minimal_image(label: str) -> str:
    return f"no minimal image in the catalog provides {label}"


def _not_detected(need: str) -> str:
    return f"the {need} could not be detected"


def _choose_for(model, needs: Needs, runtime: Runtime, context) -> Tuple[Optional[str], str, bool]:
    catalog = context.catalog
    if needs.runs_program is not True:
        return None, _no_program(needs.runs_program, needs.runs_what), False
    if needs.language in NO_MINIMAL_IMAGE:
        return None, _no_minimal_image(needs.label), False
    if needs.unknown:
        return None, _not_detected(needs.unknown[0]), False
    if needs.language == "node" and (needs.interpreter_version or "").split(".")[0] == "0":
        return None, f"{needs.label} predates every maintained Node.js image", False
    first_unmet = None
    for image, reason, exact in _candidates(needs, runtime, context.suggestion_family, catalog, model):
        if image is None:
            return None, reason, False
        provides = provides_of(catalog.facts(ImageRef.parse(image)), image, model)
        if provides is None:
            first_unmet = first_unmet or f"{image} is not in the catalog"
            continue
        missing = unmet(needs, provides, strict=True)
        if not missing:
            return image, reason, exact
        first_unmet = first_unmet or missing[0].clause
    return None, f"{first_unmet}, and no smaller image is known to provide it", False


def _advise(model, context) -> Advice:
    catalog = context.catalog
    runtime = detect(model)
    action = action_of(model)
    early = _decided_early(model)
    if early is not None:  # (the other needs would not change the answer: not worked out)
        needs = None
        image, reason, exact = None, early, False
    else:
        needs = needs_of(model, moved_runs(model, action))
        image, reason, exact = _choose_for(model, needs, runtime, context)
    current, desc = estimate_current(model, catalog)
    base_ins = model.base_from
    replaces = model.runtime_stages[0].base_text if model.runtime_base is not None else None
    column = None
    if replaces:
        line_text = model.parsed.lines[base_ins.start_line - 1] if model.parsed.lines else ""
        pos = line_text.find(replaces)
        column = pos + 1 if pos >= 0 else None
    image, reason = _not_the_base(model, catalog, image, reason, needs)
    safe = image is not None and column is not None and action == ACTIONS[2] and exact \
        and _fix_safe(model, image, runtime, needs, catalog) \
        and model.runtime_stages[0].from_instruction.value.find("$") < 0
    suggestion = Suggestion(image, reason, action, _image_size(catalog, image) if image else None,
                            current, safe, replaces, base_ins.start_line, column)
    return Advice(suggestion, runtime, exact and image is not None, desc, needs)
