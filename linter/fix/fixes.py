"""The fixes rules attach, built from the model with the edit engine (fix/edits.py).

Each builder returns a `Fix` or None. None means "no fix is offered": the text is not one
this module reads exactly (variables, quotes, comments, heredocs, a shell other than a
POSIX one), or a safety condition fails. A fix is safe only when it cannot change what
the image does; the others are offered with `safe=False` (`--unsafe-fixes`).
A builder never raises: a bug in one costs that fix, never the finding.
"""
from __future__ import annotations

import functools

from dockerslim_lint.fix.edits import (Edit, Fix, append_to_value, exec_form, insert_in_value,
                                       insert_line_after, locate, replace_value, simple_commands,
                                       word_value)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Dict, List, Optional, Sequence

NONROOT_USER = "65532:65532"
APT_CLEANUP = "rm -rf /var/lib/apt/lists/*"
NPM_CLEANUP = "npm cache clean --force"


def wanted(context) -> bool:
    """Does this run read the fixes rules attach? (Context.fixes: off when nothing shows them,
    e.g. text output without --fix. A caller's own context without the attribute: yes.)"""
    return getattr(context, "fixes", True)


def _never_raises(builder):
    @functools.wraps(builder)
    def wrapped(*args, **kwargs):
        try:
            return builder(*args, **kwargs)
        except Exception:  # pragma: no cover - a builder bug costs the fix, not the finding
            return None
    return wrapped


def _base(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def _source_commands(model, stage, ins):
    """(located value, simple commands of the RUN's own text) or None when the RUN is not a
    plain shell command line of this file (exec form, heredoc, another shell, unreadable)."""
    from dockerslim_lint.model.surface import reads_as_posix_shell

    if ins.keyword != "RUN" or ins.exec_form or ins.heredocs or not reads_as_posix_shell(model, stage, ins):
        return None
    loc = locate(model.parsed, ins)
    if loc is None:
        return None
    commands = simple_commands(loc.value)
    if not commands:
        return None
    return loc, commands


def _package_ops(commands):
    """[(PackageOp, words)] of the commands as written (quotes removed, nothing expanded)."""
    from dockerslim_lint.dockerfile.commands import _package_op

    out = []
    for words in commands:
        values = [word_value(w) for w in words]
        k = 0  # env prefixes (`DEBIAN_FRONTEND=noninteractive apt-get ...`) and sudo, as commands.py
        while k < len(values) - 1 and ("=" in values[k] and not values[k].startswith("-")
                                       or values[k] in ("sudo", "command")):
            k += 1
        op = _package_op(values[k:])
        if op is not None:
            out.append((op, words[k:]))
    return out


def _insert_after_verb(model, ins, words, verb: str, text: str) -> Optional[Edit]:
    """Insert `text` after the first word `verb` (the subcommand) of a command as written."""
    for w in words[1:]:
        if word_value(w) == verb and w.plain:
            return insert_in_value(model.parsed, ins, w.end, text)
    return None


def _has_expansion(words) -> bool:
    return any("$" in w.text or "`" in w.text for w in words)


# -- DSL401: package caches ----------------------------------------------------------------

def _apk_dirty(op) -> bool:
    return op.manager == "apk" and op.action == "install" and "--no-cache" not in op.words \
        and "--no-network" not in op.words


def _pip_dirty(op) -> bool:
    return op.manager == "pip" and op.action == "install" and \
        not any(w.startswith("--no-cache") for w in op.words) and "--no-index" not in op.words


_FLAGS = {"apk": (_apk_dirty, "add", "--no-cache"), "pip": (_pip_dirty, "install", "--no-cache-dir")}


def _flag_edits(model, ins, run, source_ops, dirty, verb: str, flag: str) -> Optional[List[Edit]]:
    """One `flag` after `verb` in every command that lacks it; None unless the commands as
    written are exactly the ones the analysis found (a `$VAR` or an `sh -c` body hides some)."""
    expected = [op for op in run.package_ops if dirty(op)]
    if not expected:
        return []
    found = [(op, words) for op, words in source_ops if dirty(op)]
    if len(found) != len(expected):
        return None
    edits = []
    for op, words in found:
        if _has_expansion(words):
            return None
        edit = _insert_after_verb(model, ins, words, verb, " " + flag)
        if edit is None:
            return None
        edits.append(edit)
    return edits


def _needs_lists(stage, ins) -> bool:
    """A RUN that uses apt without its own update (or a script we cannot read)."""
    run = stage.run(ins)
    if run.opaque:
        return True
    ops = [op for op in run.package_ops if op.manager == "apt"]
    return bool(ops) and not any(op.action == "update" for op in ops)


def _apt_index(model):
    """Per stage, computed once per model: (position of its last RUN that needs the apt lists
    or -1, whether an ONBUILD mentions apt, {id(instruction): position}, stages built on it)."""
    index = model.__dict__.get("_fix_apt_index")
    if index is None:
        index = {}
        for st in model.stages:
            last, positions = -1, {}
            for k, i in enumerate(st.instructions):
                positions[id(i)] = k
                if i.keyword == "RUN" and _needs_lists(st, i):
                    last = k
            onbuild = any(i.keyword == "ONBUILD" and "apt" in i.value for i in st.instructions)
            children = [c for c in model.stages if c is not st and st in c.chain]
            index[id(st)] = (last, onbuild, positions, children)
        model.__dict__["_fix_apt_index"] = index
    return index


def apt_lists_needed_later(model, stage, ins) -> bool:
    """Does a later RUN of this stage, or of a stage built on it, use apt without its own
    `apt-get update` (it would then need the lists this RUN leaves)? A RUN we cannot read
    (a script) or an ONBUILD that mentions apt counts as needing them."""
    index = _apt_index(model)
    last, onbuild, positions, children = index[id(stage)]
    if onbuild or last > positions.get(id(ins), len(positions)):
        return True
    return any(index[id(c)][0] >= 0 or index[id(c)][1] for c in children)


@_never_raises
def cache_cleanup(model, stage, ins, run, managers: Sequence[str]) -> Optional[Fix]:
    """DSL401, safe: clean each cache the rule reported in the same RUN. `managers` are the
    ones it reported ("apt", "apk", "pip", "dnf", "npm"); a manager whose cleanup is not
    certain (see each below) makes the whole fix refused, so a fixed RUN is a clean RUN."""
    found = _source_commands(model, stage, ins)
    if found is None:
        return None
    loc, commands = found
    source_ops = _package_ops(commands)
    edits: List[Edit] = []
    appended: List[str] = []
    said: List[str] = []
    for manager in managers:
        if manager == "apt":
            if apt_lists_needed_later(model, stage, ins):
                return None
            appended.append(APT_CLEANUP)
            said.append(f"`{APT_CLEANUP}`")
        elif manager in _FLAGS:
            if manager == "apk" and any(op.manager == "apk" and op.action == "update" for op in run.package_ops):
                return None  # `apk update` fills the cache that --no-cache would leave alone
            dirty, verb, flag = _FLAGS[manager]
            more = _flag_edits(model, ins, run, source_ops, dirty, verb, flag)
            if not more:
                return None
            edits.extend(more)
            said.append(f"`{flag}` to {manager} {verb}")
        elif manager == "dnf":
            tools = [words[0] for op, words in source_ops
                     if op.manager in ("dnf", "yum", "microdnf") and op.action in ("install", "update")]
            if not tools or not tools[0].plain:
                return None
            cleanup = f"{tools[0].text} clean all"
            appended.append(cleanup)
            said.append(f"`{cleanup}`")
        elif manager == "npm":
            if not any(op.manager == "npm" and op.action == "install" for op, _ in source_ops):
                return None
            appended.append(NPM_CLEANUP)
            said.append(f"`{NPM_CLEANUP}`")
        else:
            return None
    if appended:
        edit = append_to_value(model.parsed, ins, "".join(" && " + c for c in appended))
        if edit is None:
            return None
        edits.append(edit)
    if not edits:
        return None
    return Fix("Add " + ", ".join(said) + " to this RUN.", tuple(edits), safe=True)


# -- DSL402: recommends ---------------------------------------------------------------------

@_never_raises
def no_install_recommends(model, stage, ins, run, expected: int) -> Optional[Fix]:
    """DSL402, unsafe (a recommended package such as ca-certificates may be what curl, wget
    or git need): `--no-install-recommends` after `install` in each apt install that lacks
    it. `expected` is how many such commands the rule found."""
    found = _source_commands(model, stage, ins)
    if found is None:
        return None
    _, commands = found
    edits = []
    for op, words in _package_ops(commands):
        values = [word_value(w) for w in words]
        if op.manager != "apt" or op.action != "install" or _base(values[0]) not in ("apt-get", "apt") \
                or any(v.startswith("--no-install-recommends") for v in values):
            continue
        if _has_expansion(words):
            return None
        edit = _insert_after_verb(model, ins, words, "install", " --no-install-recommends")
        if edit is None:
            return None
        edits.append(edit)
    if not edits or len(edits) != expected:
        return None
    return Fix("Add `--no-install-recommends` to apt install.", tuple(edits), safe=False)


# -- DSL305: exec-form commands (DSL505's fix is attached by rules/compat.py with the same edits) ------------------------------------------------------

_SHELL_WORDS = frozenset((
    "!", "{", "}", ".", ":", "[", "[[", "alias", "case", "cd", "do", "done", "elif", "else", "esac",
    "eval", "exec", "exit", "export", "fi", "for", "if", "local", "read", "readonly", "return", "set",
    "shift", "source", "then", "trap", "ulimit", "umask", "unset", "until", "wait", "while",
))


def plain_word_list(model, ins) -> Optional[List[str]]:
    """The words of a shell-form command that is a plain word list (no variables, quotes,
    escapes, operators, redirections, globs, comments, assignments or shell built-ins):
    what `/bin/sh -c` would run as exactly those words. None otherwise."""
    if ins.exec_form or not ins.args:
        return None
    loc = locate(model.parsed, ins)
    if loc is None:
        return None
    commands = simple_commands(loc.value)
    if not commands or len(commands) != 1:
        return None
    (words,) = commands
    if not all(w.plain for w in words) or any(c in loc.value for c in ";|&<>()\n"):
        return None
    values = [w.text for w in words]
    if values[0] in _SHELL_WORDS or "=" in values[0] or any(not v.isprintable() for v in values):
        return None
    return values


def _exec_form_fix(model, ins, words, description, safe) -> Optional[Fix]:
    if not words:
        return None
    edit = replace_value(model.parsed, ins, exec_form(words))
    if edit is None:
        return None
    return Fix(description, (edit,), safe=safe)


@_never_raises
def shell_to_exec_form(model, ins) -> Optional[Fix]:
    """DSL305, safe: a shell-form CMD/ENTRYPOINT that is a plain word list becomes exec form
    (the image has no shell to run it, so nothing that works today changes). Not for an
    ENTRYPOINT that a CMD follows (exec form would append the CMD as arguments)."""
    if ins.keyword not in ("CMD", "ENTRYPOINT"):
        return None
    if ins.keyword == "ENTRYPOINT":
        entrypoint, cmd, known = model.effective_entrypoint_cmd
        if not known or cmd is not None or entrypoint is None or entrypoint.instruction is not ins:
            return None
    words = plain_word_list(model, ins)
    if words is None:
        return None
    return _exec_form_fix(model, ins, words, f"Write {ins.keyword} in exec form.", safe=True)


# -- DSL307: root ---------------------------------------------------------------------------

@_never_raises
def nonroot_user(model) -> Optional[Fix]:
    """DSL307, unsafe (files copied or created as root may not be readable or writable by
    the new user): `USER 65532:65532` at the end of the shipped stage, after every RUN, or
    in place of the root USER when that is the stage's last instruction."""
    from dockerslim_lint.model.surface import is_windows

    stage = model.target
    if is_windows(stage):
        return None
    last = stage.instructions[-1] if stage.instructions else stage.from_instruction
    description = f"Run as the unprivileged user {NONROOT_USER}."
    if last.keyword == "USER" and last.value and "$" not in last.value:
        edit = replace_value(model.parsed, last, NONROOT_USER)
    else:
        edit = insert_line_after(model.parsed, last, f"USER {NONROOT_USER}")
    if edit is None:
        return None
    return Fix(description, (edit,), safe=False)


__all__ = ["wanted", "cache_cleanup", "no_install_recommends", "shell_to_exec_form", "nonroot_user", "plain_word_list",
           "apt_lists_needed_later"]
