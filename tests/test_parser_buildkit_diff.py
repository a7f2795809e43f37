"""Differential test: our parser against BuildKit's own parser.

The oracle is the `dockerfile` package (Go bindings around BuildKit's
frontend/dockerfile/parser, pinned by that package to BuildKit v0.12.5).  Its wheels
exist only for linux x86_64 and win-amd64, so the whole module is skipped elsewhere.

Every Dockerfile under fixtures/ (recursively, globbed when the tests are collected, so
fixtures other people add are included) and a few hundred generated ones are parsed by
both; instruction names, start and end lines, flags, JSON-ness, values and heredocs
(names and content) must agree, and a file the oracle rejects must be a
ParseResult.error for us.  We follow current BuildKit, which differs from the old oracle
in four places (`known_divergences`); such a disagreement only passes when our parser,
with exactly those behaviours switched back to v0.12.5's (`legacy_mode`), then agrees
completely.  Our instruction-stage errors (unknown instruction, instruction before FROM,
...) are not the parser's business in BuildKit: the oracle accepts those files and the
instructions are compared as usual.

Set DSL_REAL_DOCKERFILES=/some/dir to also run the comparison over every Dockerfile in
that tree.  Run this file as a script to get counts for a directory:

    python tests/test_parser_buildkit_diff.py /tmp/realfiles
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from pathlib import Path
from typing import List, Optional, Tuple

import pytest
from hypothesis import given, settings, strategies as st

from dockerslim_lint.dockerfile.parser import parse

dockerfile = pytest.importorskip(
    "dockerfile",
    reason="the `dockerfile` package (BuildKit's parser via Go bindings) has wheels only for "
           "linux x86_64 and win-amd64; the differential test needs it as its oracle")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

_NOT_DOCKERFILE_SUFFIXES = {
    ".json", ".yaml", ".yml", ".sarif", ".txt", ".md", ".py", ".toml", ".expected", ".out",
    ".sh", ".html", ".xml", ".ini", ".cfg", ".patch", ".diff", ".go", ".rst",
}


def is_dockerfile_name(path: Path) -> bool:
    name = path.name.lower()
    if path.suffix.lower() in _NOT_DOCKERFILE_SUFFIXES:
        return False
    return "dockerfile" in name or "containerfile" in name


def find_dockerfiles(root: Path) -> List[Path]:
    if not root.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if is_dockerfile_name(path) and path.is_file() and not path.is_symlink():
                found.append(path)
    return found


# -- the intentional divergences ------------------------------------------------------

STAGE_ERRORS = ("unknown instruction:", "no build stage in current context",
                "dockerfile contains no stages to build", "ONBUILD requires at least one argument",
                "Chaining ONBUILD", "isn't allowed as an ONBUILD trigger")



def known_divergences(data: bytes, ours) -> List[str]:
    """Which newer-BuildKit behaviours the v0.12.5 oracle may read differently here.  A
    disagreement only counts as explained when re-parsing in `legacy_mode(reasons)` (our
    parser with just those behaviours switched back to v0.12.5's) agrees exactly."""
    text = data.decode("utf-8", "replace")
    reasons = []
    if re.search(r"(?i)#\s*check\s*=", text):
        # `# check=` is a directive since dockerfile frontend 1.8; v0.12.5 reads it as a
        # comment, which ends the directive block (a later `# escape=` is then ignored).
        reasons.append("check-directive")
    if "<<" in text:  # (the blank may come from a joined continuation line)
        reasons.append("spaced-heredoc")  # `<< EOF` opens a heredoc since frontend 1.16
    if ours.escape == "`" and "--" in text and "\\" in text:
        reasons.append("flag-escape-token")  # v0.12.5 unescaped flags with \ whatever the escape
    if "[" in text and "]" in text:
        reasons.append("json-trailing-data")  # v0.12.5 used json.Decoder: `["a"] x` was JSON
    return reasons


@contextlib.contextmanager
def legacy_mode(reasons):
    """Switch just these behaviours of our parser back to what BuildKit v0.12.5 did."""
    from dockerslim_lint.dockerfile import parser as P, shellwords as S
    saved = []

    def patch(obj, name, value):
        saved.append((obj, name, getattr(obj, name)))
        setattr(obj, name, value)

    if "check-directive" in reasons:
        patch(P, "_DIRECTIVE_KEYS", frozenset(("syntax", "escape")))
    if "spaced-heredoc" in reasons:
        def process_possible_heredoc(self):  # v0.12.5: '<' was an ordinary character
            self.i += 1
            return "<"
        patch(S._Lexer, "process_possible_heredoc", process_possible_heredoc)
    if "flag-escape-token" in reasons:
        original = P.extract_builder_flags
        patch(P, "extract_builder_flags", lambda line, escape: original(line, "\\"))
    if "json-trailing-data" in reasons:
        original_json = P._parse_json

        def parse_json(rest):
            text = rest.lstrip(S.GO_SPACE)
            if text.startswith("["):
                try:
                    value, _end = json.JSONDecoder().raw_decode(text)
                except (ValueError, RecursionError):
                    return None
                if isinstance(value, list):
                    if all(type(v) is str for v in value):
                        return value
                    raise P._Fail(P._NOT_STRING_ARRAY)
            return original_json(rest)
        patch(P, "_parse_json", parse_json)
    P._node_of_line.cache_clear()  # it keeps instructions parsed with the current behaviours
    try:
        yield
    finally:
        for obj, name, value in reversed(saved):
            setattr(obj, name, value)
        P._node_of_line.cache_clear()


def _chomp(text: str) -> str:
    return re.sub(r"(?m)^\t+", "", text)


def _cut(value):
    """The bindings hand strings to Python through C strings: text after a NUL is lost."""
    if isinstance(value, str):
        return value.split("\x00", 1)[0]
    if value is None:
        return None
    return tuple(_cut(v) for v in value)


def _node_view(inst) -> Tuple:
    """Our instruction in the oracle's shape: (sub_cmd, json, values)."""
    node = inst
    sub = None
    if inst.keyword == "ONBUILD" and inst.trigger is not None:
        node = inst.trigger
        sub = node.keyword
    if node.keyword == "HEALTHCHECK":
        values = ((node.subcommand,) + tuple(node.args)) if node.subcommand else ()
    else:
        values = tuple(node.args)
    return sub, node.exec_form, values


def compare_instructions(ours, theirs) -> List[str]:
    problems = []
    if len(ours.instructions) != len(theirs):
        problems.append(f"instruction count: ours {len(ours.instructions)} vs BuildKit {len(theirs)}")
    for mine, cmd in zip(ours.instructions, theirs):
        where = f"line {cmd.start_line}"
        if mine.keyword != (cmd.cmd or "").upper():
            problems.append(f"{where}: keyword {mine.keyword!r} vs {cmd.cmd!r}")
            continue
        if (mine.start_line, mine.end_line) != (cmd.start_line, cmd.end_line):
            problems.append(f"{where}: lines {mine.start_line}-{mine.end_line} vs "
                            f"{cmd.start_line}-{cmd.end_line}")
        their_flags = []
        for f in cmd.flags:
            name, eq, value = f[2:].partition("=")
            their_flags.append((name.lower(), value if eq else None))
        if [(_cut(f.name), _cut(f.value)) for f in mine.flags] != their_flags:
            problems.append(f"{where}: flags {mine.flags} vs {cmd.flags}")
        sub, is_json, values = _node_view(mine)
        values = _cut(values)
        if (sub or None) != ((cmd.sub_cmd or "").upper() or None):
            problems.append(f"{where}: sub-command {sub!r} vs {cmd.sub_cmd!r}")
        if is_json != cmd.json:
            problems.append(f"{where}: json {is_json} vs {cmd.json}")
        known = mine.keyword_as_written.lower() in _KNOWN and (
            sub is None or (mine.trigger.keyword_as_written.lower() in _KNOWN
                            and sub != "ONBUILD"))  # bindings flatten nested ONBUILD oddly
        if known and values != tuple(cmd.value):
            their = tuple(cmd.value)
            if sub == "HEALTHCHECK" or mine.keyword == "HEALTHCHECK":
                their = ((their[0].upper(),) + their[1:]) if their else ()
            if values != their:
                problems.append(f"{where}: values {values!r} vs {tuple(cmd.value)!r}")
        if mine.keyword != "ONBUILD":  # the bindings drop an ONBUILD trigger's heredocs
            expected = [(h.name, _chomp(h.content) if m.strip_tabs else h.content)
                        for h, m in zip(cmd.heredocs, mine.heredocs)]
            if len(cmd.heredocs) != len(mine.heredocs) or \
                    expected != [(_cut(h.name), _cut(h.content)) for h in mine.heredocs]:
                problems.append(f"{where}: heredocs {mine.heredocs!r} vs {cmd.heredocs!r}")
    return problems


_KNOWN = {c.lower() for c in dockerfile.all_cmds()}


def compare_file(path: Path) -> Tuple[str, str]:
    return compare_data(path.read_bytes(), path)


def compare_data(data: bytes, path: Optional[Path] = None) -> Tuple[str, str]:
    """(status, detail): status is 'agree', 'agree-error', 'agree-stage-error',
    'divergence:<reason>' (explained and verified), 'inconclusive' (the oracle cannot
    return this file's text) or 'DISAGREE'."""
    try:
        if path is not None:
            theirs = dockerfile.parse_file(str(path))
        else:
            theirs = dockerfile.parse_string(data.decode("utf-8"))
        their_error = None
    except dockerfile.GoParseError as exc:
        theirs, their_error = None, str(exc)
    except Exception as exc:  # e.g. the bindings cannot hand back non-UTF-8 text
        return "inconclusive", f"{type(exc).__name__}: {exc}"
    ours = parse(data)
    status, detail = _judge(ours, theirs, their_error)
    if status != "DISAGREE":
        return status, detail
    reasons = known_divergences(data, ours)
    if reasons:
        with legacy_mode(reasons):
            legacy = parse(data)
        legacy_status, legacy_detail = _judge(legacy, theirs, their_error)
        if legacy_status != "DISAGREE":
            return "divergence:" + "+".join(reasons), detail
        detail += f" (and still with v0.12.5's {'+'.join(reasons)} behaviour: {legacy_detail})"
    return "DISAGREE", detail


def _judge(ours, theirs, their_error) -> Tuple[str, str]:
    if their_error is not None:
        if ours.error is not None:
            return "agree-error", f"BuildKit: {their_error} / ours: line {ours.error.line}: {ours.error.message}"
        return "DISAGREE", f"BuildKit rejects ({their_error}) but we accept"
    stage_error = ours.error is not None and any(s in ours.error.message for s in STAGE_ERRORS)
    if ours.error is not None and not stage_error:
        return "DISAGREE", f"we reject (line {ours.error.line}: {ours.error.message}) but BuildKit accepts"
    problems = compare_instructions(ours, theirs)
    if problems:
        return "DISAGREE", "; ".join(problems[:5])
    if stage_error:
        return "agree-stage-error", ours.error.message
    return "agree", ""


FIXTURE_FILES = find_dockerfiles(FIXTURES)


def test_fixtures_exist():
    assert len([p for p in FIXTURE_FILES if "parser" in p.parts]) >= 20


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_agrees_with_buildkit(path):
    status, detail = compare_file(path)
    assert status != "DISAGREE", detail


def test_real_dockerfiles():
    root = os.environ.get("DSL_REAL_DOCKERFILES")
    if not root:
        pytest.skip("set DSL_REAL_DOCKERFILES=<dir> to compare against a corpus of real Dockerfiles")
    counts, disagreements = summarize(Path(root))
    assert counts.get("files", 0) > 0, f"no Dockerfiles under {root}"
    assert not disagreements, "\n".join(f"{p}: {d}" for p, d in disagreements[:20])


def summarize(root: Path):
    counts: dict = {"files": 0}
    disagreements = []
    for path in find_dockerfiles(root):
        counts["files"] += 1
        status, detail = compare_file(path)
        counts[status] = counts.get(status, 0) + 1
        if status == "DISAGREE":
            disagreements.append((path, detail))
    return counts, disagreements


if __name__ == "__main__":  # pragma: no cover - manual corpus runs
    for arg in sys.argv[1:] or [str(FIXTURES)]:
        counts, bad = summarize(Path(arg))
        print(arg, dict(sorted(counts.items())))
        for path, detail in bad:
            print("DISAGREE", path, detail)


# -- generated Dockerfiles ----------------------------------------------------------------

_KEYWORDS = ["FROM", "from", "RUN", "run", "COPY", "ADD", "CMD", "ENTRYPOINT", "SHELL", "ENV", "LABEL",
             "ARG", "EXPOSE", "USER", "WORKDIR", "VOLUME", "STOPSIGNAL", "HEALTHCHECK", "MAINTAINER",
             "ONBUILD", "ONBUILD RUN", "HEALTHCHECK CMD"]
_FRAGMENTS = ["a", "x y", '"b c"', "'d e'", "\\", "`", "\\\\", "<<EOF", "<<-EOF", "<<'EOF'", '<<"EOF"',
              "2<<X", "<<X", "${A:-b}", "$B", '["x", "y"]', "[1]", "[", "[]", "=", "k=v", 'k="v w"',
              "#", "--from=x", "--mount=type=cache,target=/x", "--link", '--chown="a b"', "--", "AS",
              "NONE", "cat", "&&", "<", "<<", "\t", "é", "\u00a0", "E\\OF", "<<EOF>f", "cat<<EOF", "-"]
_OTHER_LINES = ["", "  ", "# comment", "  # c", "EOF", "\tEOF", "X", "body", "\\", "`", "a \\",
                "# escape=`", "# syntax=x", "# check=skip=all"]


def _instruction_line(parts):
    keyword, words, sep, ending = parts
    return sep.join([keyword] + words) + ending


_line = st.one_of(
    st.tuples(st.sampled_from(_KEYWORDS), st.lists(st.sampled_from(_FRAGMENTS), max_size=5),
              st.sampled_from([" ", "\t", "  "]), st.sampled_from(["", "", " \\", "\\", " `", "\\ "]),
              ).map(_instruction_line),
    st.sampled_from(_OTHER_LINES))


@settings(max_examples=300, deadline=None)
@given(st.lists(_line, max_size=14), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_generated_dockerfiles_agree_with_buildkit(lines, eol, final_eol):
    text = eol.join(["FROM alpine"] + lines) + (eol if final_eol else "")
    status, detail = compare_data(text.encode("utf-8"))
    assert status != "DISAGREE", f"{text!r}: {detail}"
