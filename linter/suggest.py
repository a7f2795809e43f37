"""Suggestions: the concrete minimal runtime image for the detected runtime, with sizes.

The image lists are data (`data/suggestions.yaml`); sizes come from the image catalog.
One proposal per model (cached): DSL101, DSL102 and DSL2xx all carry the same one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional, Tuple

from .findings import Suggestion
from .images import ImageRef
from .runtime import Runtime, detect

_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "suggestions.yaml")
_TABLE = None


def table() -> dict:
    global _TABLE
    if _TABLE is None:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with open(_DATA, encoding="utf-8") as f:
            _TABLE = yaml.load(f, Loader=loader)
    return _TABLE


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
            for op in run.package_ops:
                if op.action != "install" or op.manager not in ("apt", "apk"):
                    continue
                for pkg in op.packages:
                    if pkg not in run.net_installed():
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


def nearest(version: Optional[str], versions) -> Optional[str]:
    """The nearest available major version, preferring the newer one on ties."""
    if not versions:
        return None
    try:
        v = float(version)
    except (TypeError, ValueError):
        return None
    return min(versions, key=lambda x: (abs(float(x) - v), -float(x)))


def choose(runtime: Runtime, family: str) -> Tuple[str, str]:
    """(image, reason words ending with a space) for a runtime, per RULES.md's table."""
    data = table()
    fam = data["families"].get(family) or data["families"]["distroless"]
    lang = runtime.language
    if lang == "dotnet":
        dn = data["dotnet"]
        version = runtime.version or dn["default-version"]
        guess = "" if runtime.version else f" (assuming .NET {version}; match your SDK's version)"
        if runtime.dotnet_mode in ("self-contained", "aot"):
            return dn["self-contained"].format(version=version), \
                f"for a {runtime.dotnet_mode} .NET app{guess}, "
        key = "web" if runtime.web else "framework"
        return dn[key].format(version=version), f"for a framework-dependent .NET app{guess}, "
    if lang in ("go", "rust", "c"):
        if runtime.static:
            return fam["static"], f"the binary is static ({runtime.evidence}), so build in a separate stage and "
        if runtime.libc == "musl":
            return "alpine", ("the binary links musl, which distroless does not ship; build it static "
                              "(CGO_ENABLED=0 / a musl crt-static target) for a smaller image, or ")
        if lang == "go":
            return fam["base"], ("Go with cgo needs glibc (CGO_ENABLED=0 would allow the smaller "
                                 f"{fam['static']}), so build in a separate stage and ")
        if lang == "rust" or runtime.needs_libgcc:
            return fam["cc"], "the binary needs glibc and libgcc, so build in a separate stage and "
        return fam["base"], "the binary needs glibc, so build in a separate stage and "
    if lang == "python":
        spec = fam["python"]
        if runtime.version and runtime.version in spec["versions"]:
            return spec["image"], f"for Python {runtime.version}, "
        if runtime.version and family == "distroless":
            return data["python-slim"].format(version=runtime.version), (
                f"distroless python3 ships Python {', '.join(spec['versions'])}, not "
                f"{runtime.version}, so keep the same version and ")
        if family != "distroless":
            return spec["image"], "check that its Python version matches your build, then "
        return spec["image"], (f"if your app runs on Python {spec['versions'][0]} (the version "
                               "could not be detected), ")
    if lang in ("node", "java"):
        spec = fam[lang]
        versions = spec["versions"]
        label = "Node.js" if lang == "node" else "Java"
        if not versions:
            return spec["image"], f"check that its {label} version matches yours, then "
        if runtime.version in versions:
            return spec["image"].format(version=runtime.version), f"for {label} {runtime.version}, "
        near = nearest(runtime.version, versions)
        if near is not None:
            return spec["image"].format(version=near), (
                f"{label} {runtime.version} has no distroless image; the nearest is {label} {near} "
                "(test your app on it), so ")
        guess = versions[len(versions) // 2]
        return spec["image"].format(version=guess), (
            f"a guess, as the {label} version could not be detected: ")
    return fam["base"], "a guess, as the runtime could not be detected: "


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
    image, reason = choose(runtime, context.suggestion_family)
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
