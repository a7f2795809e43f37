"""Suggestions: the concrete minimal runtime image for the detected runtime, with sizes.

The image lists and sizes are data: the catalog's `replacements:` and image families.
One proposal per model (cached): DSL101, DSL102 and DSL2xx all carry the same one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from dockerslim_lint.dockerfile.commands import _package_base
from dockerslim_lint.engine.findings import Finding, Suggestion
from dockerslim_lint.images.catalog import ImageRef
from dockerslim_lint.model.runtime import Runtime, detect

def fmt_mb(mb: Optional[float]) -> str:
    if mb is None:
        return "unknown size"
    if mb >= 1000:
        return f"about {mb / 1000:.1f} GB"
    if mb >= 10:
        return f"about {round(mb):.0f} MB"
    return f"about {mb:.1f} MB".replace(".0 MB", " MB")


@dataclass(frozen=True)
class Proposal:
    image: str
    reason: str  # why this image, and caveats ("said as a guess", "nearest of ...")
    image_size_mb: Optional[float]
    current_size_mb: Optional[float]
    current_desc: str  # "golang:1.22 (about 850 MB: Go toolchain, gcc, git, apt, bash)"
    fix_safe: bool
    replaces: Optional[str]
    replace_line: Optional[int]
    replace_column: Optional[int]
    runtime: Runtime

    @property
    def saving_mb(self) -> Optional[float]:
        if self.image_size_mb is None or self.current_size_mb is None:
            return None
        return max(self.current_size_mb - self.image_size_mb, 0.0)

    @property
    def summary(self) -> str:
        text = f"the final image is based on {self.current_desc}; {self.reason}ship {self.image}"
        if self.image_size_mb is not None:
            text += f" ({fmt_mb(self.image_size_mb)})"
        if self.saving_mb:
            text += f", saving {fmt_mb(self.saving_mb)}"
        return text

    def as_suggestion(self) -> Suggestion:
        return Suggestion(self.image, self.summary, self.image_size_mb, self.current_size_mb,
                          self.saving_mb, self.fix_safe, self.replaces, self.replace_line,
                          self.replace_column)


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
    """A finding at `instruction` that carries the model's suggestion (DSL101/102/2xx)."""
    proposal = suggest(model, context)
    return Finding(rule_id, instruction.start_line, message, column=instruction.column,
                   suggestion=proposal.as_suggestion() if proposal else None)


def suggest(model, context) -> Optional[Proposal]:
    cached = getattr(model, "_proposal", False)
    if cached is not False:
        return cached
    proposal = _propose(model, context)
    model._proposal = proposal
    return proposal


def _image_size(catalog, image: str) -> Optional[float]:
    facts = catalog.facts(ImageRef.parse(image)) if catalog is not None else None
    return facts.size_mb if facts is not None else None


_LABELS = {"python": "Python", "node": "Node.js", "java": "Java", "dotnet": ".NET",
           "go": "Go", "rust": "Rust", "c": "C/C++"}


def choose(runtime: Runtime, family: str, catalog=None) -> Tuple[str, str, bool]:
    """(image, reason words ending with a space, exact) for a runtime, per RULES.md's
    table; the image lists live in the catalog (`replacements:`). `exact` is True when
    the image is known to run the detected runtime at the same version (never for a
    guess, a nearest other version, or an unknown version)."""
    if catalog is None:
        from dockerslim_lint.images.catalog import default_catalog
        catalog = default_catalog()
    lang = runtime.language
    label = _LABELS.get(lang, lang)
    if lang in ("go", "rust", "c"):
        if runtime.static:
            linkage = "static"
            why = f"the binary is static ({runtime.evidence}), so " if runtime.evidence else \
                "the binary is static, so "
        elif runtime.libc == "musl":
            return "alpine", ("the binary links musl, which distroless and Chainguard's glibc images do not "
                              "ship; build it static (CGO_ENABLED=0 / a musl crt-static target) for a "
                              "smaller image, or "), False
        elif lang == "rust" or runtime.needs_libgcc:
            linkage, why = "libgcc", "the binary needs glibc and libgcc, so "
        else:
            linkage, why = "glibc", "the binary needs glibc, so "
        found = catalog.replacement(family, runtime=lang, linkage=linkage)
        if found is not None:
            if lang == "go" and linkage == "glibc":
                static = catalog.replacement(family, runtime="go", linkage="static")
                why = (f"Go with cgo needs glibc (CGO_ENABLED=0 would allow the smaller "
                       f"{static.image if static else 'static image'}), so ")
            return found.image, why + "build in a separate stage and ", True
    elif lang == "dotnet":
        flavor = "runtime-deps" if runtime.dotnet_mode in ("self-contained", "aot") else \
            ("aspnet" if runtime.web else "runtime")
        mode = {"runtime-deps": f"a {runtime.dotnet_mode}", "aspnet": "an ASP.NET Core",
                "runtime": "a framework-dependent"}[flavor]
        found = catalog.replacement(family, runtime="dotnet", version=runtime.version, flavor=flavor)
        if found is not None:
            return found.image, f"for {mode} .NET {runtime.version} app, ", True
        found = catalog.replacement(family, runtime="dotnet", version="10.0", flavor=flavor)
        if found is not None:
            return found.image, (f"a guess, as the .NET version could not be matched (assuming 10.0; "
                                 f"use your SDK's version), for {mode} app: "), False
    elif lang is not None:
        found = catalog.replacement(family, runtime=lang, version=runtime.version)
        if found is not None:
            if found.fallback:
                return found.image, (f"{found.note.split(';')[0]}, so keep Python {runtime.version} and "
                                     if lang == "python" else f"{found.note}; "), True
            if found.exact:
                return found.image, f"for {label} {runtime.version}, ", True
            if found.exact is False:
                return found.image, (f"{label} {runtime.version} has no {family} image; the nearest is "
                                     f"{label} {found.version} (test your app on it), so "), False
            if runtime.version is None:
                runs = f" (this image runs {label} {found.version})" if found.version else ""
                return found.image, (f"a guess, as the {label} version could not be detected{runs}: "), False
            return found.image, f"check that its {label} version matches {runtime.version}, then ", False
    found = catalog.replacement(family)
    if found is None:  # a family without a default: distroless's
        found = catalog.replacement("distroless")
    return found.image, "a guess, as the runtime could not be detected: ", False


def _fix_safe(model, image: str, runtime: Runtime) -> bool:
    """Swapping the base alone works: no RUN in the runtime stages, and the effective
    ENTRYPOINT/CMD stay right for the replacement's own entrypoint."""
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
    interpreter = runtime.language in ("python", "node", "java") and "distroless" in image
    if not interpreter:
        # static/base/cc/chiseled have no entrypoint: ours must be set and exec form.
        return (entrypoint is not None and entrypoint.instruction is not None) or (
            entrypoint is None and cmd is not None and cmd.instruction is not None)
    names = {"python": ("python", "python3"), "node": (), "java": ("java",)}[runtime.language]
    if entrypoint is not None and entrypoint.instruction is not None:
        return bool(entrypoint.args) and entrypoint.args[0] in names
    if runtime.language == "node" and cmd is not None and cmd.args:
        return cmd.args[0].endswith((".js", ".mjs", ".cjs"))
    return False


def _propose(model, context) -> Optional[Proposal]:
    catalog = context.catalog
    runtime = detect(model)
    image, reason, _ = choose(runtime, context.suggestion_family, catalog)
    current, desc = estimate_current(model, catalog)
    base_ins = model.base_from
    replaces = model.runtime_stages[0].base_text if model.runtime_base is not None else None
    column = None
    if replaces:
        line_text = model.parsed.lines[base_ins.start_line - 1] if model.parsed.lines else ""
        pos = line_text.find(replaces)
        column = pos + 1 if pos >= 0 else None
    safe = column is not None and _fix_safe(model, image, runtime) and \
        model.runtime_stages[0].from_instruction.value.find("$") < 0
    return Proposal(image, reason, _image_size(catalog, image), current, desc, safe,
                    replaces, base_ins.start_line, column, runtime)
