"""DSL101-DSL102: the build environment ships.

"Builds software" (docs/rules/DSL101.md): a stage runs a build command or installs build tools,
whether or not it purges them afterwards. git/curl/wget alone are fetch tools, not
a build; a toolchain base with nothing built on it is DSL201's concern. The evidence
(the build command, or the build tools and whether the same RUN purges them) comes from
the model layer, which also owns the file's suggestion that these findings carry.
"""
import re

from dockerslim_lint.engine.findings import shorten
from dockerslim_lint.engine.rule import rule
from dockerslim_lint.model.suggest import build_evidence, suggested_finding




def _fit(head: str, tail: str, short_tail: str, limit: int = 120) -> str:
    """`head + tail` when it fits the message length, else `head + short_tail`, naming one build
    tool ("installs gcc and more") when a long list still does not fit."""
    if len(head) + len(short_tail) > limit:
        head = re.sub(r"installs ([^, ]+)(?:, [^, ]+)+(?= at| and more)(?: and more)?", r"installs \1 and more",
                      head)
    return head + (tail if len(head) + len(tail) <= limit else short_tail)


def _what(evidence) -> str:
    where = f"{evidence.does} at line {evidence.instruction.start_line}"
    if evidence.purged:
        where += ", tools purged in the same RUN" if evidence.does.startswith("runs") else \
            ", purged in the same RUN"
    return where


@rule("DSL101", "single-stage-build", "error",
      "The only stage builds software, so the compilers and tools ship in the image.",
      tags=("size", "security", "multi-stage"), security_severity=6.0)
def single_stage_build(model, context):
    if not model.single_stage:
        return
    evidence = build_evidence(model, model.stages[0])
    if evidence is None:
        return
    what = _what(evidence)
    base = shorten(model.stages[0].base_text or "?", max(16, 120 - len(what) - 40))
    message = _fit(f"the only stage ({base}) {what}", ": the build ships with the program",
                   ": the build ships")
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
        role = "the target stage" if stage is model.target else \
            f"stage {shorten(stage.label, 24)!r}, inherited by the target,"
        message = _fit(f"{role} {_what(evidence)}", ": the build ships despite the multi-stage layout",
                       ": the build ships")
        yield suggested_finding("DSL102", model.target.from_instruction, message, model, context)
        return


RULES = [single_stage_build, build_in_runtime_stage]
