"""What the image holds along a stage chain: shells and package managers, and where
each came from. One analysis, read by DSL301 (shell-in-runtime), DSL302
(package-manager-in-runtime), DSL305 (shell-form-without-shell) and DSL306
(run-without-shell).

A stage starts from its parent stage's end state, or from its external base:
scratch holds nothing; a known image holds what its facts say (`shell`,
`package_managers`); an unknown image is unknown. Then, instruction by instruction:

- `RUN` that installs a shell package (`apk add bash`, `apt-get install busybox`)
  adds it; one that runs a package manager adds that manager; `rm` of a shell's
  path or a manager's files, or removing its package, takes it away again.
- `COPY`/`ADD` that copies a shell (`COPY --from=busybox /bin/sh /bin/sh`,
  `COPY --from=gcr.io/distroless/base:debug /busybox /busybox`, a stage's `/bin`)
  adds it at its destination.

"Complete" means we know there is no shell beyond the ones listed (scratch, a
minimal base without shell, distroless `:debug` whose only shell is `/busybox/sh`).
Anything we cannot see into (a RUN that ran — it may have created any file —, an
archive `ADD`, a copied root file system, an unknown image) makes the state
incomplete: DSL305/DSL306 then stay silent (a fact that is unknown decides nothing).

A base whose facts are unknown still shows what it holds through what the file makes it
do: a shell-form `RUN` that the build runs proves the shell it needs exists (from the
base, unless an earlier instruction put one in), and a `RUN` that runs an OS package
manager (apt, apk, dnf, ...) proves the base has it. DSL301 and DSL302 read both the
same way: on the base's `FROM`, as coming from the base.
"""
from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
from dockerslim_lint.records import field, record

from dockerslim_lint.dockerfile.commands import SHELL_PACKAGES, RunAnalysis, _package_base
from dockerslim_lint.engine.findings import short_reference
from dockerslim_lint.images.catalog import ImageRef
from dockerslim_lint.model.stages import Model, Stage, copy_source_stage
from dockerslim_lint.dockerfile.parser import Instruction
from dockerslim_lint.dockerfile.variables import expand

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Dict, List, Optional

# Executables that are shells (or busybox, which is one).
SHELL_NAMES = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox", "fish",
                         "tcsh", "csh", "yash", "busybox.static", "busybox-static"})
# Where a shell copied from the build context counts as a shell.
BIN_DIRS = frozenset({"/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin",
                      "/busybox"})
# Directories whose wholesale copy brings whatever shell the source has.
SHELL_DIRS = frozenset({"/", "/bin", "/usr", "/usr/bin", "/sbin", "/usr/sbin", "/busybox"})
# Package managers DSL302 reports (as RunAnalysis / image facts spell them).
PACKAGE_MANAGERS = ("apt", "dpkg", "apk", "dnf", "yum", "microdnf", "zypper", "pip", "npm", "gem")
# Managers that install operating-system packages (shells, build tools).
OS_MANAGERS = frozenset({"apt", "apk", "dnf", "yum", "microdnf", "zypper"})
# OS packages that bring a package manager with them.
_MANAGER_PACKAGES = {"python3-pip": "pip", "python-pip": "pip", "py3-pip": "pip", "npm": "npm",
                     "nodejs-npm": "npm", "rubygems": "gem"}
# Files whose removal takes a package manager out of the image (any one is enough to break it).
_MANAGER_FILES = {
    "apk": ("/sbin/apk", "/usr/sbin/apk"),
    "apt": ("/usr/bin/apt-get", "/usr/bin/apt"),
    "dpkg": ("/usr/bin/dpkg", "/var/lib/dpkg"),
    "dnf": ("/usr/bin/dnf", "/usr/bin/dnf5", "/usr/bin/dnf-3"),
    "yum": ("/usr/bin/yum",),
    "microdnf": ("/usr/bin/microdnf",),
    "zypper": ("/usr/bin/zypper",),
    "gem": ("/usr/local/bin/gem", "/usr/bin/gem"),
    "npm": ("/usr/local/bin/npm", "/usr/bin/npm", "/usr/local/lib/node_modules/npm",
            "/usr/lib/node_modules/npm"),
    "pip": ("/usr/local/bin/pip", "/usr/bin/pip", "/usr/local/bin/pip3", "/usr/bin/pip3"),
}
_MANAGER_REMOVE_PACKAGES = {"apk-tools": "apk", "apt": "apt", "dpkg": "dpkg", "dnf": "dnf", "yum": "yum",
                            "microdnf": "microdnf", "zypper": "zypper", "python3-pip": "pip",
                            "py3-pip": "pip", "pip": "pip", "npm": "npm"}
_WINDOWS = re.compile(r"nanoserver|servercore|windows|ltsc20", re.I)
_DIRLIKE = frozenset({".", "bin", "sbin", "usr", "rootfs", "root", "fs", "overlay", "files", "busybox"})
_ARCHIVE = re.compile(r"\.(tar|tgz|tbz2?|txz|tzst|tar\.(gz|bz2|xz|zst|lz4|lzma))$", re.I)


@record(frozen=True)
class Origin:
    """Where a shell or package manager came from."""

    stage: Stage
    instruction: Instruction  # the base's FROM, or the RUN / COPY / ADD that brought it
    how: str  # words for a message: "the base `alpine:3.20`", "`bash` installed by this RUN", ...
    from_base: bool = False


@record
class Presence:
    """Shells and package managers present at one point of a stage chain."""

    shells: Dict[str, Origin] = field(default_factory=dict)  # absolute path -> origin
    complete: bool = False  # True: no shell exists beyond `shells`
    managers: Dict[str, Origin] = field(default_factory=dict)  # "apt", "pip", ... -> origin
    workdir: str = "/"
    base_known: bool = False  # the external base's shell and package managers are known facts

    def copy(self) -> "Presence":
        return Presence(dict(self.shells), self.complete, dict(self.managers), self.workdir, self.base_known)

    def has_program(self, program: str) -> Optional[bool]:
        """Does `program` (a path, or a bare name looked up on PATH) exist? None: unknown."""
        if not program:
            return None
        if "/" in program:
            path = posixpath.normpath(program)
            if path in self.shells:
                return True
            if path.startswith("/busybox/") and "/busybox/sh" in self.shells and \
                    posixpath.basename(path) in ("sh", "ash"):
                return True
        elif any(posixpath.basename(p) == program for p in self.shells):
            return True
        if program.startswith("$"):
            return None
        return False if self.complete else None


def _unknown(stage: Stage) -> Presence:
    return Presence()


def _initial(model: Model, stage: Stage) -> Presence:
    """The state at a root stage's FROM: what its external base holds."""
    ref = stage.image
    if ref is None or stage.base_unresolved or ref.unresolved:
        return _unknown(stage)
    if ref.is_scratch:
        return Presence(complete=True, base_known=True)
    facts = model.catalog.facts(ref) if model.catalog is not None else None
    if facts is None or is_windows(stage):
        return _unknown(stage)
    base = Origin(stage, stage.from_instruction, _the_base(ref.raw), True)
    state = _facts_presence(facts, base)
    state.base_known = facts.has_shell is not None and facts.has_package_manager is not None
    if facts.has_package_manager:
        for manager in facts.package_managers:
            state.managers[manager] = base
    return state


@functools.lru_cache(maxsize=1024)  # the same bases recur across the files of a batch
def _the_base(reference: str) -> str:
    """How messages name a base image: the base `alpine:3.20`."""
    return f"the base `{short_reference(reference)}`"


def _facts_presence(facts, origin: Origin) -> Presence:
    """Shells of a catalog image: none (complete), its one shell, or unknown."""
    has_shell = facts.has_shell
    if has_shell is None:
        return Presence()
    if not has_shell:
        return Presence(complete=True)
    path = posixpath.normpath(facts.shell)
    # distroless :debug: busybox lives in /busybox and nothing else is a shell.
    return Presence({path: origin}, complete=path.startswith("/busybox/"))


class SurfaceAnalysis:
    """Per-model cache of stage walks (built on first use, shared by the rules)."""

    def __init__(self, model: Model):
        self.model = model
        self._stops: Dict[int, str] = {}  # id(RUN) -> the program it needs and the image lacks
        self._final: Dict[int, Presence] = {}
        self._visiting: set = set()

    # -- public ---------------------------------------------------------------------
    def missing_program(self, stage: Stage, ins: Instruction) -> Optional[str]:
        """The program a RUN of `stage` needs to start (its shell) that certainly does not
        exist when it runs, so that the build fails there; None when it may run."""
        self.final(stage)
        return self._stops.get(id(ins))

    def final(self, stage: Stage) -> Presence:
        """The state at the end of `stage` (its chain included)."""
        key = id(stage)
        found = self._final.get(key)
        if found is not None:
            return found
        if key in self._visiting:  # a reference cycle BuildKit would reject: unknown
            return _unknown(stage)
        self._visiting.add(key)
        try:
            state = self.final(stage.parent).copy() if stage.parent is not None else _initial(self.model, stage)
            for ins in stage.instructions:
                if ins.keyword == "RUN":
                    self._apply_run(stage, ins, state)
                elif ins.keyword in ("COPY", "ADD"):
                    self._apply_copy(stage, ins, state)
                elif ins.keyword == "WORKDIR":
                    target = expand(ins.args[0] if ins.args else ins.value.strip(), stage.vars_at(ins))[0]
                    if target:
                        state.workdir = posixpath.normpath(posixpath.join(state.workdir, target))
        finally:
            self._visiting.discard(key)
        self._final[key] = state
        return state

    def needed_program(self, stage: Stage, ins: Instruction) -> Optional[str]:
        """The program a RUN needs before it can start: its shell, or None (exec form, a
        heredoc script whose shebang names something that is not a shell, or a RUN whose own
        `--mount` may supply the program: `--mount=from=busybox,src=/bin,dst=/bin`)."""
        if ins.exec_form:
            return None
        shebang = heredoc_shebang(ins)
        if shebang is not None:
            program = shebang if posixpath.basename(shebang) in SHELL_NAMES else None
        else:
            shell = self.model.shell_at(stage, ins)
            program = shell[0] if shell else "/bin/sh"
        if program is not None and _mount_may_supply(stage, ins, program):
            return None
        return program

    # -- transitions ----------------------------------------------------------------
    def _apply_run(self, stage: Stage, ins: Instruction, state: Presence) -> None:
        needed = self.needed_program(stage, ins)
        present = state.has_program(needed) if needed is not None else None
        if present is False:
            self._stops[id(ins)] = needed
            return  # the build stops here (DSL306): nothing this RUN does happens
        run = stage.run(ins)
        if present is None and needed is not None and not state.base_known and not is_windows(stage) and \
                posixpath.basename(needed) in SHELL_NAMES:
            # The RUN works, so its shell exists: it came with the base (nothing put one in before).
            path = posixpath.normpath(needed)
            state.shells[path] = self._from_base(stage, f"shell-form RUN on line {ins.start_line}")
        # A RUN that ran may have created any file (ln -s busybox /bin/sh, a download...).
        state.complete = False
        if run.opaque or not reads_as_posix_shell(self.model, stage, ins):
            return
        installed = set(_net_os_installed_kept(run)) if run.package_ops else ()
        for op in run.package_ops:
            if op.manager in PACKAGE_MANAGERS and op.manager not in state.managers:
                verb = op.words[0].rsplit("/", 1)[-1]
                if op.manager in OS_MANAGERS and not state.base_known:
                    # Only the base can have brought an OS package manager that this RUN runs.
                    state.managers[op.manager] = self._from_base(stage, f"`{verb}` on line {ins.start_line}")
                else:
                    state.managers[op.manager] = Origin(stage, ins, f"`{verb}` run by this RUN")
            if op.action != "install" or op.manager not in OS_MANAGERS:
                continue
            for pkg in op.packages:
                base = _package_base(pkg)
                if base not in installed:
                    continue
                if base in SHELL_PACKAGES:
                    name = "busybox" if base.startswith("busybox") else base
                    path = f"/bin/{name}"
                    if path not in state.shells:
                        state.shells[path] = Origin(stage, ins, f"`{base}` installed by this RUN")
                manager = _MANAGER_PACKAGES.get(base)
                if manager and manager not in state.managers:
                    state.managers[manager] = Origin(stage, ins, f"`{base}` installed by this RUN")
        self._apply_removals(run, state)

    def _from_base(self, stage: Stage, evidence: str) -> Origin:
        """An Origin on the FROM that names the external base of `stage`'s chain."""
        root = stage.root
        ref = root.image.raw if root.image is not None else root.base_text
        return Origin(root, root.from_instruction, f"{_the_base(str(ref))} ({evidence})", True)

    def _apply_removals(self, run: RunAnalysis, state: Presence) -> None:
        gone = _removals(run)
        if not gone.packages and not gone.paths:
            return
        for path in list(state.shells):
            if posixpath.basename(path) in gone.packages or gone.removes(path):
                del state.shells[path]
        for manager in list(state.managers):
            if manager in gone.managers or any(gone.removes(f) for f in _MANAGER_FILES.get(manager, ())) or \
                    (manager == "pip" and gone.pip_files):
                del state.managers[manager]

    def _apply_copy(self, stage: Stage, ins: Instruction, state: Presence) -> None:
        if len(ins.args) < 2:
            return
        variables = stage.vars_at(ins)
        words = [expand(w, variables)[0] for w in ins.args]
        sources, dest = words[:-1], words[-1]
        sources = [s for s in sources if not s.startswith("<<")]  # heredoc names (`<<EOF`, `<<-EOF`)
        if not sources:
            return
        dest_abs = posixpath.normpath(posixpath.join(state.workdir, dest)) if dest else state.workdir
        dest_is_dir = dest.endswith("/") or dest.endswith("/.") or dest == "." or len(sources) > 1 \
            or dest_abs in BIN_DIRS or dest_abs == "/"
        from_ref = ins.flag("from") if ins.keyword == "COPY" else None
        if from_ref:
            source, label = self._source_presence(stage, ins, from_ref, variables)
        else:
            source, label = None, "the build context"
        for src in sources:
            self._copy_one(stage, ins, state, src, dest_abs, dest_is_dir, source, label, from_ref is not None)

    def _source_presence(self, stage, ins, from_ref, variables):
        """(Presence of what COPY --from reads, its label for messages)."""
        src_stage = copy_source_stage(self.model, stage, ins)
        if src_stage is not None:
            return self.final(src_stage), f"stage `{src_stage.label}`"
        text = expand(from_ref, variables)[0]
        ref = ImageRef.parse(text)
        if ref.unresolved or "$" in text:
            return Presence(), f"`{text}`"
        if ref.is_scratch:
            return Presence(complete=True), "`scratch`"
        facts = self.model.catalog.facts(ref) if self.model.catalog is not None else None
        presence = _facts_presence(facts, Origin(stage, ins, text)) if facts is not None else Presence()
        return presence, f"`{text}`"

    def _copy_one(self, stage, ins, state, src, dest_abs, dest_is_dir, source, label, from_other):
        is_url = "://" in src or src.startswith("git@")
        src_path = src.split("?", 1)[0].rstrip("/") if is_url else src
        src_base = posixpath.basename(src_path.rstrip("/")) if src_path not in ("/", "") else ""
        added: List[str] = []
        if from_other and source is not None:
            src_abs = posixpath.normpath(posixpath.join("/", src))
            known = source.shells
            if (src_abs == "/busybox" or src_abs.startswith("/busybox/")) and "/busybox/sh" not in known:
                known = {**known, "/busybox/sh": None}  # a busybox install tree
            glob = any(c in src for c in "*?[")
            for path in known:
                if path == src_abs:
                    added.append(posixpath.join(dest_abs, src_base) if dest_is_dir else dest_abs)
                elif glob and fnmatch.fnmatchcase(path, src_abs):
                    added.append(posixpath.join(dest_abs, posixpath.basename(path)))
                elif src_abs == "/" or path.startswith(src_abs + "/"):
                    rel = path[len(src_abs):].lstrip("/") if src_abs != "/" else path.lstrip("/")
                    added.append(posixpath.normpath(posixpath.join(dest_abs, rel)))
            if src_base in SHELL_NAMES and not glob and not any(p == src_abs for p in known):
                added.append(posixpath.join(dest_abs, src_base) if dest_is_dir else dest_abs)
            # Onto `/`, a source that is not plainly a built binary (`/go/bin/app`,
            # `target/release/app`) is taken as a root file system being assembled.
            onto_root = dest_abs == "/" and \
                posixpath.basename(posixpath.dirname(src_abs)) not in ("bin", "sbin", "release")
            # (Nothing to do when the state is already incomplete, as after any RUN.)
            if state.complete and not source.complete and src_base not in SHELL_NAMES and (
                    src_abs in SHELL_DIRS or glob or onto_root or _dir_onto_bin(src, src_base, dest_abs)):
                state.complete = False  # a directory of unknown contents: maybe a shell in it
        else:
            # Build context, URL or git source: contents unknown; judge by name.
            if ins.keyword == "ADD" and not is_url and _ARCHIVE.search(src):
                state.complete = False  # ADD unpacks local archives: a root file system, maybe
                return
            target = posixpath.join(dest_abs, src_base) if dest_is_dir and src_base else dest_abs
            if posixpath.basename(target) in SHELL_NAMES and posixpath.dirname(target) in BIN_DIRS:
                added.append(target)
            elif state.complete and (_dir_onto_bin(src, src_base, dest_abs) or (
                    (dest_abs in SHELL_DIRS or dest_abs in BIN_DIRS) and (
                        any(c in src for c in "*?[") or src.startswith("git@") or src.endswith(".git")))):
                state.complete = False  # a directory copied onto / or a bin dir: maybe a shell
        for path in added:
            if path not in state.shells:
                state.shells[path] = Origin(stage, ins, f"`{src}` copied from {label}")


class _Removals:
    """What one RUN takes away: packages by name (`apk del`, `apt-get purge`, `pip uninstall`),
    the package managers they are, and paths (`rm`). Kept on the RUN analysis, which is
    shared and never changed (model/stages.py), so a script that recurs is read once."""

    __slots__ = ("packages", "managers", "paths", "pip_files", "_removals", "_removes")
    _MEMO_LIMIT = 256  # paths asked about per RUN: shells and package managers' files, a few dozen

    def __init__(self, run: RunAnalysis):
        packages = set(run.removed())
        for op in run.package_ops:  # `npm uninstall -g npm`, `pip uninstall -y pip`
            if op.action in ("uninstall", "remove", "rm", "un", "r") and op.manager in ("npm", "pip"):
                packages.update(_package_base(w) for w in op.words[2:] if not w.startswith("-"))
        self.packages = frozenset(packages)
        self.managers = frozenset(_MANAGER_REMOVE_PACKAGES[p] for p in packages if p in _MANAGER_REMOVE_PACKAGES)
        self.paths = tuple(run.removed_paths)
        self.pip_files = any("site-packages/pip" in r for r in self.paths)
        self._removals = tuple(_removal(r) for r in self.paths)
        self._removes: Dict[str, bool] = {}

    def removes(self, path: str) -> bool:
        """Does one of this RUN's `rm` arguments delete `path`?"""
        found = self._removes.get(path)
        if found is None:
            found = any(_deletes(removal, path) for removal in self._removals)
            if len(self._removes) < self._MEMO_LIMIT:
                self._removes[path] = found
        return found


def _removals(run: RunAnalysis) -> _Removals:
    found = run.__dict__.get("_surface_removals")
    if found is None:
        found = run.__dict__["_surface_removals"] = _Removals(run)
    return found


def _mount_may_supply(stage: Stage, ins: Instruction, program: str) -> bool:
    """Does one of this RUN's bind/cache mounts land where `program` is looked for?"""
    for spec in ins.flag_values("mount"):
        spec = expand(spec, stage.vars_at(ins))[0]
        fields = {}
        for part in spec.split(","):
            key, _, value = part.partition("=")
            fields[key.strip().lower()] = value.strip()
        if fields.get("type", "bind") not in ("bind", "cache"):
            continue
        target = fields.get("target") or fields.get("dst") or fields.get("destination")
        if not target:
            continue
        target = posixpath.normpath(posixpath.join("/", target))
        if "/" in program:
            path = posixpath.normpath(program)
            if path == target or path.startswith(target.rstrip("/") + "/"):
                return True
        elif target in BIN_DIRS or target in ("/", "/usr"):
            return True
    return False


def _dir_onto_bin(src: str, src_base: str, dest_abs: str) -> bool:
    """A source that looks like a directory tree (`rootfs/`, `bin`, `.`) copied onto `/` or a
    bin directory: its contents, a shell maybe, land there."""
    return (dest_abs in SHELL_DIRS or dest_abs in BIN_DIRS) and (
        src.endswith("/") or src_base in _DIRLIKE or src in (".", "./"))


def removes_path(removed: str, path: str) -> bool:
    """Does `rm <removed>` delete `path`? (`/bin/sh`, `/busybox`, `/var/lib/apt/lists/*`)"""
    return _deletes(_removal(removed), path)


def _removal(removed: str) -> Optional[tuple]:
    """What `rm <removed>` deletes, read once for any number of paths: ("home", `~/x`),
    ("glob", pattern) or ("tree", path: it and everything under it); None: nothing we can tell."""
    if not removed or "$" in removed:
        return None
    r = removed
    while r.endswith("/*") or r.endswith("/**"):
        r = r[: r.rfind("/")]
    r = r.rstrip("/") or "/"
    if r.startswith("~/"):
        return "home", r
    r = posixpath.normpath(r)
    if any(c in r for c in "*?["):
        return "glob", r
    return "tree", r


def _deletes(removal: Optional[tuple], path: str) -> bool:
    if removal is None:
        return False
    how, r = removal
    if how == "home":
        return path.endswith(r[1:]) or ("/" + r[2:]) in path
    if how == "glob":
        return fnmatch.fnmatchcase(path, r)
    return path == r or path.startswith(r.rstrip("/") + "/")


def heredoc_shebang(ins: Instruction) -> Optional[str]:
    """For `RUN <<EOF` whose only command is the heredoc and whose body starts with `#!`:
    the interpreter BuildKit runs the script with (`/usr/bin/env X` gives X)."""
    if len(ins.heredocs) != 1:
        return None
    doc = ins.heredocs[0]
    if not re.fullmatch(r"\s*<<-?[\"']?" + re.escape(doc.name) + r"[\"']?\s*", ins.value or ""):
        return None
    first = doc.content.lstrip("\n").split("\n", 1)[0]
    if not first.startswith("#!"):
        return None
    words = first[2:].split()
    if not words:
        return None
    if posixpath.basename(words[0]) == "env" and len(words) > 1:
        rest = [w for w in words[1:] if not w.startswith("-")]
        return rest[0] if rest else None
    return words[0]


def net_os_installed(run: RunAnalysis) -> List[str]:
    """OS packages (apt/apk/dnf/...) this RUN installs and does not remove again, counting the
    official images' `apt-mark auto '.*' ... apt-get purge --auto-remove` idiom as a removal
    of everything installed by apt except what is `apt-mark manual`-ed by name.
    Kept on the analysis (never changed once made, model/stages.py): callers get a copy."""
    return list(_net_os_installed_kept(run))


def _net_os_installed_kept(run: RunAnalysis) -> tuple:
    found = run.__dict__.get("_net_os_installed")
    if found is None:
        found = run.__dict__["_net_os_installed"] = tuple(_net_os_installed(run))
    return found


def _net_os_installed(run: RunAnalysis) -> List[str]:
    net = set(run.net_installed())
    apt_marked_auto = any(w[:2] == ["apt-mark", "auto"] for w in run.commands)
    autoremove = any(op.manager == "apt" and op.action == "remove" and
                     ("--auto-remove" in op.words or "autoremove" in op.words) for op in run.package_ops)
    kept_manual = {_package_base(p) for w in run.commands if w[:2] == ["apt-mark", "manual"]
                   for p in w[2:] if not p.startswith("$") and not p.startswith("-")}
    out = []
    for op in run.package_ops:
        if op.action != "install" or op.manager not in OS_MANAGERS:
            continue
        for pkg in op.packages:
            base = _package_base(pkg)
            if base not in net or base in out:
                continue
            if op.manager == "apt" and apt_marked_auto and autoremove and base not in kept_manual:
                continue
            out.append(base)
    return out


def analysis(model: Model) -> SurfaceAnalysis:
    """The shared analysis of `model` (built once, cached on the model)."""
    found = model.__dict__.get("_surface_analysis")
    if found is None:
        found = SurfaceAnalysis(model)
        model.__dict__["_surface_analysis"] = found
    return found


def is_windows(stage: Stage) -> bool:
    """A Windows base (nanoserver, servercore, `--platform=windows/...`): no /bin/sh, no root
    user; Linux facts do not apply, whatever a catalog entry for the repository says.
    Kept on the stage: its chain and base do not change once the model is built."""
    found = stage.__dict__.get("_is_windows")
    if found is None:
        root = stage.root
        ref = root.image
        found = stage.__dict__["_is_windows"] = bool(
            (ref is not None and _WINDOWS.search(ref.raw)) or (root.platform or "").lower().startswith("windows"))
    return found


def runtime_runs(model: Model):
    """(stage, RUN, analysis) along the runtime stages, leaving out RUNs that hand work to a
    script whose contents are not in the Dockerfile (never judged) and RUNs whose text is not
    POSIX shell (`SHELL ["powershell", ...]`, Windows stages)."""
    return model.memo("runtime RUNs read as shell", lambda: tuple(
        (stage, ins, run) for stage in model.runtime_stages for ins, run in stage.runs()
        if not run.opaque and reads_as_posix_shell(model, stage, ins)))


def reads_as_posix_shell(model: Model, stage: Stage, ins: Instruction) -> bool:
    """Can this RUN's text be read as POSIX shell (what RunAnalysis reads)?"""
    if is_windows(stage):
        return False
    if ins.exec_form:
        return True
    shell = model.shell_at(stage, ins)
    name = posixpath.basename(shell[0]) if shell else "sh"
    return name in SHELL_NAMES and name not in ("fish", "tcsh", "csh")


def stage_of(model: Model, ins: Instruction) -> Optional[Stage]:
    for stage in model.stages:
        for candidate in stage.instructions:
            if candidate is ins:
                return stage
    return None


def first_origin(origins) -> Optional[Origin]:
    """The earliest origin in build order (the base's FROM first)."""
    origins = [o for o in origins if o is not None]
    if not origins:
        return None
    return min(origins, key=lambda o: (not o.from_base, o.stage.index, o.instruction.start_line))
