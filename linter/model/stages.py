"""The model of one Dockerfile, built once and read by every rule.

Vocabulary: stages, stage references resolved as BuildKit resolves
them, the target stage, runtime stages (the target and every stage it inherits
from through `FROM <stage>`), needed stages (runtime stages plus what they read
through `COPY --from=` / `RUN --mount=from=`, transitively), build stages (needed
but not runtime), the runtime base and its image facts, and the effective USER,
SHELL, CMD, ENTRYPOINT and ENV along the runtime stages.
"""
from __future__ import annotations

import functools
from dockerslim_lint.records import field, record

from dockerslim_lint.dockerfile.commands import RunAnalysis, analyse
from dockerslim_lint.images.catalog import ImageFacts, ImageRef
from dockerslim_lint.dockerfile.parser import Instruction, ParseResult
from dockerslim_lint.dockerfile.variables import expand

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Dict, List, Optional, Tuple

DEFAULT_SHELL = ("/bin/sh", "-c")
_MISSING = object()  # not worked out yet (None is a value)


class ModelError(Exception):
    """The file parses but cannot be modelled as asked (e.g. an unknown --target): exit 2."""


@record
class Command:
    """An effective CMD / ENTRYPOINT / SHELL value and where it was set (None: the base image)."""

    args: Tuple[str, ...]
    exec_form: bool
    instruction: Optional[Instruction] = None


@record
class Stage:
    """One build stage: its base, instructions and the ARG/ENV values in force."""

    index: int
    name: Optional[str]  # lower-cased `AS` name
    from_instruction: Instruction
    base_text: str  # the base reference after ARG substitution
    base_unresolved: bool
    platform: Optional[str]
    instructions: List[Instruction] = field(default_factory=list)  # after FROM, ONBUILD triggers excluded
    parent: Optional["Stage"] = None  # FROM <earlier stage>
    image: Optional[ImageRef] = None  # FROM <external image> (scratch included)
    reads_from: List["Stage"] = field(default_factory=list)  # COPY --from / RUN --mount=from stages
    variables: Dict[str, Optional[str]] = field(default_factory=dict)  # ARG/ENV values at the stage end
    env_names: set = field(default_factory=set)  # names set by ENV (here or inherited): they carry into child stages
    _runs: Dict[int, RunAnalysis] = field(default_factory=dict, repr=False)
    _vars_at: Dict[int, Dict[str, Optional[str]]] = field(default_factory=dict, repr=False)

    @property
    def label(self) -> str:
        return self.name if self.name is not None else str(self.index)

    @property
    def chain(self) -> List["Stage"]:
        """This stage and the stages it inherits from, root first."""
        out = []
        stage = self
        while stage is not None:
            out.append(stage)
            stage = stage.parent
        return out[::-1]

    @property
    def root(self) -> "Stage":
        """The first stage of the chain: the one whose FROM names an external image."""
        stage = self
        while stage.parent is not None:
            stage = stage.parent
        return stage

    @property
    def root_image(self) -> Optional[ImageRef]:
        return self.root.image

    def vars_at(self, instruction: Instruction) -> Dict[str, Optional[str]]:
        """ARG/ENV values in force when `instruction` runs (read only: instructions between
        two ARG/ENV share one dict)."""
        return self._vars_at.get(id(instruction), self.variables)

    def run(self, instruction: Instruction) -> RunAnalysis:
        """What a RUN does (cached: built once per instruction)."""
        key = id(instruction)
        found = self._runs.get(key)
        if found is None:
            found = _analysed(run_script(instruction, self.vars_at(instruction)))
            self._runs[key] = found
        return found

    def runs(self) -> Tuple[Tuple[Instruction, RunAnalysis], ...]:
        """(RUN, its analysis) for each RUN of the stage, in order. Made on first use and kept:
        the rules and the model layer ask for them dozens of times per file."""
        found = self.__dict__.get("_run_pairs")
        if found is None:
            found = self.__dict__["_run_pairs"] = tuple(
                (ins, self.run(ins)) for ins in self.instructions if ins.keyword == "RUN")
        return found


# What a script does, by its text: RunAnalysis is never changed once made (readers copy what
# they change), and the same RUN lines recur across the files of a batch (2,105 distinct
# scripts among 5,480 RUNs of 2,482 real Dockerfiles).
_analysed = functools.lru_cache(maxsize=2048)(analyse)


def run_script(instruction: Instruction, variables) -> str:
    """The shell text a RUN executes, with the stage's known ARG/ENV values expanded.

    A heredoc is the script when the command is empty or a shell (`RUN <<EOF`,
    `RUN bash <<EOF`); otherwise it is data fed to a program (`RUN cat <<EOF >f`)."""
    if instruction.exec_form:
        command = " ".join(_quote(a) for a in instruction.args)
    else:
        command = instruction.value
    if instruction.heredocs:
        words = [w for w in command.split() if not w.startswith("<<")]
        if not words or words[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "dash"):
            command = "\n".join(doc.content for doc in instruction.heredocs)
    return expand(command, variables, keep_unresolved=True)[0]


def _quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'" if any(c in word for c in " \t\n'\"$&|;") else word


@record
class Model:
    """The stages of a file and the one that ships, built once per file for every rule."""

    parsed: ParseResult
    stages: List[Stage]
    target: Stage
    global_args: Dict[str, Optional[str]]
    runtime_stages: List[Stage]  # root first, the target last
    needed_stages: List[Stage]  # in file order
    build_stages: List[Stage]  # needed, not runtime, in file order
    runtime_base: Optional[ImageRef]  # the external image at the root of the runtime chain
    base_facts: Optional[ImageFacts]  # None: unknown image (rules needing facts stay silent)
    catalog: object = None
    copy_sources: Dict[int, Stage] = field(default_factory=dict)  # id(COPY/ADD) -> its --from stage

    @property
    def base_from(self) -> Instruction:
        """The FROM line that names the runtime base (first runtime stage's FROM)."""
        return self.runtime_stages[0].from_instruction

    @property
    def single_stage(self) -> bool:
        return len(self.stages) == 1

    def runtime_instructions(self):
        """(stage, instruction) along the runtime stages, in build order."""
        for stage in self.runtime_stages:
            for ins in stage.instructions:
                yield stage, ins

    def facts_of(self, stage: Stage) -> Optional[ImageFacts]:
        """Image facts of the external base at the root of `stage`'s chain."""
        ref = stage.root_image
        if ref is None or self.catalog is None:
            return None
        return self.catalog.facts(ref)

    def memo(self, key: str, make):
        """`make()`, worked out once per model and kept on it under `key`: the model does not
        change once built, and rules ask for the same derived facts several times per file.
        What `make` returns is shared by every caller: read it, never change it. Keys are
        words with spaces ("effective USER"), so that they never shadow an attribute."""
        found = self.__dict__.get(key, _MISSING)
        if found is _MISSING:
            found = self.__dict__[key] = make()
        return found

    # -- effective settings along the runtime stages ----------------------------------
    # Each is worked out on first use and kept on the instance (functools.cached_property):
    # the model does not change once built, and rules read them several times per file.

    def effective(self, keyword: str, stages: Optional[List[Stage]] = None):
        """The last `keyword` instruction along `stages` (default: runtime stages), or None."""
        if not stages:
            return self._last_runtime_instruction.get(keyword)
        last = None
        for stage in stages:
            for ins in stage.instructions:
                if ins.keyword == keyword:
                    last = ins
        return last

    @functools.cached_property
    def _last_runtime_instruction(self) -> Dict[str, Instruction]:
        """{keyword: its last instruction along the runtime stages}."""
        return {ins.keyword: ins for _, ins in self.runtime_instructions()}

    @functools.cached_property
    def effective_shell(self) -> Command:
        ins = self.effective("SHELL")
        if ins is not None and ins.exec_form and ins.args:
            return Command(tuple(ins.args), True, ins)
        return Command(DEFAULT_SHELL, True, None)

    def shell_at(self, stage: Stage, instruction: Instruction) -> Tuple[str, ...]:
        """The SHELL in force for `instruction` in `stage` (inherited through FROM <stage>)."""
        shells = self.__dict__.get("_shell_index")
        if shells is None:
            shells = self.__dict__["_shell_index"] = self._index_shells()
        return shells.get(id(instruction), DEFAULT_SHELL)

    def _index_shells(self) -> Dict[int, Tuple[str, ...]]:
        """{id(instruction): SHELL in force}, in one pass (a parent stage precedes its children)."""
        index: Dict[int, Tuple[str, ...]] = {}
        end_of: Dict[int, Tuple[str, ...]] = {}
        for stage in self.stages:
            shell = end_of.get(id(stage.parent), DEFAULT_SHELL) if stage.parent is not None else DEFAULT_SHELL
            for ins in stage.instructions:
                index[id(ins)] = shell
                if ins.keyword == "SHELL" and ins.exec_form and ins.args:
                    shell = tuple(ins.args)
            end_of[id(stage)] = shell
        return index

    @functools.cached_property
    def effective_entrypoint_cmd(self) -> Tuple[Optional[Command], Optional[Command], bool]:
        """(ENTRYPOINT, CMD, known). Setting ENTRYPOINT clears a CMD inherited from an
        earlier stage or the base (as BuildKit: only a CMD set in the same stage survives).
        `known` is False when the base's own values are unknown and nothing overrides them."""
        facts = self.base_facts
        known = facts is not None or (self.runtime_base is not None and self.runtime_base.is_scratch)
        entrypoint = Command(tuple(facts.entrypoint), True) if facts and facts.entrypoint else None
        cmd = Command(tuple(facts.cmd), True) if facts and facts.cmd else None
        unknown = getattr(facts, "unknown", ()) if facts else ()  # catalog: "entrypoint: unknown"
        ep_known, cmd_known = known and "entrypoint" not in unknown, known and "cmd" not in unknown
        for stage in self.runtime_stages:
            cmd_set_here = False
            for ins in stage.instructions:
                if ins.keyword == "CMD":
                    cmd = Command(tuple(ins.args), ins.exec_form, ins)
                    cmd_set_here, cmd_known = True, True
                elif ins.keyword == "ENTRYPOINT":
                    entrypoint = Command(tuple(ins.args), ins.exec_form, ins)
                    ep_known = True
                    if not cmd_set_here:
                        cmd, cmd_known = None, True
        return entrypoint, cmd, ep_known and cmd_known

    @functools.cached_property
    def effective_user(self) -> Tuple[Optional[str], Optional[Instruction]]:
        """(user, USER instruction). user None when unknown; instruction None when from the base."""
        ins = None
        owner = None
        for stage in self.runtime_stages:
            for candidate in stage.instructions:
                if candidate.keyword == "USER":
                    ins, owner = candidate, stage
        if ins is None:
            if self.runtime_base is not None and self.runtime_base.is_scratch:
                return "root", None
            return (self.base_facts.default_user if self.base_facts else None), None
        raw = ins.args[0] if ins.args else ins.value.strip()
        value, unresolved = expand(raw, owner.vars_at(ins))
        if unresolved or not value:
            return None, ins
        return value, ins

    @property
    def effective_env(self) -> Dict[str, Optional[str]]:
        return dict(self.target.variables)


def _split_from(ins: Instruction):
    """FROM [--platform=..] image [AS name] -> (image text, name or None)."""
    words = list(ins.args) if ins.args else ins.value.split()
    image = words[0] if words else ""
    name = None
    if len(words) >= 3 and words[1].lower() == "as":
        name = words[2].lower()
    return image, name


def build_model(parsed: ParseResult, build_args=None, target: Optional[str] = None,
                catalog=None) -> Model:
    build_args = dict(build_args or {})
    escape = parsed.escape
    global_args: Dict[str, Optional[str]] = {}
    stages: List[Stage] = []
    by_name: Dict[str, Stage] = {}
    current: Optional[Stage] = None
    # The ARG/ENV values in force, as one dict shared by the instructions between two ARG/ENV
    # (None: changed since the last copy).
    in_force: Optional[Dict[str, Optional[str]]] = None
    with_refs: List[Tuple[Stage, Instruction]] = []  # COPY/ADD/RUN with flags: maybe a stage reference

    for ins in parsed.instructions:
        kw = ins.keyword
        if kw == "FROM":
            in_force = None
            image_text, name = _split_from(ins)
            base, unresolved = expand(image_text, global_args, escape)
            platform_raw = ins.flag("platform")
            platform = expand(platform_raw, global_args, escape)[0] if platform_raw else None
            current = Stage(len(stages), name, ins, base, unresolved or not base, platform)
            parent = by_name.get(base.lower()) if not unresolved and base else None
            if parent is not None:
                # ENV carries into a child stage; ARG does not.
                current.parent = parent
                current.env_names = set(parent.env_names)
                current.variables = {k: v for k, v in parent.variables.items() if k in parent.env_names}
            else:
                current.image = ImageRef.parse(base, platform=platform) if not unresolved and base \
                    else ImageRef(raw=image_text, unresolved=True, platform=platform)
            stages.append(current)
            if name is not None:
                by_name[name] = current  # a later duplicate name wins for later references
            continue
        if current is None:
            if kw == "ARG":
                for key, default in ins.key_values():
                    if key in build_args:
                        global_args[key] = build_args[key]
                    else:
                        global_args[key] = expand(default, global_args, escape)[0] if default is not None else None
            continue
        if in_force is None:
            in_force = dict(current.variables)
        current._vars_at[id(ins)] = in_force
        if kw == "ONBUILD":
            continue  # triggers run in a later build, not this one
        current.instructions.append(ins)
        if ins.flags and kw in ("COPY", "ADD", "RUN"):
            with_refs.append((current, ins))
        if kw == "ARG":
            in_force = None
            for key, default in ins.key_values():
                if key in build_args:
                    value = build_args[key]
                elif default is not None:
                    value = expand(default, current.variables, escape)[0]
                elif key in global_args:
                    value = global_args[key]  # `ARG NAME` inside a stage re-declares the global
                else:
                    value = None
                if key in current.env_names:
                    continue  # ENV wins over ARG of the same name
                current.variables[key] = value
        elif kw == "ENV":
            in_force = None
            for key, value in ins.key_values():
                current.variables[key] = expand(value or "", current.variables, escape)[0]
                current.env_names.add(key)

    if not stages:
        raise ModelError("no FROM instruction")

    # Stage references from COPY --from / RUN --mount=from, resolved once here.
    copy_sources: Dict[int, Stage] = {}
    for stage, ins in with_refs:  # in file order, as the stages and their instructions
        for ref in _stage_refs(ins, stage):
            is_copy = not ref.startswith("mount:")
            found = _resolve(ref, stages, by_name, stage, allow_index=is_copy)
            if found is None:
                continue
            if is_copy:
                copy_sources[id(ins)] = found
            if found not in stage.reads_from:
                stage.reads_from.append(found)

    if target is not None:
        chosen = by_name.get(target.lower())
        if chosen is None:
            names = ", ".join(s.name for s in stages if s.name) or "none (no stage has an AS name)"
            raise ModelError(f"target stage {target!r} not found; stages named in this file: {names}")
    else:
        chosen = stages[-1]

    runtime = chosen.chain
    needed_set = {id(s) for s in runtime}
    todo = list(runtime)
    while todo:
        stage = todo.pop()
        for dep in stage.reads_from + ([stage.parent] if stage.parent else []):
            if id(dep) not in needed_set:
                needed_set.add(id(dep))
                todo.append(dep)
    needed = [s for s in stages if id(s) in needed_set]
    runtime_ids = {id(s) for s in runtime}
    build = [s for s in needed if id(s) not in runtime_ids]
    base_ref = runtime[0].image
    facts = None
    if catalog is not None and base_ref is not None and not base_ref.unresolved:
        facts = catalog.facts(base_ref)
    return Model(parsed, stages, chosen, global_args, runtime, needed, build, base_ref, facts, catalog,
                 copy_sources)


def _stage_refs(ins: Instruction, stage: Stage):
    if ins.keyword in ("COPY", "ADD"):
        value = ins.flag("from")
        if value:
            yield expand(value, stage.vars_at(ins))[0]
    if ins.keyword == "RUN":
        for mount in ins.flag_values("mount"):
            for part in mount.split(","):
                key, _, val = part.partition("=")
                if key.strip().lower() in ("from",) and val:
                    yield "mount:" + expand(val.strip(), stage.vars_at(ins))[0]


def _resolve(ref: str, stages, by_name, current: Stage, allow_index: bool) -> Optional[Stage]:
    """BuildKit: names are case-insensitive; only COPY --from takes an index; otherwise an image."""
    if ref.startswith("mount:"):
        ref = ref[len("mount:"):]
    found = by_name.get(ref.lower())
    if found is not None and found is not current:
        return found
    if allow_index and ref.isdigit():
        index = int(ref)
        if index < len(stages) and index != current.index:
            return stages[index]
    return None


def copy_source_stage(model: Model, stage: Stage, ins: Instruction) -> Optional[Stage]:
    """The stage a COPY/ADD --from reads, or None (build context or an external image)."""
    return model.copy_sources.get(id(ins))
