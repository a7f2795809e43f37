"""DSL101-DSL102: the build environment ships.

"Builds software" (RULES.md): a stage runs a build command or installs build tools,
whether or not it purges them afterwards. git/curl/wget alone are fetch tools, not
a build; a toolchain base with nothing built on it is DSL201's concern.
"""
from dockerslim_lint.dockerfile.commands import is_build_tool_package
from dockerslim_lint.engine.rule import rule
from dockerslim_lint.model.suggest import suggested_finding


def build_evidence(model, stage):
    """(instruction, what it does in words) for the first build command of `stage`, else its
    first install of build tools, or None when the stage does not build software."""
    tools_found = None
    for ins, run in stage.runs():
        if run.build_commands:
            return ins, f"runs `{run.build_commands[0]}`"
        if tools_found is None:
            tools = [p for op in run.package_ops if op.action == "install" for p in op.packages
                     if is_build_tool_package(p)]
            if tools:
                tools_found = ins, "installs build tools (" + ", ".join(sorted(set(tools))[:4]) + ")"
    return tools_found


@rule("DSL101", "single-stage-build", "error",
      "The only stage builds software, so the compilers and tools ship in the image.",
      tags=("size", "security", "multi-stage"), security_severity=6.0)
def single_stage_build(model, context):
    if not model.single_stage:
        return
    stage = model.stages[0]
    evidence = build_evidence(model, stage)
    if evidence is None:
        return
    ins, does = evidence
    message = (f"this Dockerfile has one stage and it {does} (line {ins.start_line}): the compilers, "
               "package caches and sources of the build all ship in the runtime image. Build in a "
               "first stage (`FROM ... AS build`) and copy only the artifact into a minimal final stage")
    yield suggested_finding("DSL101", model.target.from_instruction, message, model, context)


@rule("DSL102", "build-in-runtime-stage", "error",
      "A stage that ships (the target or a stage it inherits from) builds software.",
      tags=("size", "security", "multi-stage"), security_severity=6.0)
def build_in_runtime_stage(model, context):
    if model.single_stage:
        return
    for stage in model.runtime_stages:
        evidence = build_evidence(model, stage)
        if evidence is None:
            continue
        ins, does = evidence
        role = "the target stage" if stage is model.target else \
            f"stage {stage.label!r}, which the target inherits with `FROM {stage.label}`,"
        message = (f"{role} {does} (line {ins.start_line}), so the build environment ships despite "
                   "the multi-stage layout. Move the build into a stage that the final stage only "
                   "`COPY --from`s")
        yield suggested_finding("DSL102", model.target.from_instruction, message, model, context)
        return


RULES = [single_stage_build, build_in_runtime_stage]
