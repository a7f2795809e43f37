"""Parser glue: Dockerfile bytes -> a list of BuildKit-exact instructions.

This module is a line-for-line port of BuildKit's Dockerfile parser
(`frontend/dockerfile/parser`: `Parse`, `splitCommand`, the per-instruction line
parsers, directives and heredocs), plus the few checks of BuildKit's instruction stage
that make a build fail before it starts (unknown instruction, an instruction before the
first FROM, forbidden ONBUILD triggers).  dockerfile-parse is not used: what it gets
wrong (heredocs, continuations across blank/comment lines, a trailing escape at EOF,
`${V:-d}` mangling, directives, 0-based lines) is structural, so correcting it would
have meant re-splitting every line anyway.  docs/parser.md has the details.
No rule ever sees raw text it has to re-parse.

CONTRACT (other modules rely on these names):
    parse(data: bytes) -> ParseResult
    Instruction.key_values(raw=False) -> [(key, value or None)]   ARG/ENV/LABEL (ONBUILD: its trigger's)
    Instruction.flag(name) / flag_values(name) / has_flag(name)

Per instruction (`args`, like BuildKit's AST node values):
    RUN/CMD/ENTRYPOINT/SHELL   exec form: the JSON list; shell form: (value,); empty: ()
    COPY/ADD/VOLUME            exec form: the JSON list; else the whitespace-separated words
    FROM/EXPOSE                whitespace-separated words
    ARG                        words, quotes kept: ("A", "B=1", 'C="x y"')
    ENV/LABEL                  (key1, value1, key2, value2, ...), quotes kept; legacy
                               `ENV KEY some value` gives ("KEY", "some value"), legacy_kv=True
    USER/WORKDIR/STOPSIGNAL/MAINTAINER   (value,)
    HEALTHCHECK                subcommand = "CMD" or "NONE" (upper-cased first word); args and
                               exec_form describe the command after CMD exactly like CMD's
                               (exec form: the JSON list; shell form: (command,)); NONE: ()
    ONBUILD                    trigger = the wrapped instruction, parsed like any other;
                               subcommand = trigger.keyword; args = (trigger.keyword, *trigger.args)

Ported from BuildKit's frontend/dockerfile (Apache License 2.0, (c) The BuildKit Authors).
"""
from __future__ import annotations

import functools
import json
import re
from dockerslim_lint.records import field, record

from dockerslim_lint.dockerfile.shellwords import (GO_SPACE, LexError, extract_builder_flags, heredocs_from_line,
                         parse_words, split_first_word_bytewise, unquote)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import List, Optional, Tuple


@record(frozen=True)
class Flag:
    """An instruction flag such as `--from=build` (value "build") or `--link` (value None)."""

    name: str  # without the leading dashes, lower-case: "from", "mount", "platform"
    value: Optional[str]


@record(frozen=True)
class Heredoc:
    """A heredoc of an instruction: its delimiter and body."""

    name: str  # the delimiter word, e.g. "EOF"
    content: str  # the body, with a trailing newline, tabs stripped for <<-
    strip_tabs: bool = False  # <<-EOF
    expand: bool = True  # False when the delimiter was quoted (<<'EOF', <<"EOF")
    file_descriptor: int = 0  # the N of `N<<EOF` (0 when not written)


@record
class Instruction:
    """One Dockerfile instruction with its lines, flags and arguments."""

    keyword: str  # upper-case: "FROM", "RUN", ...
    start_line: int  # 1-based, the line of the keyword
    end_line: int  # 1-based, last line (heredoc bodies and continuations included)
    original: str  # the source text of all its lines, as written
    value: str  # everything after the keyword and flags; continuations joined; heredoc bodies excluded
    args: Tuple[str, ...] = ()  # exec form: the JSON list; shell form RUN/CMD/ENTRYPOINT/HEALTHCHECK CMD: (value,); others: words
    flags: Tuple[Flag, ...] = ()
    exec_form: bool = False  # JSON array form (valid JSON list of strings only; else shell form, as BuildKit)
    heredocs: Tuple[Heredoc, ...] = ()
    column: int = 1  # 1-based column of the keyword
    trigger: Optional["Instruction"] = None  # for ONBUILD: the instruction it wraps (not a step of this build)
    # -- added by the parser implementation -------------------------------------------
    subcommand: Optional[str] = None  # HEALTHCHECK: "CMD"/"NONE" (upper-cased); ONBUILD: trigger keyword
    legacy_kv: bool = False  # ENV/LABEL written as `KEY value` (no '=')
    keyword_as_written: str = ""  # e.g. "run" for a lower-case instruction
    escape: str = "\\"  # the file's escape character (for key_values' unquoting)

    def flag(self, name: str) -> Optional[str]:
        """The value of the last flag called `name`, or None."""
        value = None
        for f in self.flags:
            if f.name == name:
                value = f.value if f.value is not None else ""
        return value

    def flag_values(self, name: str) -> list:
        return [f.value or "" for f in self.flags if f.name == name]

    def has_flag(self, name: str) -> bool:
        return any(f.name == name for f in self.flags)

    def key_values(self, raw: bool = False) -> List[Tuple[str, Optional[str]]]:
        """ARG/ENV/LABEL pairs in order, as BuildKit reads them: `ARG NAME` gives
        ("NAME", None); `ENV K V W` (legacy form) gives ("K", "V W").

        raw=False (default): quotes and escapes removed as BuildKit does when the
        instruction runs, `$VARS` kept as written (nothing is substituted here).
        raw=True: exactly as written (quotes kept), for callers that expand variables
        themselves (a `$X` inside single quotes is then still recognisable).
        ONBUILD: the pairs of its trigger.  Other instructions: [].
        """
        if self.trigger is not None:
            return self.trigger.key_values(raw)
        kw = self.keyword
        pairs: List[Tuple[str, Optional[str]]] = []
        if kw == "ARG":
            for word in self.args:
                key, eq, val = word.partition("=")
                pairs.append((key, val if eq else None))
        elif kw == "ENV" or kw == "LABEL":
            a = self.args
            pairs = [(a[i], a[i + 1]) for i in range(0, len(a) - 1, 2)]
        else:
            return []
        if raw:
            return pairs
        esc = self.escape
        return [(unquote(k, esc), None if v is None else unquote(v, esc)) for k, v in pairs]


@record(frozen=True)
class ParseError:
    """Why a file is not a Dockerfile, and where."""

    line: int
    message: str


@record
class ParseResult:
    """The instructions and directives of a file, or the error that stopped the parse."""

    instructions: list = field(default_factory=list)  # list[Instruction]
    directives: dict = field(default_factory=dict)  # {"syntax": ..., "escape": "`", "check": ...}
    escape: str = "\\"
    error: Optional[ParseError] = None  # -> DSL001; when set, instructions may be partial and the file is skipped
    not_utf8_line: Optional[int] = None  # -> DSL002: first line holding bytes that are not UTF-8
    lines: list = field(default_factory=list)  # decoded source lines (no line endings), index 0 = line 1
    comments: list = field(default_factory=list)  # [(line, text_without_hash)] for comment lines outside heredocs
    # -- added by the parser implementation -------------------------------------------
    empty_continuation_lines: list = field(default_factory=list)  # blank lines inside a continuation (BuildKit warns)
    newline: str = "\n"  # the file's line ending ("\r\n" when its first line ends so), for fixes that add lines


# ---------------------------------------------------------------------------------------

MAX_LINE_BYTES = 65535  # bufio.Scanner's limit in BuildKit: a longer line fails the build

_KNOWN = frozenset((
    "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck",
    "label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume",
    "workdir",
))
_MAYBE_JSON = frozenset(("cmd", "entrypoint", "run", "shell"))
_MAYBE_JSON_LIST = frozenset(("add", "copy", "volume"))
_WORDS = frozenset(("expose", "from"))
_STRING = frozenset(("maintainer", "stopsignal", "user", "workdir"))
_HEREDOC_OK = frozenset(("add", "copy", "run"))
_DIRECTIVE_KEYS = frozenset(("syntax", "escape", "check"))

_WS_SPLIT = re.compile(r"[\t\v\f\r ]+").split  # BuildKit reWhitespace
_GO_RE_SPACE = "\t\n\f\r "  # Go regexp \s
_NOT_STRING_ARRAY = "when using JSON array syntax, arrays must be comprised of strings only"


class _Fail(Exception):
    pass


def _json_number(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")  # Go's json rejects it too
    return value


def _reject_constant(name: str):
    raise ValueError(name)  # NaN / Infinity are not JSON for Go


@functools.lru_cache(maxsize=None)
def _json_decoder() -> json.JSONDecoder:
    """What json.loads(text, parse_constant=..., parse_float=..., parse_int=...) decodes with,
    made once: json.loads builds a new decoder for every call that passes hooks."""
    return json.JSONDecoder(parse_constant=_reject_constant, parse_float=_json_number, parse_int=_json_number)


def _parse_json(rest: str) -> Optional[list]:
    """BuildKit parseJSON: the list of strings, None when `rest` is not a JSON array
    (-> shell form), _Fail when it is one that holds something other than strings."""
    text = rest.lstrip(GO_SPACE)
    if not text.startswith("["):
        return None
    try:
        value = _json_decoder().decode(text)
    except (ValueError, RecursionError):
        return None
    if type(value) is not list:  # pragma: no cover - text starts with '['
        return None
    for item in value:
        if type(item) is not str:
            raise _Fail(_NOT_STRING_ARRAY)
    return value


def _maybe_json(rest: str) -> Tuple[Tuple[str, ...], bool]:
    """BuildKit parseMaybeJSON (RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK's command):
    (args, exec_form)."""
    if not rest:
        return (), False
    if rest[0] != "[" and rest[0] not in GO_SPACE:  # most commands: not JSON, seen at once
        return (rest,), False
    j = _parse_json(rest)
    if j is None:
        return (rest,), False
    return tuple(j), True


def _split_command(line: str, esc: str) -> Tuple[str, List[str], str]:
    """BuildKit splitCommand: (command, flag words, rest after the flags)."""
    parts = _WS_SPLIT(line.strip(GO_SPACE), 1)
    if len(parts) == 2:
        rest, flags = extract_builder_flags(parts[1], esc)
        return parts[0], flags, rest.strip(GO_SPACE)
    return parts[0], [], ""


def _name_val(rest: str, key: str, esc: str) -> Tuple[Tuple[str, ...], bool]:
    """BuildKit parseNameVal (ENV, LABEL): flat (k, v, k, v...) and whether legacy form."""
    words = parse_words(rest, esc)
    if not words:
        return (), False
    if "=" not in words[0]:
        parts = _WS_SPLIT(rest, 1)
        if len(parts) < 2:
            raise _Fail(f"{key} must have two arguments")
        return (parts[0], parts[1]), True
    out: List[str] = []
    for word in words:
        k, eq, v = word.partition("=")
        if not eq:
            raise _Fail(f"Syntax error - can't find = in {json.dumps(word, ensure_ascii=False)}. "
                        "Must be of the form: name=value")
        out.append(k)
        out.append(v)
    return tuple(out), False


def _make_flags(words: List[str]) -> Tuple[Flag, ...]:
    flags = []
    for word in words:
        name, eq, value = word[2:].partition("=")
        flags.append(Flag(name.lower(), value if eq else None))
    return tuple(flags)


def _node(cmd: str, flag_words: List[str], rest: str, esc: str) -> Instruction:
    """One AST node (not ONBUILD with a trigger) -> Instruction without position."""
    low = cmd.lower()
    args: Tuple[str, ...] = ()
    exec_form = False
    subcommand = None
    legacy = False
    if low in _MAYBE_JSON:
        args, exec_form = _maybe_json(rest)
    elif low in _MAYBE_JSON_LIST:
        j = _parse_json(rest)
        if j is not None:
            args, exec_form = tuple(j), True
        elif rest:
            args = tuple(_WS_SPLIT(rest))
    elif low in _WORDS:
        if rest:
            args = tuple(_WS_SPLIT(rest))
    elif low in _STRING:
        if rest:
            args = (rest,)
    elif low == "arg":
        args = tuple(parse_words(rest, esc))
    elif low == "env" or low == "label":
        args, legacy = _name_val(rest, low.upper(), esc)
    elif low == "healthcheck":
        typ, cmd_text = split_first_word_bytewise(rest)
        if typ:
            subcommand = typ.upper()
            args, exec_form = _maybe_json(cmd_text)
    # "onbuild" without a trigger and unknown instructions: no arguments
    flags = _make_flags(flag_words) if flag_words else ()
    # Positional: binding 15 keywords costs more than the rest of a RUN's parsing. In order:
    # keyword, start_line, end_line, original (those three set by _parse), value, args,
    # flags, exec_form, heredocs, column, trigger, subcommand, legacy_kv, keyword_as_written, escape.
    return Instruction(cmd.upper(), 0, 0, "", rest, args, flags, exec_form, (), 1, None, subcommand, legacy, cmd, esc)


def _new_node(line: str, esc: str) -> Instruction:
    """BuildKit newNodeFromLine, with ONBUILD's sub-command parsed iteratively."""
    chain = []
    cmd, flag_words, rest = _split_command(line, esc)
    while cmd.lower() == "onbuild" and rest:
        chain.append((cmd, flag_words, rest))
        cmd, flag_words, rest = _split_command(rest, esc)
    inst = _node(cmd, flag_words, rest, esc)
    for cmd, flag_words, rest in reversed(chain):
        inst = Instruction(
            keyword=cmd.upper(), start_line=0, end_line=0, original="", value=rest,
            args=(inst.keyword,) + inst.args, flags=_make_flags(flag_words) if flag_words else (),
            trigger=inst, subcommand=inst.keyword, keyword_as_written=cmd, escape=esc)
    return inst


@functools.lru_cache(maxsize=256)
def _node_of_line(line: str, esc: str) -> Instruction:
    """_new_node, kept for the logical lines that recur across the files of a batch
    (`WORKDIR /app`, `COPY . .`): 60% of those of 2,482 real Dockerfiles were among the
    128 distinct ones seen last. What it returns is a template: only its copies
    (_copy_node) are handed out, so that what a parse sets on an instruction stays there."""
    return _new_node(line, esc)


def _copy_node(t: Instruction) -> Instruction:
    """A new Instruction with the fields of the template `t` (all immutable values: strings,
    tuples, frozen Flags; a template never holds a trigger). Made by __init__, positionally
    as in _node: an instance whose __dict__ was filled directly would keep its attributes in
    a dictionary of its own, slower to read everywhere than the ones __init__ sets."""
    return Instruction(t.keyword, 0, 0, "", t.value, t.args, t.flags, t.exec_form, (), 1, None, t.subcommand,
                       t.legacy_kv, t.keyword_as_written, t.escape)


def _trim_continuation(line: str, esc: str) -> Tuple[str, bool]:
    """BuildKit trimContinuationCharacter: (line, is_end_of_line)."""
    t = line.rstrip(" \t")
    if t and t[-1] == esc:
        body = t[:-1]
        if not body or body[-1] != esc:
            return body, False
    return line, True


def _directive(text: str) -> Optional[Tuple[str, str]]:
    """`(key, value)` when `text` (a comment line, left-stripped) has the shape of a
    parser directive: `#` space* [a-zA-Z][a-zA-Z0-9]* \\s* = \\s* (.+?) \\s*$."""
    body = text[1:].lstrip(GO_SPACE)
    n = len(body)
    if not n or not (body[0].isascii() and body[0].isalpha()):
        return None
    i = 1
    while i < n and body[i].isascii() and body[i].isalnum():
        i += 1
    key = body[:i]
    while i < n and body[i] in _GO_RE_SPACE:
        i += 1
    if i >= n or body[i] != "=":
        return None
    rest = body[i + 1:]
    if not rest:
        return None
    value = rest.lstrip(_GO_RE_SPACE)
    value = value.rstrip(_GO_RE_SPACE) if value else rest[-1]
    return key, value


def _chomp(content: str) -> str:
    if "\t" not in content:
        return content
    return "\n".join(part.lstrip("\t") for part in content.split("\n"))


def _decode(data: bytes) -> Tuple[str, Optional[int]]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return data.decode("utf-8", "replace"), data.count(b"\n", 0, exc.start) + 1


def _too_long_line(data: bytes) -> Optional[int]:
    if len(data) <= MAX_LINE_BYTES:
        return None
    start = 0
    number = 1
    size = len(data)
    while start < size:
        end = data.find(b"\n", start)
        if end < 0:
            end = size
        if end - start > MAX_LINE_BYTES:
            return number
        start = end + 1
        number += 1
    return None


def parse(data: bytes) -> ParseResult:
    """Parse Dockerfile bytes.  Never raises: problems become `ParseResult.error`."""
    res = ParseResult()
    try:
        _parse(data, res)
    except Exception as exc:  # pragma: no cover - a parser bug must not take the run down
        if res.error is None:
            res.error = ParseError(1, f"internal parser error ({type(exc).__name__}); please report this")
    return res


def _parse(data: bytes, res: ParseResult) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        data = str(data).encode("utf-8", "surrogateescape")
    data = bytes(data)
    text, res.not_utf8_line = _decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    raw = text.split("\n")
    if raw[-1] == "":
        raw.pop()
    has_cr = "\r" in text
    if has_cr:
        first_break = text.find("\n")
        if first_break > 0 and text[first_break - 1] == "\r":
            res.newline = "\r\n"
    res.lines = [ln[:-1] if ln.endswith("\r") else ln for ln in raw] if has_cr else raw
    lines = res.lines
    n = len(raw)
    too_long = _too_long_line(data)
    if too_long is not None:
        n = too_long - 1  # BuildKit's scanner stops before that line

    esc = "\\"
    directives = res.directives
    comments = res.comments
    instructions = res.instructions
    directives_done = False
    stage_error: Optional[ParseError] = None
    seen_from = False

    def fail(line: int, message: str) -> None:
        res.error = ParseError(line, message)
        res.escape = esc

    # (line number, line) of the lines BuildKit reads; the loops below that read the lines
    # after an instruction's first (continuations, heredoc bodies) advance the same iterator,
    # and `i` is the number of the last line read.
    numbered = enumerate(raw if n == len(raw) else raw[:n], 1)
    empty_continuation_lines = res.empty_continuation_lines
    for i, line in numbered:
        if has_cr:
            line = line.rstrip("\r")
        s = line.lstrip(GO_SPACE)
        if not s:
            directives_done = True
            continue
        if s[0] == "#":
            comments.append((i, s[1:]))
            if not directives_done:
                found = _directive(s)
                key = found[0].lower() if found else ""
                if key in _DIRECTIVE_KEYS:
                    if key in directives:
                        return fail(i, f"only one {key} parser directive can be used")
                    value = found[1]  # type: ignore[index]
                    if key == "escape":
                        if value != "`" and value != "\\":
                            return fail(i, f"invalid escape token '{value}' does not match ` or \\")
                        esc = value
                    directives[key] = value
                else:
                    directives_done = True
            continue
        directives_done = True
        start = i
        last = s[-1]
        if last != esc and last != " " and last != "\t":
            logical = s  # the common case: one line, no continuation
        else:
            body, end = _trim_continuation(s, esc)
            if end:
                logical = body
            else:
                parts = [body]
                for i, nxt in numbered:
                    if has_cr:
                        nxt = nxt.rstrip("\r")
                    l2 = nxt.lstrip(GO_SPACE)
                    if not l2:
                        empty_continuation_lines.append(i)
                        continue
                    if l2[0] == "#":
                        comments.append((i, l2[1:]))
                        continue
                    # _trim_continuation, inline: most lines of a long RUN go through here
                    t = nxt.rstrip(" \t")
                    if t[-1] == esc and (len(t) == 1 or t[-2] != esc):
                        parts.append(t[:-1])
                    else:
                        parts.append(nxt)
                        break
                logical = "".join(parts)

        try:
            inst = _node_of_line(logical, esc)
        except _Fail as exc:
            return fail(start, str(exc))
        inst = _copy_node(inst) if inst.trigger is None else _new_node(logical, esc)

        target = inst.trigger if inst.trigger is not None else inst
        if "<<" in logical and not target.exec_form and target.keyword.lower() in _HEREDOC_OK:
            try:
                docs = heredocs_from_line(logical)
            except LexError as exc:
                return fail(start, str(exc))
            heredocs = []
            for name, fd, chomp, expand in docs:
                body_lines = []
                terminated = False
                for i, hl in numbered:
                    candidate = hl.rstrip("\r") if has_cr else hl
                    if chomp:
                        candidate = candidate.lstrip("\t")
                    if candidate == name:
                        terminated = True
                        break
                    body_lines.append(hl)
                if not terminated:
                    inst.start_line = start
                    inst.end_line = i
                    instructions.append(inst)
                    return fail(start, f"unterminated heredoc {name!r}: no line equal to {name!r} "
                                       "closes it")
                content = "\n".join(body_lines) + "\n" if body_lines else ""
                if chomp:
                    content = _chomp(content)
                heredocs.append(Heredoc(name, content, chomp, expand, fd))
            if heredocs:
                inst.heredocs = tuple(heredocs)
                if inst.trigger is not None:
                    inst.trigger.heredocs = inst.heredocs

        inst.start_line = start
        inst.end_line = i
        first = lines[start - 1]
        inst.column = len(line) - len(s) + 1  # `line` is `first` with any trailing CRs removed
        inst.original = "\n".join(lines[start - 1:i]) if i > start else first
        trig = inst.trigger
        while trig is not None:
            trig.start_line, trig.end_line, trig.original = start, i, inst.original
            pos = first.find(trig.keyword_as_written, inst.column)
            trig.column = pos + 1 if pos >= 0 else inst.column
            trig = trig.trigger
        instructions.append(inst)

        # BuildKit's instruction stage (instructions.Parse): the first failing node wins.
        if stage_error is None:
            low = inst.keyword_as_written.lower()
            if low not in _KNOWN:
                stage_error = ParseError(start, f"unknown instruction: {inst.keyword_as_written or '(empty)'}")
            elif low == "onbuild":
                sub = inst.subcommand
                if sub is None:
                    stage_error = ParseError(start, "ONBUILD requires at least one argument")
                elif sub == "ONBUILD":
                    stage_error = ParseError(start, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
                elif sub in ("MAINTAINER", "FROM"):
                    stage_error = ParseError(start, f"{sub} isn't allowed as an ONBUILD trigger")
            if stage_error is None:
                if low == "from":
                    seen_from = True
                elif not seen_from and low != "arg":
                    stage_error = ParseError(
                        start, f"no build stage in current context: {inst.keyword} comes before "
                               "the first FROM (only ARG may)")

    res.escape = esc
    if not instructions:
        res.error = ParseError(1, "file with no instructions")
    elif too_long is not None:
        res.error = ParseError(too_long, f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}")
    elif stage_error is not None:
        res.error = stage_error
    elif not seen_from:
        res.error = ParseError(1, "dockerfile contains no stages to build (no FROM instruction)")


def source_map(lines: List[str], inst: Instruction) -> Optional[Tuple[str, List[Tuple[int, int]]]]:
    """Where the text of `inst` sits in the file, for tools that edit it (dockerslim_lint.fix).

    Returns `(logical, positions)`: the logical line exactly as `_parse` builds it
    (continuations joined, blank and comment lines inside them skipped, heredoc bodies
    excluded) and, for each of its characters, its (line, column) in `lines` (1-based,
    columns in code points of `ParseResult.lines`, so after a BOM and without a CR).
    Computed on demand by re-walking the same lines with the same helpers as `_parse`,
    so linting pays nothing for it. None when `inst` does not start a logical line there.
    """
    esc = inst.escape
    i = inst.start_line - 1
    if not 0 <= i < len(lines):
        return None
    first = lines[i]
    s = first.lstrip(GO_SPACE)
    if not s or s[0] == "#":
        return None
    offset = len(first) - len(s)
    parts: List[Tuple[str, int, int]] = []  # (text, line number, column of its first character)
    last = s[-1]
    if last != esc and last != " " and last != "\t":
        parts.append((s, i + 1, offset + 1))
    else:
        body, end = _trim_continuation(s, esc)
        parts.append((body, i + 1, offset + 1))
        i += 1
        n = len(lines)
        while not end and i < n:
            nxt = lines[i]
            i += 1
            l2 = nxt.lstrip(GO_SPACE)
            if not l2 or l2[0] == "#":
                continue
            b2, end = _trim_continuation(nxt, esc)
            parts.append((b2, i, 1))
    logical = "".join(p[0] for p in parts)
    positions = [(number, column + k) for text, number, column in parts for k in range(len(text))]
    return logical, positions


def value_span(logical: str, inst: Instruction) -> Optional[Tuple[int, int]]:
    """`(start, end)` of `inst.value` inside its logical line (see `source_map`), or None
    when the value is not found there as written (non-ASCII flags re-encoded by BuildKit)."""
    end = len(logical.rstrip(GO_SPACE))
    start = end - len(inst.value)
    if start < 0 or logical[start:end] != inst.value:
        return None
    return start, end
