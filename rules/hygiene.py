"""DSL401-DSL402: layer hygiene in the stages that ship.

Only runtime stages are judged (build stages' layers never reach the image). The result
counts, not the spelling: a cache mount or tmpfs on the tool's cache folder, or a
cleanup in the same RUN, leaves nothing behind. RUNs that hand work to a script whose
contents are not in the Dockerfile are not judged.
"""
import posixpath
import re

from dockerslim_lint import lazyre
from dockerslim_lint.engine.findings import Finding
from dockerslim_lint.engine.rule import rule
from dockerslim_lint.fix.fixes import cache_cleanup, no_install_recommends, wanted
from dockerslim_lint.model.surface import removes_path, runtime_runs
from dockerslim_lint.dockerfile.variables import expand

APT_LISTS = "/var/lib/apt/lists"
_APT_MOUNTS = ("/var/cache/apt", "/var/lib/apt")
_APK_CACHE = ("/var/cache/apk", "/etc/apk/cache")
_DNF_CACHE = ("/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5", "/var/cache/tdnf")
_DNF_MANAGERS = ("dnf", "yum", "microdnf")
_PIP_NO_CACHE_CONFIG = lazyre.compile(r"pip3?\s+config\s+(?:--\S+\s+)*set\s+\S*no-cache-dir|no[-_]cache[-_]dir\s*=", re.I)
_RECOMMENDS_OFF = re.compile(r"apt::install-recommends\s*(?:=|\s)\s*[\"']?(?:false|0|no|off)\b", re.I)


def _mount_targets(stage, ins):
    """Absolute targets of this RUN's `--mount=type=cache` / `type=tmpfs` mounts."""
    out = []
    for spec in ins.flag_values("mount"):
        spec = expand(spec, stage.vars_at(ins))[0]
        fields = {}
        for part in spec.split(","):
            key, eq, value = part.partition("=")
            fields[key.strip().lower()] = value.strip() if eq else ""
        if fields.get("type", "bind") not in ("cache", "tmpfs"):
            continue
        target = fields.get("target") or fields.get("dst") or fields.get("destination")
        if target:
            out.append(posixpath.normpath(target))
    return out


def _under_or_over(a, b):
    """Is path a the same as b, inside b, or a parent of b?"""
    return a == b or a.startswith(b.rstrip("/") + "/") or b.startswith(a.rstrip("/") + "/")


def _removed(run, path):
    return any(removes_path(r, path) for r in run.removed_paths)


def _find_deletes(run, path):
    """`find <path> ... -delete` (or `-exec rm`)."""
    for words in run.commands:
        if words and words[0].rsplit("/", 1)[-1] == "find" and ("-delete" in words or "rm" in words):
            if any(w.startswith("/") and removes_path(w, path) for w in words[1:]):
                return True
    return False


def _globs_in(run, folder):
    """`rm folder/<glob>`: the lists are files named `<host>_<path>_<suite>_...`, so any glob
    right inside the folder (`*_*`, `*.*`) may be what empties it. Silent rather than guess."""
    for r in run.removed_paths:
        if "$" in r:
            continue
        path = posixpath.normpath(r)
        if posixpath.dirname(path) == folder and any(c in posixpath.basename(path) for c in "*?["):
            return True
    return False


def _cleans(run, path):
    return _removed(run, path) or _find_deletes(run, path)


def _run_text(stage, ins, run):
    return " ".join(" ".join(words) for words in run.commands) + " " + (ins.value or "") + " " + \
        " ".join(d.content for d in ins.heredocs)


def _apt_problem(model, stage, ins, run, mounts):
    ops = [op for op in run.package_ops if op.manager == "apt" and op.action in ("install", "update")]
    if not ops:
        return None
    if any(m.startswith(p) or _under_or_over(m, p) for m in mounts for p in _APT_MOUNTS):
        return None
    if _cleans(run, APT_LISTS) or _globs_in(run, APT_LISTS):
        return None
    if any(op.manager == "apt" and op.action == "clean" and ("dist-clean" in op.words or "distclean" in op.words)
           for op in run.package_ops):
        return None
    tool = ops[0].words[0].rsplit("/", 1)[-1]
    verb = "install" if any(op.action == "install" for op in ops) else "update"
    return f"`{tool} {verb}`", "the package lists", APT_LISTS


def _apk_problem(model, stage, ins, run, mounts):
    dirty = [op for op in run.package_ops if op.manager == "apk" and op.action in ("install", "update")
             and "--no-cache" not in op.words and "--no-network" not in op.words]
    if not dirty:
        return None
    if any(_under_or_over(m, p) for m in mounts for p in _APK_CACHE):
        return None
    if any(_cleans(run, p) for p in _APK_CACHE):
        return None
    if any(op.manager == "apk" and op.action == "clean" for op in run.package_ops):
        return None
    verb = "apk update" if all(op.action == "update" for op in dirty) else "apk add"
    return f"`{verb}` without `--no-cache`", "the package index", "/var/cache/apk"


def _pip_problem(model, stage, ins, run, mounts):
    ops = [op for op in run.package_ops if op.manager == "pip" and op.action == "install"]
    dirty = [op for op in ops if not any(w.startswith("--no-cache") for w in op.words)
             and "--no-index" not in op.words]
    if not dirty:
        return None
    variables = stage.vars_at(ins)
    if variables.get("PIP_NO_CACHE_DIR") is not None or "PIP_NO_CACHE_DIR" in _run_text(stage, ins, run):
        return None
    cache_dir = variables.get("PIP_CACHE_DIR")
    for m in mounts:
        if m.endswith("/.cache") or m.endswith("/.cache/pip") or (cache_dir and _under_or_over(m, cache_dir)):
            return None
    for r in run.removed_paths:
        norm = r.rstrip("/*")
        if norm.endswith("/.cache") or norm.endswith("/.cache/pip") or norm in ("~/.cache", "~/.cache/pip") \
                or (cache_dir and removes_path(r, cache_dir)):
            return None
    if any(op.manager == "pip" and op.action == "cache" and ("purge" in op.words or "remove" in op.words)
           for op in run.package_ops):
        return None
    if _pip_cache_configured_off(model, stage, ins):
        return None
    tool = dirty[0].words[0].rsplit("/", 1)[-1]
    return f"`{tool} install` without `--no-cache-dir`", "its wheel cache", "~/.cache/pip"


def _dnf_problem(model, stage, ins, run, mounts):
    ops = [op for op in run.package_ops if op.manager in _DNF_MANAGERS and op.action in ("install", "update")]
    if not ops:
        return None
    if any(op.manager in _DNF_MANAGERS and op.action == "clean" and "all" in op.words for op in run.package_ops):
        return None
    if any(_under_or_over(m, p) for m in mounts for p in _DNF_CACHE):
        return None
    if any(_cleans(run, p) for p in _DNF_CACHE):
        return None
    tool = ops[0].words[0].rsplit("/", 1)[-1]
    verb = next((w for w in ops[0].words[1:] if not w.startswith("-")), ops[0].action)
    return f"`{tool} {verb}` without `clean all`", "its metadata and package cache", f"/var/cache/{'dnf' if ops[0].manager == 'dnf' else 'yum'}"


def _npm_problem(model, stage, ins, run, mounts):
    ops = [op for op in run.package_ops if op.manager == "npm" and op.action == "install"]
    if not ops:
        return None
    if any(op.manager == "npm" and op.action == "clean" and ("clean" in op.words or "clear" in op.words)
           for op in run.package_ops):
        return None
    variables = stage.vars_at(ins)
    cache_dir = _option(ops[0].words, "--cache") or variables.get("npm_config_cache") or \
        variables.get("NPM_CONFIG_CACHE")
    for m in mounts:
        if m.endswith("/.npm") or "/.npm/" in m or (cache_dir and _under_or_over(m, cache_dir)):
            return None
    for r in run.removed_paths:
        norm = r.rstrip("/*")
        if norm.endswith("/.npm") or "/.npm/" in norm + "/" or norm.endswith("/_cacache") or \
                (cache_dir and removes_path(r, cache_dir)):
            return None
    verb = next((w for w in ops[0].words[1:] if not w.startswith("-")), "install")
    return f"`npm {verb}`", "its download cache", "~/.npm/_cacache"


def _option(words, name):
    """The value of `--name value` / `--name=value` in a command's words, or None."""
    for k, w in enumerate(words):
        if w == name and k + 1 < len(words):
            return words[k + 1]
        if w.startswith(name + "="):
            return w.split("=", 1)[1]
    return None


_CHECKS = (("apt", _apt_problem), ("apk", _apk_problem), ("pip", _pip_problem), ("dnf", _dnf_problem),
           ("npm", _npm_problem))


@rule("DSL401", "package-cache-in-runtime", "warning",
      "A shipped stage leaves a package manager's cache in a layer.",
      tags=("size", "hygiene"))
def package_cache_in_runtime(model, context):
    for stage, ins, run in runtime_runs(model):
        if not run.package_ops:
            continue  # every check below starts from a package operation
        mounts = _mount_targets(stage, ins)
        found = [(manager, check(model, stage, ins, run, mounts)) for manager, check in _CHECKS]
        problems = [p for _, p in found if p]
        if len(problems) == 1:
            (command, what, cache), = problems
            message = f"{command} leaves {cache} in this layer"
        elif problems:
            message = "this RUN leaves package caches in its layer: " + ", ".join(
                f"{cache} ({command})" for command, _what, cache in problems)
            if len(message) > 120:  # name the caches only
                message = "this RUN leaves package caches in its layer: " + ", ".join(
                    cache for _command, _what, cache in problems)
        else:
            continue
        yield Finding("DSL401", ins.start_line, message, column=ins.column,
                      fix=cache_cleanup(model, stage, ins, run, [m for m, p in found if p]) if wanted(context) else None)


def _configured_before(model, upto, pattern, is_config_dest):
    """A configuration matching `pattern`, written by a runtime-stage RUN before `upto` (or by
    `upto` itself), or a file copied to a config location whose contents we cannot see (which
    may say anything: counts as configured). A `COPY <<EOF` heredoc is read.

    The runtime instructions are scanned once per model and pattern (cached): asking for
    every RUN must stay linear in the file's length."""
    cache = model.__dict__.setdefault("_configured_cache", {})
    # Keyed by the destination test's code: callers pass a fresh lambda each time.
    key = (pattern.pattern, getattr(is_config_dest, "__code__", is_config_dest))
    if key not in cache:
        cache[key] = _first_configuring(model, pattern, is_config_dest)
    first, order = cache[key]
    return first is not None and first <= order.get(id(upto), -1)


def _first_configuring(model, pattern, is_config_dest):
    """(position of the first configuring instruction or None, {id(instruction): position})."""
    first = None
    order = {}
    for position, (stage, ins) in enumerate(model.runtime_instructions()):
        order[id(ins)] = position
        if first is not None:
            continue
        if ins.keyword == "RUN":
            if pattern.search(_run_text(stage, ins, stage.run(ins))):
                first = position
        elif ins.keyword in ("COPY", "ADD") and len(ins.args) >= 2:
            if is_config_dest(expand(ins.args[-1], stage.vars_at(ins))[0]):
                if not ins.heredocs or any(pattern.search(d.content) for d in ins.heredocs):
                    first = position
    return first, order


def _recommends_disabled(model, upto):
    return _configured_before(model, upto, _RECOMMENDS_OFF, lambda dest: dest.startswith("/etc/apt"))


def _pip_config_dest(dest):
    dest = dest.rstrip("/")
    return "pip.conf" in dest or dest.endswith(("/.pip", "/.config/pip", "/etc/xdg/pip"))


def _pip_cache_configured_off(model, stage, upto):
    if stage.vars_at(upto).get("PIP_CONFIG_FILE") is not None:
        return True  # a config file we cannot see
    return _configured_before(model, upto, _PIP_NO_CACHE_CONFIG, _pip_config_dest)


def _apt_names(words, verbs):
    """What an apt command names after its verb (packages, `$VARS`), options left out."""
    verb = next((k for k, w in enumerate(words) if w in verbs), len(words))
    out, skip = [], False
    for w in words[verb + 1:]:
        if skip:
            skip = False
        elif w in ("-o", "-t", "-c", "--option", "--target-release", "--config-file"):
            skip = True
        elif w and not w.startswith("-"):
            out.append(w)
    return out


def _purged_with_recommends(run, op):
    """Everything this install names is purged again in the same RUN with `--auto-remove`
    (or autoremove, or the `apt-mark auto` idiom): its recommends go too."""
    names = set(_apt_names(op.words, ("install",)))
    removes = [o for o in run.package_ops if o.manager == "apt" and o.action == "remove"]
    if not any("--auto-remove" in o.words or "autoremove" in o.words for o in removes):
        return False
    if any(w[:2] == ["apt-mark", "auto"] for w in run.commands):
        return True
    removed = {n for o in removes for n in _apt_names(o.words, ("remove", "purge", "autoremove"))}
    return bool(names) and names <= removed


@rule("DSL402", "recommends-in-runtime", "info",
      "apt installs recommended packages in a shipped stage.",
      tags=("size", "hygiene"))
def recommends_in_runtime(model, context):
    for stage, ins, run in runtime_runs(model):
        if not run.package_ops:
            continue
        bad = [op for op in run.package_ops
               if op.manager == "apt" and op.action == "install" and _apt_names(op.words, ("install",))
               and op.words[0].rsplit("/", 1)[-1] in ("apt-get", "apt")
               and not any(w.startswith("--no-install-recommends") for w in op.words)
               and not _RECOMMENDS_OFF.search(" ".join(op.words))
               and not _purged_with_recommends(run, op)]
        if not bad or _recommends_disabled(model, ins):
            continue
        tool = bad[0].words[0].rsplit("/", 1)[-1]
        names = [n for op in bad for n in _apt_names(op.words, ("install",))]
        shown = _names_that_fit(names, 120 - len(f"`{tool} install` also installs what  recommend"))
        yield Finding("DSL402", ins.start_line, (
            f"`{tool} install` also installs what {shown} recommend"
            + ("s" if len(names) == 1 else "")), column=ins.column,
            fix=no_install_recommends(model, stage, ins, run, len(bad)) if wanted(context) else None)


RULES = [package_cache_in_runtime, recommends_in_runtime]


def _names_that_fit(names, budget: int) -> str:
    """`a`, `b` and N more: as many package names as fit in `budget` characters (three at most)."""
    for count in range(min(3, len(names)), 0, -1):
        rest = len(names) - count
        text = ", ".join(f"`{n}`" for n in names[:count]) + (f" and {rest} more" if rest else "")
        if len(text) <= budget or count == 1:
            return text
    return ""
