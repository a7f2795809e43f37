"""DSL301-DSL307: what the shipped image exposes (shell, package managers, build tools,
debug variants, root) and shell-dependent instructions where no shell exists.

Where shells and package managers come from is worked out once, in
`dockerslim_lint.model.surface`; these rules only read that analysis and the model.
Unknown facts keep a rule silent.
"""
from dockerslim_lint.dockerfile.commands import FETCH_TOOL_PACKAGES, is_build_tool_package
from dockerslim_lint.engine.findings import Finding, short_reference
from dockerslim_lint.engine.rule import rule
from dockerslim_lint.fix.fixes import nonroot_user, shell_to_exec_form, wanted
from dockerslim_lint.model.surface import (analysis, first_origin, is_windows, net_os_installed, runtime_runs,
                                     stage_of)

def _finding(rule_id, ins, message, fix=None):
    return Finding(rule_id, ins.start_line, message, column=ins.column, fix=fix)


def _noun(word, items):
    return word + ("s" if len(items) > 1 else "")


def _ship(items):
    return "ship" if len(items) > 1 else "ships"


def _list(items):
    return ", ".join(i if i.endswith(" more") else f"`{i}`" for i in items)


@rule("DSL301", "shell-in-runtime", "warning",
      "The shipped image contains a shell.",
      tags=("security", "attack-surface"), security_severity=5.0)
def shell_in_runtime(model, context):
    final = analysis(model).final(model.target)
    origin = first_origin(final.shells.values())
    if origin is None:
        return
    paths = sorted(p for p, o in final.shells.items() if o.instruction is origin.instruction)
    if origin.from_base:
        message = f"{_noun('shell', paths)} {_list(paths)} {_ship(paths)} with {origin.how}"
    else:
        message = f"{_noun('shell', paths)} {_list(paths)} {_ship(paths)}: {origin.how}"
    yield _finding("DSL301", origin.instruction, message)


@rule("DSL302", "package-manager-in-runtime", "warning",
      "The shipped image contains a package manager.",
      tags=("security", "attack-surface", "size"), security_severity=5.0)
def package_manager_in_runtime(model, context):
    final = analysis(model).final(model.target)
    origin = first_origin(final.managers.values())
    if origin is None:
        return
    managers = [m for m, o in final.managers.items() if o.instruction is origin.instruction]
    if origin.from_base:
        message = f"{_noun('package manager', managers)} {_list(managers)} {_ship(managers)} with {origin.how}"
    else:
        message = f"{_noun('package manager', managers)} {_list(managers)} {_ship(managers)}: {origin.how}"
    yield _finding("DSL302", origin.instruction, message)


@rule("DSL303", "build-tools-in-runtime", "error",
      "A shipped stage installs compilers, build tools or fetch tools and does not remove them "
      "in the same RUN.",
      tags=("security", "attack-surface", "size"), security_severity=6.0)
def build_tools_in_runtime(model, context):
    for _stage, ins, run in runtime_runs(model):  # a script may purge what it installed: not judged
        tools = [p for p in net_os_installed(run) if is_build_tool_package(p) or p in FETCH_TOOL_PACKAGES]
        if not tools:
            continue
        fetch = [t for t in tools if t in FETCH_TOOL_PACKAGES]
        build = [t for t in tools if t not in FETCH_TOOL_PACKAGES]
        kinds = []
        if build:
            kinds.append(f"build {'tool' if len(build) == 1 else 'tools'} {_list(_few(build))}")
        if fetch:
            kinds.append(f"fetch {'tool' if len(fetch) == 1 else 'tools'} {_list(fetch)}")
        verb = "stays" if len(tools) == 1 else "stay"
        yield _finding("DSL303", ins, f"{' and '.join(kinds)} installed by this RUN {verb} in the image")


def _few(items, limit=4):
    """At most `limit` items, then "N more"."""
    items = list(items)
    return items if len(items) <= limit else items[:limit - 1] + [f"{len(items) - limit + 1} more"]


@rule("DSL304", "debug-image-in-runtime", "warning",
      "The runtime base is a debug variant of a minimal image (adds a busybox shell).",
      tags=("security", "attack-surface"), security_severity=4.0)
def debug_image_in_runtime(model, context):
    facts = model.base_facts
    if facts is None or not facts.debug:
        return
    ins = model.base_from
    ref = short_reference(model.runtime_base.raw) if model.runtime_base is not None else "the base"
    yield _finding("DSL304", ins, f"the runtime base `{ref}` is a debug variant with a busybox shell")


@rule("DSL305", "shell-form-without-shell", "error",
      "A shell-form CMD/ENTRYPOINT/HEALTHCHECK needs a shell the image does not have.",
      tags=("correctness",))
def shell_form_without_shell(model, context):
    sa = analysis(model)
    final = sa.final(model.target)
    entrypoint, cmd, known = model.effective_entrypoint_cmd
    command = None
    if entrypoint is not None and not entrypoint.exec_form:
        command = entrypoint
    elif entrypoint is None and known and cmd is not None and not cmd.exec_form:
        command = cmd
    if command is not None and command.instruction is not None and command.args and \
            command.args[0].strip():
        ins = command.instruction
        stage = stage_of(model, ins)
        shell = model.shell_at(stage, ins)[0] if stage is not None else "/bin/sh"
        if final.has_program(shell) is False:
            yield _finding("DSL305", ins, (
                f"shell-form {ins.keyword} needs {shell}, which the image lacks: the container will not start"),
                fix=shell_to_exec_form(model, ins) if wanted(context) else None)
    health = model.effective("HEALTHCHECK")
    if health is not None and (health.subcommand or "").upper() == "CMD" and not health.exec_form \
            and health.args and health.args[0].strip():
        shell = model.effective_shell.args[0]
        if final.has_program(shell) is False:
            yield _finding("DSL305", health, (
                f"shell-form HEALTHCHECK CMD needs {shell}, which the image lacks: the check always fails"))


def _no_shell_reason(model, stage):
    root = stage.chain[0]
    ref = root.image.raw if root.image is not None else root.base_text
    facts = model.facts_of(root)
    if facts is not None and facts.shell:
        return f"`{ref}` has only {facts.shell}"
    return f"`{ref}` has no shell"


@rule("DSL306", "run-without-shell", "error",
      "A shell-form RUN in a stage where the shell it needs does not exist: the build fails.",
      tags=("correctness",))
def run_without_shell(model, context):
    sa = analysis(model)
    for stage in model.needed_stages:
        for ins in stage.instructions:
            if ins.keyword != "RUN":
                continue
            program = sa.missing_program(stage, ins)
            if program is None:
                continue
            yield _finding("DSL306", ins, (
                f"shell-form RUN needs {program}, but {_no_shell_reason(model, stage)}: the build fails"))


def is_root_user(user):
    name = user.split(":", 1)[0].strip()
    return name == "root" or (name.isdigit() and int(name) == 0)


@rule("DSL307", "runtime-runs-as-root", "warning",
      "The shipped image runs as root.",
      tags=("security",), security_severity=6.0)
def runtime_runs_as_root(model, context):
    user, ins = model.effective_user
    if user is None or not is_root_user(user) or (ins is None and is_windows(model.target)):
        return
    if _runs_nothing(model):
        return  # a data-only image: no process runs as anyone
    if ins is not None:
        yield _finding("DSL307", ins, f"`USER {user}` is the last USER: the image runs as root",
                       fix=nonroot_user(model) if wanted(context) else None)
        return
    target_from = model.target.from_instruction
    base = short_reference(model.runtime_base.raw) if model.runtime_base is not None else "the base image"
    message = f"the image runs as root: no USER and `{base}` defaults to root"
    variant = nonroot_variant(model, context.catalog)
    if variant is not None:
        message += f" ({variant} does not)"
    yield _finding("DSL307", target_from, message, fix=nonroot_user(model) if wanted(context) else None)


def _runs_nothing(model):
    """No effective ENTRYPOINT or CMD, the base's included (known, not merely unknown)."""
    entrypoint, cmd, known = model.effective_entrypoint_cmd
    return known and not (entrypoint and entrypoint.args) and not (cmd and cmd.args)


def nonroot_variant(model, catalog):
    """A catalog image that runs the same ENTRYPOINT and CMD as the runtime base as a non-root
    user (nginx -> nginxinc/nginx-unprivileged, whose catalog entry says so), or None."""
    facts = model.base_facts
    base = model.runtime_base
    if facts is None or base is None or catalog is None or not (facts.entrypoint or facts.cmd):
        return None
    for family_id, name in catalog.nonroot_candidates(facts.kind, facts.entrypoint, facts.cmd):  # in family order
        if family_id == facts.family:
            continue
        ref = f"{name}:{base.tag}" if base.tag else name
        other = catalog.facts(ref)
        if other is not None and other.runs_as_root is False and other.kind == facts.kind and \
                other.entrypoint == facts.entrypoint and other.cmd == facts.cmd:
            return name
    return None


RULES = [shell_in_runtime, package_manager_in_runtime, build_tools_in_runtime, debug_image_in_runtime,
         shell_form_without_shell, run_without_shell, runtime_runs_as_root]
