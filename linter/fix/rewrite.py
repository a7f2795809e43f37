"""The multi-stage rewrite: an unsafe fix of DSL101 (and of DSL102 when the target
stage itself builds) that keeps the building stage as it is, names it, and appends a
final stage on the suggested minimal image that copies only the artifact.

Nothing is guessed. The artifact comes from artifact tracking
(`dockerslim_lint.model.artifacts.build_outputs`), the image from the file's one
suggestion, the image's own ENTRYPOINT, user and programs from the catalog. When any
of them is unknown, or a RUN of the build stage may have left something the program
needs outside the copied paths, or the stage installs OS packages the new image does
not provide, the rewrite is refused with a one-line reason.

A rewrite is offered only after the tool itself parsed and linted the result: no
DSL001, DSL101, DSL102, DSL305, DSL306 or DSL5xx finding, and the estimated sizes
before and after are part of its description.

Go builds are never edited. The only edits of the build stage are an appended
`RUN npm prune --omit=dev` (Node) and a `--target` directory for `pip install`
(Python); everything else in the original stage stays byte for byte.
"""
from __future__ import annotations

from dockerslim_lint import records
import json
import posixpath
import re
from dockerslim_lint.records import field, record
from typing import Dict, List, Optional, Sequence, Tuple, Union

from dockerslim_lint.dockerfile.commands import is_build_tool_package
from dockerslim_lint.dockerfile.variables import expand

# Rules whose finding on the result makes the rewrite refused (docs/suggestions.md).
BLOCKING_RULES = ("DSL001", "DSL101", "DSL102", "DSL305", "DSL306")
BLOCKING_PREFIX = "DSL5"


# -- results ----------------------------------------------------------------------------

@record(frozen=True)
class Rewrite:
    """A checked rewrite: the new file text and the edits that make it from the original."""

    text: str
    edits: Tuple[Tuple[int, int, int, int, str], ...]  # (line, column, end_line, end_column, text), 1-based
    image: str
    language: str
    size_before_mb: Optional[float]
    size_after_mb: Optional[float]
    notes: Tuple[str, ...] = ()  # e.g. "HEALTHCHECK dropped: curl is not in the image"
    rule_id: str = "DSL101"

    @property
    def reduction(self) -> Optional[float]:
        """Estimated share of the image removed, 0..1 (None when a size is unknown)."""
        if not self.size_before_mb or self.size_after_mb is None:
            return None
        return max(0.0, 1.0 - self.size_after_mb / self.size_before_mb)

    @property
    def description(self) -> str:
        from dockerslim_lint.model.suggest import fmt_mb

        action = "build in a separate stage" if self.rule_id == "DSL101" else \
            "move the build into its own stage"
        text = (f"{action} and ship {self.image}: "
                f"{fmt_mb(self.size_before_mb)} -> {fmt_mb(self.size_after_mb)} plus the artifact")
        if self.notes:
            text += " (" + "; ".join(self.notes) + ")"
        return text


@record(frozen=True)
class Refusal:
    """Why no rewrite is offered, in one line. `category` groups reasons for the benchmark."""

    category: str  # "scope" | "image" | "artifact" | "need" | "command" | "run" | "packages" | "check"
    reason: str

    @property
    def description(self) -> str:
        return f"no multi-stage rewrite: {self.reason}"


Result = Union[Rewrite, Refusal]


class _Refused(Exception):
    def __init__(self, category: str, reason: str):
        super().__init__(reason)
        self.refusal = Refusal(category, reason)


def _refuse(category: str, reason: str):
    raise _Refused(category, reason)


# -- the plan for the new final stage ---------------------------------------------------

@record
class Plan:
    language: str
    copies: List[Tuple[str, str]] = field(default_factory=list)  # (path in the build stage, destination)
    argv: Tuple[str, ...] = ()  # the full command the container runs (interpreter included)
    entrypoint_len: int = 0  # how many leading words of argv were the original ENTRYPOINT
    env: List[Tuple[str, str]] = field(default_factory=list)  # ENV the rewrite adds (PYTHONPATH)
    build_appends: List[str] = field(default_factory=list)  # instructions appended to the build stage
    build_edits: List[Tuple[int, int, int, int, str]] = field(default_factory=list)
    interpreter: Tuple[str, ...] = ()  # the words the new image's ENTRYPOINT replaces ("node",)
    base_entrypoint: Tuple[str, ...] = ()  # the old base's own ENTRYPOINT that wraps argv (kept only
    # when the new image has the very same one)
    needs_user_files: bool = False


# Settings that only steer a build or a package manager: never copied into the final stage.
_BUILD_ONLY_ENV = re.compile(
    r"^(CGO_\w+|GO\w*|GOLANG_VERSION|CC|CXX|CFLAGS|CXXFLAGS|LDFLAGS|CPPFLAGS|PKG_CONFIG\w*|"
    r"RUSTFLAGS|RUSTUP_\w+|CARGO_\w+|RUST_VERSION|"
    r"npm_config_\w+|NPM_CONFIG_\w+|NPM_\w+|YARN_\w+|PNPM_\w+|NODE_VERSION|NODE_GYP\w*|"
    r"PIP_\w+|PIPENV_\w+|POETRY_\w+|UV_\w+|PDM_\w+|PYTHON_VERSION|PYTHON_PIP_VERSION|"
    r"PYTHON_SETUPTOOLS_VERSION|PYTHON_GET_PIP_\w+|PYTHON_SHA256|GPG_KEY|"
    r"MAVEN_\w+|GRADLE_\w+|JAVA_HOME|JAVA_VERSION|JDK_\w+|"
    r"DOTNET_SDK_VERSION|DOTNET_CLI_\w+|NUGET_\w+|DOTNET_NOLOGO|DOTNET_SKIP_FIRST_TIME_EXPERIENCE|"
    r"DEBIAN_FRONTEND|APT_\w+|PATH)$")


def is_build_only_env(name: str) -> bool:
    return bool(_BUILD_ONLY_ENV.match(name))


# Commands whose effects stay in the build stage or in the copied paths.
_QUIET_COMMANDS = {"echo", "printf", "ls", "cat", "true", "false", "set", "test", "[", "pwd", "env",
                   "go", "cargo", "rustup", "rustc", "mvn", "mvnw", "./mvnw", "gradle", "gradlew",
                   "./gradlew", "dotnet", "tsc", "npx", "gcc", "cc", "g++", "make", "strip",
                   "which", "uname", "sleep", "wait", "exit", "id", "whoami", "sha256sum", "md5sum",
                   "gpg", "go-wrapper", "file", "du", "df", "find", "grep", "head", "tail", "wc",
                   "sort", "javac", "upx"}
# Package managers: their OS-package effects are judged separately (runtime packages).
_PACKAGE_TOOLS = {"apt-get", "apt", "apk", "dnf", "yum", "microdnf", "zypper", "dpkg", "aptitude",
                  "apt-mark", "update-ca-certificates"}
# Tools that fetch into a path given on the command line (judged by where they write).
_FETCH = {"curl", "wget", "git"}
# Creating users is replaced by the new image's non-root user.
_USER_TOOLS = {"useradd", "adduser", "groupadd", "addgroup", "usermod"}
_PATH_WRITERS = {"mkdir", "chmod", "chown", "touch", "ln", "cp", "mv", "rm", "tar", "unzip", "install",
                 "rmdir", "chgrp"}


# -- entry point ------------------------------------------------------------------------

def plan_rewrite(model, context, lint_text=None) -> Optional[Result]:
    """The rewrite of `model`'s file, a Refusal, or None when neither DSL101 nor DSL102
    (target stage building) applies. Edits are on the parser's lines; the checked text is
    those lines joined with LF. `lint_text(text) -> findings` lints the result (default:
    the built-in rules with the context's catalog and suggestion family)."""
    stage, rule_id = _target_building_stage(model)
    if stage is None:
        return None
    cached = model.__dict__.get("_rewrite")
    if cached is not None:
        return cached
    try:
        result = _plan(model, context, stage, rule_id, lint_text)
    except _Refused as exc:
        result = exc.refusal
    model.__dict__["_rewrite"] = result
    return result


def attach(findings, model, context) -> None:
    """Give the DSL101/DSL102 findings of `model` the rewrite as an unsafe Fix, or, when it
    is refused, the one-line reason in `extra["rewrite"]` (reporters and --diff print it)."""
    wanted = [f for f in findings if f.rule_id in ("DSL101", "DSL102") and f.fix is None]
    if not wanted or _DEPTH[0]:
        return
    result = plan_rewrite(model, context)
    if result is None:
        return
    from dockerslim_lint.fix.edits import Edit, Fix

    for f in wanted:
        f.extra["rewrite"] = result.description
        if isinstance(result, Rewrite):
            f.fix = Fix(result.description, tuple(Edit(*e) for e in result.edits), False)


_DEPTH = [0]  # the self-check lints the result: no rewrite is planned inside it


def refusals(result) -> List[str]:
    """The one-line refusal of a linted file's rewrite (`no multi-stage rewrite: ...`), if any:
    what `--diff` prints for a file whose DSL101/DSL102 finding has no rewrite."""
    lines = []
    for f in result.findings:
        line = f.extra.get("rewrite") if f.rule_id in ("DSL101", "DSL102") else None
        if line and f.fix is None and line.startswith("no ") and line not in lines:
            lines.append(line)
    return lines


def _build_evidence(model, stage):
    try:
        from dockerslim_lint.model.suggest import build_evidence
    except ImportError:
        from dockerslim_lint.rules.build import build_evidence
    return build_evidence(model, stage)


def _target_building_stage(model):
    build_evidence = _build_evidence

    target = model.target
    if build_evidence(model, target) is None:
        return None, None
    return target, ("DSL101" if model.single_stage else "DSL102")


def _plan(model, context, stage, rule_id, lint_text) -> Result:
    if stage is not model.stages[-1]:
        _refuse("scope", "the target stage is not the last stage, so a new final stage would not be built")
    if any(s.name == "build" for s in model.stages if s is not stage) and stage.name is None:
        build_name = "build-stage"
    else:
        build_name = stage.name or "build"
    if any(s.name == build_name for s in model.stages if s is not stage):
        _refuse("scope", f"the stage name `{build_name}` is taken")
    if stage.parent is not None:
        _refuse("scope", "the building stage inherits from another stage (`FROM "
                f"{stage.parent.label}`), whose files the rewrite cannot tell apart")
    image, facts = _suggested_image(model, context)
    plan = _language_plan(model, context, stage, image, facts)
    _check_runs(model, stage, plan)
    _check_packages(model, stage, plan, image, facts)
    text, edits, notes = _render(model, stage, build_name, plan, image, facts)
    result = _self_check(model, context, text, edits, image, plan, notes, lint_text)
    return records.replace(result, rule_id=rule_id)


# -- the image --------------------------------------------------------------------------

def suggested(model, context) -> Tuple[Optional[str], str, bool]:
    """(image or None, reason, exact) of the file's one suggestion."""
    from dockerslim_lint.model import suggest as suggest_module

    if hasattr(suggest_module, "advice"):
        found = suggest_module.advice(model, context)
        return found.suggestion.image, found.suggestion.reason, found.exact
    proposal = suggest_module.suggest(model, context)
    if proposal is None:
        return None, "", False
    _, _, exact = suggest_module.choose(proposal.runtime, context.suggestion_family, context.catalog)
    return proposal.image, proposal.reason, exact


def _suggested_image(model, context):
    from dockerslim_lint.images.catalog import ImageRef

    image, reason, exact = suggested(model, context)
    if not image:
        reason = reason.strip().rstrip(",:;")
        _refuse("image", "no image suggested" + (f": {reason}" if reason else ""))
    if not exact:
        _refuse("image", f"{image} is not known to run this program at its version")
    facts = context.catalog.facts(ImageRef.parse(image))
    if facts is None:
        _refuse("image", f"the catalog has no facts for {image}")
    return image, facts


# -- per language -------------------------------------------------------------------------

def _outputs(model, stage, kinds) -> list:
    from dockerslim_lint.model.artifacts import build_outputs

    return [o for o in build_outputs(model, stage) if o.kind in kinds and not o.opaque and not o.via]


def _language_plan(model, context, stage, image, facts) -> Plan:
    from dockerslim_lint.model.runtime import detect

    runtime = detect(model)
    language = runtime.language
    planner = _PLANNERS.get(language)
    if planner is None:
        _refuse("artifact", f"no rewrite is known for {_LABEL.get(language, language or 'an unknown runtime')}")
    argv, ep_len, wrapper = _command_words(model, facts)
    outputs = _outputs(model, stage, _KINDS[language])
    plan = planner(model, stage, argv, ep_len, outputs, image, facts)
    plan.base_entrypoint = wrapper
    return plan


_LABEL = {"go": "Go", "rust": "Rust", "node": "Node.js", "python": "Python", "java": "Java",
          "dotnet": ".NET", "c": "C/C++"}
_KINDS = {"go": ("go-binary",), "rust": ("rust-binary",), "node": ("node-modules",),
          "python": ("python-env",), "java": ("jar",), "dotnet": ("dotnet-publish",), "c": ("c-binary",)}


def _command_words(model, facts) -> Tuple[Tuple[str, ...], int, Tuple[str, ...]]:
    """(argv, number of ENTRYPOINT words, the base's wrapper ENTRYPOINT kept) of the effective
    command, exec form; a shell form only when it is a plain word list. A base image's own
    ENTRYPOINT that wraps the file's CMD (`docker-entrypoint.sh`) is kept only when the new
    image has the very same one; what it does is not in the file."""
    entrypoint, cmd, known = model.effective_entrypoint_cmd
    if not known:
        _refuse("command", "the command the image runs is not known (the base's own is unknown)")
    wrapper: Tuple[str, ...] = ()
    if entrypoint is not None and entrypoint.instruction is None:
        if cmd is None or cmd.instruction is None:
            _refuse("command", "no ENTRYPOINT or CMD in this file says what the image runs "
                               f"(the base's is `{' '.join(entrypoint.args)}`)")
        if tuple(facts.entrypoint or ()) != tuple(entrypoint.args):
            _refuse("command", f"the base image's ENTRYPOINT `{' '.join(entrypoint.args)}` wraps the "
                               "command, and what it does is not in this file")
        wrapper, entrypoint = tuple(entrypoint.args), None
    if cmd is not None and cmd.instruction is None:
        _refuse("command", f"no ENTRYPOINT or CMD in this file says what the image runs "
                           f"(the base's is `{' '.join(cmd.args)}`)")
    parts: List[str] = []
    ep_len = 0
    for part, name in ((entrypoint, "ENTRYPOINT"), (cmd, "CMD")):
        if part is None:
            continue
        if part.exec_form:
            words = list(part.args)
        else:
            words = _plain_words(part.args[0] if part.args else "")
            if words is None:
                _refuse("command", f"the shell-form {name} at line {part.instruction.start_line} "
                                   "is not a plain command line")
        if name == "ENTRYPOINT":
            ep_len = len(words)
        parts.extend(words)
    if not parts:
        _refuse("command", "no ENTRYPOINT or CMD says what the image runs")
    if any("$" in w for w in parts):
        _refuse("command", "the command refers to variables, which exec form does not expand")
    return tuple(parts), ep_len, wrapper


_PLAIN = re.compile(r"^[A-Za-z0-9_./:,=@%+-]+$")


def _plain_words(text: str) -> Optional[List[str]]:
    words = text.split()
    if words and words[0] == "exec":
        words = words[1:]
    if not words or not all(_PLAIN.match(w) for w in words):
        return None
    return words


def _abs(path: str, workdir: str) -> str:
    return posixpath.normpath(path if path.startswith("/") else posixpath.join(workdir or "/", path))


def _workdir_at(model, stage, instruction) -> Optional[str]:
    from dockerslim_lint.model.artifacts import workdir_at

    return workdir_at(model, stage, instruction)


def _final_workdir(model, stage) -> Optional[str]:
    from dockerslim_lint.model.artifacts import _workdirs

    return _workdirs(model, stage).get("end")


def _stage_path_dirs(model, stage) -> Optional[List[str]]:
    value = stage.variables.get("PATH")
    if value is None:
        facts = model.facts_of(stage)
        value = getattr(facts, "path_env", None)
    if value is None or "$" in value:
        return None
    return [p for p in value.split(":") if p]


def _resolve_program(model, stage, word: str) -> Optional[List[str]]:
    """Absolute paths `word` may run, in lookup order; None when the WORKDIR or PATH is unknown."""
    if "/" in word:
        if word.startswith("/"):
            return [posixpath.normpath(word)]
        workdir = _final_workdir(model, stage)
        return None if workdir is None else [_abs(word, workdir)]
    dirs = _stage_path_dirs(model, stage)
    return None if dirs is None else [posixpath.join(d, word) for d in dirs]


def _native_plan(model, stage, argv, ep_len, outputs, image, facts) -> Plan:
    """Go, Rust, C/C++: copy the one binary the command runs, to the same path. Go: the `-o`
    file or a `go install` into its bin folder; Rust: a named `--bin` or `cargo install --root`;
    C/C++: the `-o` file of a compiler command (not `make`, whose outputs are not in the file)."""
    if not outputs:
        _refuse("artifact", "the build's output is not known" + (
            " (make, cmake and configure builds are not read)" if _opaque_native(model, stage) else ""))
    candidates = _resolve_program(model, stage, argv[0])
    if candidates is None:
        _refuse("need", f"where `{argv[0]}` is looked up (WORKDIR or PATH) is not known")
    program, output = None, None
    for path in candidates:
        for o in outputs:
            if _runs_output(path, o):
                program, output = path, o
                break
        if program:
            break
    if program is None:
        known = ", ".join(p for o in outputs for p in o.paths)
        if not known:
            _refuse("artifact", "where the build puts its output is not known (`cargo install` without "
                                "`--root`, an unknown WORKDIR or GOPATH)")
        if any(not o.exact and o.kind == "go-binary" and "install" not in o.command[1:3] for o in outputs):
            _refuse("artifact", "`go build` without `-o` names its output after the module, which is "
                                "not in this file")
        _refuse("command", f"the command `{argv[0]}` does not run the build's output ({known})")
    _check_native(model, output, image, facts)
    language = {"go-binary": "go", "rust-binary": "rust", "c-binary": "c"}[output.kind]
    if "/" not in argv[0]:
        # Found along the build stage's PATH (/go/bin, /usr/local/cargo/bin), which is not the new
        # image's: the final command names the copied program by its path.
        argv = (program,) + tuple(argv[1:])
    return Plan(language, copies=[(program, program)], argv=argv, entrypoint_len=ep_len)


def _opaque_native(model, stage) -> bool:
    from dockerslim_lint.model.artifacts import build_outputs

    return any(o.opaque for o in build_outputs(model, stage))


def _runs_output(path: str, output) -> bool:
    for out_path in output.paths:
        if "$" in out_path or "*" in out_path:
            continue
        if output.exact:
            if path == out_path:
                return True
            continue
        if posixpath.dirname(path) != out_path:
            continue
        words = list(output.command)
        if output.kind == "go-binary":
            return "install" in words[1:3]  # go install: any program of the bin folder
        if output.kind == "rust-binary":
            if "install" in words[1:3]:
                return True
            name = posixpath.basename(path)
            return any(w == "--bin" and k + 1 < len(words) and words[k + 1] == name or w == f"--bin={name}"
                       for k, w in enumerate(words))
    return False


def _check_native(model, output, image, facts) -> None:
    """Only a static build (Go: CGO_ENABLED=0 or static link flags; Rust: a musl or
    crt-static target) ships on an image without a C library; a dynamic build, or one
    whose linking is unknown, needs glibc at least the builder's (distroless base/cc-debianN
    with N at least the builder's Debian release)."""
    label = {"go-binary": "Go", "rust-binary": "Rust", "c-binary": "C/C++"}[output.kind]
    if output.kind == "go-binary" and output.cgo is not False and getattr(facts, "libc", None) is None:
        # Static link flags make a static binary only under external linking, which the file
        # does not show: only CGO_ENABLED=0 ships on an image without a C library.
        _refuse("need", f"only a Go build with CGO_ENABLED=0 ships on {image}, which has no C library")
    if output.static:
        return
    why = "dynamically linked" if output.static is False else "perhaps dynamically linked (its linking is not known)"
    if getattr(facts, "libc", None) != "glibc":
        _refuse("need", f"the {label} binary is {why}, so it needs glibc, which {image} lacks")
    if output.libc not in (None, "glibc"):
        _refuse("need", f"the {label} binary links {output.libc}, which {image} does not provide")
    built = output.glibc_version or getattr(model.facts_of(output.stage), "glibc_version", None)
    runs = getattr(facts, "glibc_version", None)
    if built is None or runs is None:
        _refuse("need", f"the {label} binary is {why}, and the glibc version of the builder or of the "
                        "image is not known")
    from dockerslim_lint.model.artifacts import version_lt

    if version_lt(runs, built) is not False:
        _refuse("need", f"the {label} build links glibc {built}, newer than the {runs} of {image}")


def _node_plan(model, stage, argv, ep_len, outputs, image, facts) -> Plan:
    prog = argv[0].rsplit("/", 1)[-1]
    if prog in ("npm", "yarn", "pnpm", "npx"):
        shown = " ".join(argv[:3] if len(argv) > 2 and argv[1] == "run" else argv[:2])
        _refuse("command", f"`{shown}` runs a package.json script, which is not in this file")
    if prog not in ("node", "nodejs"):
        _refuse("command", f"the command `{argv[0]}` is not node")
    script_at = _node_script_index(argv)
    if script_at is None:
        _refuse("command", "node is run without a script file (or with -e/-p)")
    folders = sorted({posixpath.dirname(p) for o in outputs for p in o.paths
                      if o.exact and p.endswith("/node_modules")})
    if len(folders) != 1 or folders[0] in ("/", ""):
        _refuse("artifact", "the app folder holding node_modules is not known")
    app = folders[0]
    workdir = _final_workdir(model, stage)
    if workdir != app:
        _refuse("artifact", f"the app folder {app} is not the final WORKDIR ({workdir or 'unknown'})")
    script = _abs(argv[script_at], workdir)
    if not script.startswith(app + "/"):
        _refuse("command", f"the script {argv[script_at]} is outside the app folder {app}")
    plan = Plan("node", copies=[(app, app)], argv=argv, entrypoint_len=ep_len, interpreter=("node", "nodejs"))
    if _npm_installed_dev_deps(stage):
        plan.build_appends.append("RUN npm prune --omit=dev")
    return plan


_NODE_VALUE_OPTIONS = {"-r", "--require", "--import", "--loader", "--experimental-loader", "--env-file",
                       "--title", "--inspect-port", "-C", "--conditions"}


def _node_script_index(argv) -> Optional[int]:
    """Where the script is in `node [options] script [args]`; None for -e/-p or no script."""
    k = 1
    while k < len(argv):
        word = argv[k]
        if word in ("-e", "--eval", "-p", "--print", "-i", "--interactive", "-"):
            return None
        if not word.startswith("-"):
            return k
        k += 2 if word in _NODE_VALUE_OPTIONS else 1
    return None


def _user_at(stage, instruction) -> Optional[str]:
    """The USER (as written) in force when `instruction` runs (None: the base's default);
    instruction None: at the end of the stage."""
    user = None
    for ins in stage.instructions:
        if ins is instruction:
            break
        if ins.keyword == "USER":
            user = (ins.args[0] if ins.args else ins.value).strip()
    return user


def _npm_installed_dev_deps(stage) -> bool:
    """True when an npm install/ci of the stage kept devDependencies (no --omit=dev, --production
    or NODE_ENV=production when it ran), and a `npm prune` appended at the end of the stage
    would run as the same user as that install (else it could not delete their files)."""
    found = False
    for ins, run in stage.runs():
        for op in run.package_ops:
            if op.action != "install" or op.packages or op.manager not in ("npm", "yarn", "pnpm"):
                continue
            if op.manager != "npm":
                return False  # `npm prune` does not manage yarn/pnpm trees: the devDependencies ship
            words = " ".join(op.words)
            if "--omit=dev" in words or "--production" in words or "--only=prod" in words:
                continue
            if stage.vars_at(ins).get("NODE_ENV") == "production":
                continue
            if _user_at(stage, ins) != _user_at(stage, None):
                return False  # the prune would run as another user: the devDependencies ship
            found = True
    return found


# Console scripts that are also runnable as `python -m <module>` (the module is the package's).
_PYTHON_MODULE_SCRIPTS = {"gunicorn": "gunicorn", "uvicorn": "uvicorn", "flask": "flask",
                          "celery": "celery", "streamlit": "streamlit", "hypercorn": "hypercorn",
                          "daphne": "daphne", "waitress-serve": "waitress"}
_PIP_INSTALL = re.compile(r"\b(?:pip3?(?:\.\d+)?|python3?(?:\.\d+)? -m pip) install\b")
_PIP_TOOLING = {"pip", "setuptools", "wheel", "pip-tools", "virtualenv"}
DEPS_DIR = "/deps"


def _python_plan(model, stage, argv, ep_len, outputs, image, facts) -> Plan:
    """The app folder plus the packages: an existing virtualenv or --target tree, or the
    packages installed in place, moved into a --target tree (the one edit made to the build:
    `--target=/deps` on its `pip install`s). The interpreter must be the same X.Y (DSL504)."""
    builder = model.facts_of(stage)
    built_with = builder.runtime_version if builder is not None and builder.runtime == "python" else None
    if built_with is None:
        _refuse("need", "the Python version the packages were installed with is not known")
    if facts.runtime != "python" or facts.runtime_version != built_with:
        _refuse("need", f"{image} does not run Python {built_with}, the version the packages were built for")
    workdir = _final_workdir(model, stage)
    if not workdir or workdir == "/":
        _refuse("artifact", "the app folder is not known (no WORKDIR)")
    if "PYTHONPATH" in stage.variables:
        _refuse("need", "the file sets PYTHONPATH, which the rewrite would have to merge")
    plan = Plan("python", argv=argv, entrypoint_len=ep_len, interpreter=("python", "python3"))
    trees = [o for o in outputs if o.exact]
    if trees:
        site = []
        for o in trees:
            if o.interpreter_version not in (None, built_with):
                _refuse("need", f"the environment {o.paths[0]} is built for Python {o.interpreter_version}")
            path = o.paths[0]
            words = list(o.command)
            if any(w in ("--prefix", "--user") or w.startswith("--prefix=") for w in words):
                _refuse("artifact", f"a pip --prefix/--user tree ({path}) is not rewritten")
            is_venv = "venv" in words or "virtualenv" in words[0] or words[:2] == ["uv", "venv"]
            site.append(f"{path}/lib/python{built_with}/site-packages" if is_venv else path)
            plan.copies.append((path, path))
        plan.env.append(("PYTHONPATH", ":".join(site)))
    else:
        plan.build_edits.extend(_pip_target_edits(model, stage))
        plan.copies.append((DEPS_DIR, DEPS_DIR))
        plan.env.append(("PYTHONPATH", DEPS_DIR))
    if not any(_under(workdir, [src]) for src, _ in plan.copies):
        plan.copies.append((workdir, workdir))
    prog = argv[0].rsplit("/", 1)[-1]
    if re.match(r"^python(3(\.\d+)?)?$", prog):
        if len(argv) < 2:
            _refuse("command", "python is run without a script or module")
        plan.argv = ("python3",) + tuple(argv[1:]) if "/" in argv[0] else tuple(argv)
    elif prog in _PYTHON_MODULE_SCRIPTS:
        plan.argv = ("python3", "-m", _PYTHON_MODULE_SCRIPTS[prog]) + tuple(argv[1:])
        plan.entrypoint_len = 0
    else:
        _refuse("command", f"the command `{argv[0]}` is not python or a known module's script")
    return plan


def _pip_target_edits(model, stage) -> List[Tuple[int, int, int, int, str]]:
    """`--target=/deps` after each `pip install` of the stage that installs the app's packages."""
    edits = []
    lines = model.parsed.lines
    for ins, run in stage.runs():
        pip_ops = [op for op in run.package_ops if op.manager == "pip" and op.action == "install"]
        if not pip_ops:
            continue
        wanted = []
        for op in pip_ops:
            words = op.words
            if any(w in ("--user", "-e", "--editable", "--prefix", "--root", "--target", "-t") or
                   w.startswith(("--prefix=", "--target=", "--root=", "--editable=")) for w in words):
                _refuse("artifact", f"the pip install at line {ins.start_line} uses an option the "
                                    "rewrite does not move (--user, --prefix, --target, -e)")
            names = {re.split(r"[=<>~\[]", p, maxsplit=1)[0].lower() for p in op.packages}
            wanted.append(not (names and names <= _PIP_TOOLING and "-r" not in words))
        user = _user_at(stage, ins)
        if user is not None and user.split(":")[0] not in ("root", "0"):
            _refuse("artifact", f"the pip install at line {ins.start_line} runs as USER {user}, "
                                f"which cannot create {DEPS_DIR}")
        found = []
        for number in range(ins.start_line, ins.end_line + 1):
            for m in _PIP_INSTALL.finditer(lines[number - 1]):
                found.append((number, m.end() + 1))
        if len(found) != len(pip_ops):
            _refuse("artifact", f"the pip install at line {ins.start_line} could not be located in the text")
        for (number, column), want in zip(found, wanted):
            if want:
                edits.append((number, column, number, column, f" --target={DEPS_DIR}"))
    if not edits:
        _refuse("artifact", "no pip install of the app's packages was found")
    return edits


def _java_plan(model, stage, argv, ep_len, outputs, image, facts) -> Plan:
    """The jar that `java [JVM options] -jar <jar>` runs, from a Maven target/ or Gradle
    build/libs/. JVM options cannot pass through the image's `java -jar` ENTRYPOINT: with
    options, the final stage sets its own ENTRYPOINT on the image's java."""
    if argv[0].rsplit("/", 1)[-1] != "java" or "-jar" not in argv or argv.index("-jar") + 1 >= len(argv):
        _refuse("command", "the command is not `java [options] -jar <file>`")
    at = argv.index("-jar")
    options, jar_word, args = argv[1:at], argv[at + 1], argv[at + 2:]
    if any(not o.startswith("-") for o in options) or any(o in ("-cp", "-classpath", "--class-path")
                                                          for o in options):
        _refuse("command", "the JVM options take values or a class path that the rewrite does not read")
    workdir = _final_workdir(model, stage)
    if workdir is None and not jar_word.startswith("/"):
        _refuse("need", "the WORKDIR the jar path is relative to is not known")
    jar = _abs(jar_word, workdir or "/")
    if "*" in jar or "$" in jar or not jar.endswith(".jar"):
        _refuse("artifact", f"the jar the command runs ({jar_word}) is not one named file")
    if not any(posixpath.dirname(jar) == p for o in outputs for p in o.paths):
        _refuse("artifact", f"the jar the command runs ({jar_word}) is not in a build's target/ or build/libs/")
    plan = Plan("java", copies=[(jar, jar)], argv=argv, entrypoint_len=ep_len, interpreter=("java", "-jar"))
    base_ep = tuple(facts.entrypoint or ())
    if options and base_ep and base_ep[-1] == "-jar":
        plan.argv = (base_ep[0],) + tuple(options) + ("-jar", jar_word) + tuple(args)
        plan.entrypoint_len = len(options) + 3
        plan.interpreter = ()
    return plan


def _dotnet_plan(model, stage, argv, ep_len, outputs, image, facts) -> Plan:
    folders = sorted({p for o in outputs if o.exact for p in o.paths})
    if len(folders) != 1:
        _refuse("artifact", "the `dotnet publish -o` folder is not known")
    folder = folders[0]
    workdir = _final_workdir(model, stage)
    if argv[0].rsplit("/", 1)[-1] == "dotnet":
        if len(argv) < 2 or not argv[1].endswith(".dll"):
            _refuse("command", "dotnet is not run with an app .dll")
        target = argv[1]
    else:
        target = argv[0]
    if workdir is None and not target.startswith("/"):
        _refuse("need", "the WORKDIR the command is relative to is not known")
    if not _abs(target, workdir or "/").startswith(folder.rstrip("/") + "/"):
        _refuse("command", f"the command does not run a file of the publish folder {folder}")
    web_settings = sorted(k for k in stage.variables if k.startswith("ASPNETCORE_"))
    if web_settings and "/aspnet:" not in image and "/aspnet@" not in image:
        _refuse("need", f"the app looks like ASP.NET Core ({web_settings[0]}), which {image} does not run")
    # Always as ENTRYPOINT: the .NET runtime images' own ENTRYPOINT (the dotnet host) must not
    # wrap the command, whatever the catalog says about it.
    return Plan("dotnet", copies=[(folder, folder)], argv=argv, entrypoint_len=ep_len or len(argv))


_PLANNERS = {"go": _native_plan, "rust": _native_plan, "c": _native_plan, "node": _node_plan, "python": _python_plan,
             "java": _java_plan, "dotnet": _dotnet_plan}


# -- what the RUNs of the build stage leave behind ---------------------------------------

def _under(path: str, roots: Sequence[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def _check_runs(model, stage, plan: Plan) -> None:
    """Refuse when a RUN writes outside the copied paths something the program may need. Writes
    into the copied paths, the build's own folder (the final WORKDIR) and /tmp are fine."""
    allowed = [src for src, _ in plan.copies] + ["/tmp"]
    final = _final_workdir(model, stage)
    if final not in (None, "/"):
        allowed.append(final)

    def inside(path: Optional[str], cwd: Optional[str]) -> bool:
        if path is None or "$" in path or "*" in path or (cwd is None and not path.startswith("/")):
            return False
        return _under(_abs(path, cwd or "/"), allowed)

    for ins, run in stage.runs():
        line = ins.start_line
        if run.opaque:
            _refuse("run", f"the RUN at line {line} runs a script whose effects are unknown")
        cwd = _workdir_at(model, stage, ins)
        for words in run.commands:
            cmd = words[0]
            base = cmd.rsplit("/", 1)[-1]
            if cmd.isdigit():
                continue  # the `1` of a `2>&1` the reader splits at `&`
            if base == "cd":
                target = words[1] if len(words) > 1 else None
                cwd = None if target is None or "$" in target or target == "-" or (
                    cwd is None and not target.startswith("/")) else _abs(target, cwd or "/")
                continue
            for target in _redirect_targets(words):
                if target != "/dev/null" and not inside(target, cwd):
                    _refuse("run", f"the RUN at line {line} writes {target}, outside the copied paths, "
                                   "which may be needed at run time")
            if base in ("python", "python3") and "setup.py" in words[1:3]:
                _refuse("run", f"the RUN at line {line} installs with setup.py into the interpreter's "
                               "own site-packages, which is not copied")
            if re.match(r"^python(\d(\.\d+)?)?$", base) and words[1:2] == ["-m"] and \
                    words[2:3] and words[2] in ("pip", "venv", "virtualenv", "compileall", "py_compile"):
                continue  # package installs (judged apart), environments (outputs), byte-compiling
            if base in _QUIET_COMMANDS or cmd in _QUIET_COMMANDS or base in _PACKAGE_TOOLS:
                continue
            if base in ("npm", "yarn", "pnpm", "pip", "pip3") or re.match(r"^pip3\.\d+$", base):
                continue  # their installs are the artifact (node_modules, the Python env) or build-only
            if base in _USER_TOOLS or base in _SHELL_BUILTINS:
                continue  # users: the final stage runs as the new image's non-root user
            if base in _FETCH:
                if base == "git" and (len(words) < 2 or words[1] != "clone"):
                    continue  # git config/checkout/submodule: the build's own tree
                target = _fetch_target(words)
                if target is None and base != "git":
                    continue  # to standard output (piped into something judged on its own)
                if inside(target if target is not None else ".", cwd):
                    continue
                _refuse("run", f"the RUN at line {line} fetches into {target or cwd or 'an unknown folder'}, "
                               "outside the copied paths, which may be needed at run time")
            if base in ("tar", "unzip"):
                dest = _option_after(words, ("-C", "--directory", "-d"))
                if inside(dest if dest is not None else ".", cwd):
                    continue
                _refuse("run", f"the RUN at line {line} unpacks into {dest or cwd or 'an unknown folder'}, "
                               "outside the copied paths, which may be needed at run time")
            if base in _PATH_WRITERS:
                paths = [w for w in words[1:] if not w.startswith("-")]
                if base in ("chown", "chgrp", "chmod") and paths:
                    paths = paths[1:]
                if base in ("rm", "rmdir") or all(inside(p, cwd) for p in paths):
                    continue
                outside = next(p for p in paths if not inside(p, cwd))
                _refuse("run", f"the RUN at line {line} runs `{base}` on {outside}, outside the copied "
                               "paths, which may be needed at run time")
            _refuse("run", f"the RUN at line {line} runs `{base}`, whose effect at run time is unknown")


def _redirect_targets(words: List[str]) -> List[str]:
    """Files a simple command's output redirections write (`> f`, `>>f`, `2>f`, `&>f`)."""
    out = []
    for k, w in enumerate(words):
        m = re.match(r"^(?:\d|&)?>>?(.*)$", w)
        if not m:
            continue
        target = m.group(1) or (words[k + 1] if k + 1 < len(words) else "")
        if target and not target.startswith("&"):
            out.append(target)
    return out


_SHELL_BUILTINS = {"export", "unset", ":", "[[", "shopt", "umask", "trap", "hash", "type", "return"}


def _option_after(words: List[str], names) -> Optional[str]:
    for k, w in enumerate(words):
        if w in names and k + 1 < len(words):
            return words[k + 1]
        for name in names:
            if name.startswith("--") and w.startswith(name + "="):
                return w.split("=", 1)[1]
    return None


def _fetch_target(words: List[str]) -> Optional[str]:
    base = words[0].rsplit("/", 1)[-1]
    if base == "git":
        pos = [w for w in words[2:] if not w.startswith("-")]
        return pos[1] if len(pos) >= 2 else None
    for k, w in enumerate(words):
        if w in ("-o", "-O", "--output", "--output-document", "-P") and k + 1 < len(words):
            return words[k + 1]
    return None


# -- OS packages the stage installs ------------------------------------------------------

_DATA_PACKAGES = {"ca-certificates", "tzdata", "netbase"}


def _check_packages(model, stage, plan: Plan, image: str, facts) -> None:
    """Packages the stage installs that are not build tools must be provided by the new image."""
    installed = {p for _, run in stage.runs() for p in run.installed()}
    for ins, run in stage.runs():
        for op in run.package_ops:
            if op.action != "install" or op.manager in ("pip", "npm", "yarn", "pnpm", "gem"):
                continue
            for pkg in op.packages:
                name = re.split(r"[=<>~@]", pkg, maxsplit=1)[0].split(":")[0].lower()
                if "$" in name:
                    _refuse("packages", f"the RUN at line {ins.start_line} installs packages named by a variable")
                if name in _DATA_PACKAGES or name in ("git", "curl", "wget", "gnupg", "gpg", "unzip",
                                                      "xz-utils", "bzip2", "pkg-config", "pkgconf"):
                    continue
                if is_build_tool_package(name):
                    if name.endswith(("-dev", "-devel")) and name not in ("libc6-dev", "libc-dev", "musl-dev",
                                                                          "linux-libc-dev", "linux-headers") \
                            and plan.language not in ("go",):
                        _refuse("packages", f"the build links against {name}, whose runtime library "
                                            f"{image} may not ship")
                    continue
                if plan.language == "go" and _is_go_toolchain(name):
                    continue
                if plan.language == "node" and re.match(r"^python3?$", name) and _node_gyp(installed):
                    continue  # node-gyp's python3 (with make and g++): a build tool here
                _refuse("packages", f"the stage installs {name} (line {ins.start_line}), which {image} "
                                    "does not provide")


def _node_gyp(installed) -> bool:
    return "make" in installed and bool(installed & {"g++", "build-essential", "build-base"}) or \
        bool(installed & {"build-essential", "build-base"})


def _is_go_toolchain(name: str) -> bool:
    return name in ("go", "golang", "golang-go") or re.match(r"^golang-[\d.]+(-go)?$", name) is not None


# -- rendering ----------------------------------------------------------------------------

def _json(words: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(w) for w in words) + "]"


def _render(model, stage, build_name, plan: Plan, image, facts):
    """(new text, edits, notes). The new stage is written without continuations, so the
    file's escape character never matters; copied instructions keep their own text."""
    eol = "\n"  # the edit engine writes each newline with the line ending of its line
    notes: List[str] = []
    args_needed: Dict[str, str] = {}
    body: List[str] = []
    workdir = _final_workdir(model, stage)
    if any(ins.keyword == "WORKDIR" for ins in stage.instructions):
        if not workdir:
            _refuse("need", "the WORKDIR is not known")
        body.append(f"WORKDIR {workdir}")
    elif workdir and workdir != getattr(facts, "workdir", None):
        # The program ran in the old base's WORKDIR; the new image has another (distroless
        # :nonroot: /home/nonroot), and relative paths would move with it.
        body.append(f"WORKDIR {workdir}")
    body.extend(_env_lines(model, stage, args_needed, eol))
    for key, value in plan.env:
        body.append(f"ENV {key}={value}")
    for src, dst in plan.copies:
        body.append(f"COPY --from={build_name} {src} {dst}")
    for ins in stage.instructions:
        if ins.keyword in ("EXPOSE", "LABEL"):
            body.append(_as_written(ins, eol))
            _collect_args(ins.original, stage, args_needed)
    health = _healthcheck(model, stage, plan, facts, notes, eol)
    if health:
        body.append(health)
    user = _user_line(facts)
    if user:
        body.append(user)
    body.extend(_command_lines(plan, facts))
    new_stage = [f"FROM {image}"] + [f"ARG {decl}" for decl in args_needed.values()] + body

    lines = model.parsed.lines
    edits = []
    if stage.name is None:
        from_ins = stage.from_instruction
        last_line = lines[from_ins.end_line - 1]
        edits.append((from_ins.end_line, len(last_line) + 1, from_ins.end_line, len(last_line) + 1,
                      f" AS {build_name}"))
    n = len(lines)
    last = lines[n - 1] if n else ""
    final_ins = stage.instructions[-1] if stage.instructions else stage.from_instruction
    if final_ins.end_line == n and last.endswith(model.parsed.escape) and not final_ins.heredocs:
        _refuse("scope", "the file ends inside a line continuation")
    block = "".join(eol + line for line in plan.build_appends) + eol + eol + eol.join(new_stage)
    edits.append((n, len(last) + 1, n, len(last) + 1, block))
    edits.extend(plan.build_edits)
    edits = tuple(sorted(edits))
    text = apply_edits("\n".join(lines) + "\n", edits)
    return text, edits, tuple(notes)


def _as_written(ins, eol: str) -> str:
    """An instruction as written in the file (continuations kept, same escape character)."""
    return ins.original.replace("\n", eol)


_VAR_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _collect_args(text: str, stage, args_needed: Dict[str, str]) -> None:
    """ARG declarations the copied text refers to, redeclared in the new stage."""
    for name in _VAR_REF.findall(text):
        if name in args_needed or name in stage.env_names:
            continue
        decl = None
        for ins in stage.instructions:
            if ins.keyword == "ARG":
                for word in ins.args:
                    if word.split("=", 1)[0] == name:
                        decl = word
        args_needed[name] = decl or name  # a global ARG (before the first FROM): no default here


def _env_lines(model, stage, args_needed, eol) -> List[str]:
    out = []
    for ins in stage.instructions:
        if ins.keyword != "ENV":
            continue
        pairs = ins.key_values(raw=True)
        kept = [(k, v) for k, v in pairs if not is_build_only_env(k)]
        if not kept:
            continue
        declared = _arg_names(model, stage)
        for k, v in kept:
            for name in _VAR_REF.findall(v or ""):
                if name in stage.env_names and is_build_only_env(name):
                    _refuse("need", f"ENV {k} refers to the build-only setting {name}")
                if name not in stage.env_names and name not in declared:
                    _refuse("need", f"ENV {k} refers to {name} of the base image, whose value on the new "
                                    "image is not known")
        if len(kept) == len(pairs):
            out.append(_as_written(ins, eol))
        elif ins.legacy_kv:
            out.append(f"ENV {kept[0][0]} {kept[0][1]}")
        else:
            out.append("ENV " + " ".join(f"{k}={v}" for k, v in kept))
        _collect_args(" ".join(v or "" for _, v in kept), stage, args_needed)
    return out


def _arg_names(model, stage) -> set:
    names = set(model.global_args)
    for ins in stage.instructions:
        if ins.keyword == "ARG":
            names.update(word.split("=", 1)[0] for word in ins.args)
    return names


def _healthcheck(model, stage, plan, facts, notes, eol) -> Optional[str]:
    ins = None
    for candidate in stage.instructions:
        if candidate.keyword == "HEALTHCHECK":
            ins = candidate
    if ins is None:
        return None
    if ins.subcommand == "NONE":
        return _as_written(ins, eol)
    if not ins.exec_form:
        notes.append("HEALTHCHECK dropped: its shell form needs a shell, which the image lacks")
        return None
    program = ins.args[0] if ins.args else ""
    copied = {dst for _, dst in plan.copies}
    if program in copied or any(program.startswith(d.rstrip("/") + "/") for d in copied):
        return _as_written(ins, eol)
    has_program = getattr(facts, "has_program", None)
    present = has_program(program) if has_program is not None else None
    if present is True:
        return _as_written(ins, eol)
    if present is None and facts.kind == "slim-runtime" and facts.runtime and \
            program in _INTERPRETERS.get(facts.runtime, ()):
        return _as_written(ins, eol)  # a language image's own interpreter, on its PATH
    notes.append(f"HEALTHCHECK dropped: {program.rsplit('/', 1)[-1]} is not known to be in the image")
    return None


_INTERPRETERS = {"node": ("node",), "python": ("python", "python3"), "java": ("java",), "dotnet": ("dotnet",)}


def _user_line(facts) -> Optional[str]:
    user = getattr(facts, "default_user", None)
    if user in (None, "root", "0") or str(user).startswith("0:"):
        return "USER 65532:65532"
    return None


def _command_lines(plan: Plan, facts) -> List[str]:
    """The final stage's exec-form ENTRYPOINT/CMD, fitted to the new image's own ENTRYPOINT:
    an interpreter ENTRYPOINT (distroless nodejs, python3, java) takes the command without
    its leading `node`/`python3`/`java -jar`; the same wrapper as the old base's keeps the
    file's CMD; the file's own ENTRYPOINT is written again (it replaces the image's)."""
    argv = list(plan.argv)
    base_ep = tuple(facts.entrypoint or ()) if facts is not None else ()
    if plan.base_entrypoint:
        return [f"CMD {_json(argv)}"]  # the new image has the same wrapper ENTRYPOINT
    if base_ep and plan.interpreter and _is_interpreter(base_ep, plan.interpreter):
        k = 0
        if argv and _is_interpreter((argv[0],), plan.interpreter):
            k = 1
            if "-jar" in plan.interpreter and len(argv) > 1 and argv[1] == "-jar":
                k = 2
        if k == 0:
            _refuse("command", f"the command `{argv[0]}` does not start with the image's interpreter")
        return [f"CMD {_json(argv[k:])}"]
    if plan.entrypoint_len:
        out = [f"ENTRYPOINT {_json(argv[:plan.entrypoint_len])}"]
        if len(argv) > plan.entrypoint_len:
            out.append(f"CMD {_json(argv[plan.entrypoint_len:])}")
        return out
    if base_ep:
        _refuse("command", f"the image's own ENTRYPOINT `{' '.join(base_ep)}` would wrap the command")
    return [f"CMD {_json(argv)}"]


def _is_interpreter(words: Sequence[str], names: Sequence[str]) -> bool:
    """`/usr/bin/python3.13`, `/nodejs/bin/node`, `java` (with `-jar` when the names say so)."""
    prog = words[0].rsplit("/", 1)[-1]
    base = re.sub(r"\d+(\.\d+)*$", "", prog)
    if prog not in names and base not in names:
        return False
    return "-jar" not in names or len(words) == 1 or words[-1] == "-jar"


def apply_edits(text: str, edits) -> str:
    """Apply (line, column, end_line, end_column, replacement) edits through the edit engine."""
    from dockerslim_lint.fix.edits import Edit, apply

    return apply(text, [Edit(*e) for e in edits])


# -- the self-check ---------------------------------------------------------------------

def _self_check(model, context, text, edits, image, plan, notes, lint_text) -> Result:
    from dockerslim_lint.dockerfile.parser import parse
    from dockerslim_lint.model.stages import build_model
    from dockerslim_lint.model.suggest import estimate_current

    if lint_text is not None:
        findings = lint_text(text)
    else:
        _DEPTH[0] += 1
        try:
            findings = _lint(text, context)
        finally:
            _DEPTH[0] -= 1
    for f in findings:
        if f.rule_id in BLOCKING_RULES or f.rule_id.startswith(BLOCKING_PREFIX):
            _refuse("check", f"the result would still have {f.rule_id} at line {f.line}: {_short(f.message)}")
    parsed = parse(text.encode("utf-8"))
    new_model = build_model(parsed, catalog=context.catalog)
    _check_needs(new_model, context, image)
    before, _ = estimate_current(model, context.catalog)
    after, _ = estimate_current(new_model, context.catalog)
    return Rewrite(text, edits, image, plan.language, before, after, tuple(notes))


def _check_needs(new_model, context, image) -> None:
    """Every known need of the rewritten file's program is met by its image (the needs/provides
    model the suggestion and the DSL5xx rules share); a need known to be unmet refuses."""
    try:
        from dockerslim_lint.model.needs import needs_of, provides_of, unmet
    except ImportError:  # the needs/provides model is not there: the DSL5xx rules judged alone
        return
    provides = provides_of(new_model.base_facts, image, new_model)
    if provides is None:
        _refuse("check", f"the catalog has no facts for {image}")
    missing = unmet(needs_of(new_model), provides, strict=False)
    if missing:
        _refuse("check", f"on {image} {missing[0].clause}")


def _short(message: str, limit: int = 80) -> str:
    return message if len(message) <= limit else message[:limit - 1].rstrip() + "…"


def _lint(text: str, context):
    """The tool itself on the result: every rule, whatever the user selected, with the same
    catalog, suggestion family and build arguments (one Linter per such combination)."""
    from dockerslim_lint.engine.linter import Linter, Options
    from dockerslim_lint.engine.plugins import load_rules

    build_args = dict(context.options.build_args)
    key = (id(context.catalog), context.suggestion_family, tuple(sorted(build_args.items())))
    cached = _LINTERS.get(key)
    if cached is None or cached[0] is not context.catalog:  # an id can be reused by a new catalog
        rules, _ = load_rules()
        options = Options(suggestions=context.suggestion_family, build_args=build_args)
        cached = _LINTERS[key] = (context.catalog, Linter(rules, options, catalog=context.catalog))
    return cached[1].lint_bytes(text.encode("utf-8"), "<rewrite>").findings


_LINTERS: Dict[tuple, object] = {}
