"""DSL201-DSL203: what the runtime base image carries, and the smaller image to ship."""
from dockerslim_lint.engine.findings import Finding
from dockerslim_lint.images.catalog import ImageRef
from dockerslim_lint.engine.rule import rule
from dockerslim_lint.engine.findings import fmt_mb
from dockerslim_lint.model.runtime import detect
from dockerslim_lint.model.suggest import advice, suggested_finding

# Packages that are data, not code: distroless static ships both, so they do not tie
# an image to musl or to a package manager.
DATA_ONLY_PACKAGES = {"ca-certificates", "tzdata"}


def _base_kind_finding(rule_id, kind, model, context, what):
    """The base-image finding when the runtime base's catalog kind is `kind`, else None."""
    facts = model.base_facts
    if facts is None or facts.kind != kind:
        return None
    base = model.runtime_base.raw
    room = 120 - len(what.format(base=""))
    base = base if len(base) <= room else base[:max(room - 1, 12)] + "…"
    return suggested_finding(rule_id, model.base_from, what.format(base=base), model, context)


@rule("DSL201", "toolchain-runtime-base", "error",
      "The runtime base is a toolchain/SDK image: compilers and build tools ship.",
      tags=("size", "security"), security_severity=6.0)
def toolchain_runtime_base(model, context):
    found = _base_kind_finding(
        "DSL201", "toolchain", model, context,
        "the runtime base {base} is a toolchain image: its compilers and build tools ship")
    if found is not None:
        yield found


@rule("DSL202", "full-os-runtime-base", "warning",
      "The runtime base is a general-purpose distribution image.",
      tags=("size", "security"), security_severity=4.0)
def full_os_runtime_base(model, context):
    found = _base_kind_finding(
        "DSL202", "full-os", model, context,
        "the runtime base {base} is a full OS distribution: its shell, package manager and coreutils ship")
    if found is not None:
        yield found


def _installs_os_code(model):
    """True when runtime stages install OS packages that are code (not data-only)."""
    for stage in model.runtime_stages:
        for ins, run in stage.runs():
            for op in run.package_ops:
                if op.action == "install" and op.manager in ("apt", "apk", "dnf", "yum", "microdnf", "zypper"):
                    if any(p.split("=")[0] not in DATA_ONLY_PACKAGES for p in op.packages):
                        return True
    return False


def smaller_runtime(model, context):
    """The file's suggestion when it is a different, smaller image that runs the same runtime
    at the same version and the shipped artifact, else None. Precision first: None whenever unsure."""
    facts = model.base_facts
    if facts is None or facts.kind != "slim-runtime" or facts.size_mb is None:
        return None
    # The checks that need no suggestion first: most slim bases stop here, and the file's
    # suggestion is worked out only when a finding carries it.
    runtime = detect(model)  # the advice's runtime
    if not runtime.known:
        return None
    if _installs_os_code(model):
        return None  # programs/libraries from apk/apt: the replacement would lack them
    if runtime.libc == "musl" and not runtime.static:
        return None  # a musl-linked artifact needs a musl runtime
    if runtime.language in ("python", "node", "java", "dotnet") and not runtime.version:
        return None
    found = advice(model, context)
    suggestion = found.suggestion
    if suggestion.image is None or not found.exact:
        return None
    candidate = context.catalog.facts(ImageRef.parse(suggestion.image))
    if candidate is None or candidate.size_mb is None:
        return None
    if runtime.language in ("python", "node", "java", "dotnet"):
        if candidate.runtime_version != runtime.version:
            return None
    if candidate.family == facts.family or candidate.size_mb >= facts.size_mb:
        return None
    return suggestion


@rule("DSL203", "smaller-runtime-available", "info",
      "A different, smaller image runs the same runtime at the same version.",
      tags=("size",))
def smaller_runtime_available(model, context):
    suggestion = smaller_runtime(model, context)
    if suggestion is None:
        return
    runtime = advice(model, context).runtime
    if runtime.language in ("go", "rust", "c"):
        what = "static binary" if runtime.static else "binary"
    else:
        label = {"python": "Python", "node": "Node.js", "java": "Java", "dotnet": ".NET"}[runtime.language]
        what = f"{label} {runtime.version}"
    base = model.runtime_base.raw
    base = base if len(base) <= 48 else base[:47] + "…"
    message = (f"the runtime base {base} ({fmt_mb(model.base_facts.size_mb)}) is slim, but a smaller "
               f"image runs the same {what}")
    ins = model.base_from
    yield Finding("DSL203", ins.start_line, message, column=ins.column, suggestion=suggestion)


RULES = [toolchain_runtime_base, full_os_runtime_base, smaller_runtime_available]
