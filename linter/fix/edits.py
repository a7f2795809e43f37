"""The one edit engine: every fix (`--fix`, `--diff`, SARIF `fixes`, editor code actions)
is a list of `Edit`s built here from parser positions, and `apply` is the only code that
changes a Dockerfile's text.

Coordinates are those of `ParseResult.lines`: 1-based lines, 1-based columns counted in
code points, a BOM not counted on line 1, a line's CR not counted. `end_line`/`end_column`
are exclusive, on the original text; an insertion has start == end. `apply` keeps every
character outside the edits as it was (comments, blank lines, indentation, CRLF, the BOM,
the `# escape=` directive, continuations, heredoc bodies); a newline in an edit's text is
written with the line ending of the line the edit starts on.

A `Fix` is all or nothing: `select` keeps, in a fixed order, the fixes whose edits touch
no edit of a fix kept before them; the others wait for the next pass of `--fix`.
"""
from __future__ import annotations

import json
from dockerslim_lint.records import record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Iterable, List, Optional, Sequence, Tuple


@record(frozen=True, order=True)
class Edit:
    line: int
    column: int
    end_line: int
    end_column: int
    text: str

    @property
    def start(self) -> Tuple[int, int]:
        return self.line, self.column

    @property
    def end(self) -> Tuple[int, int]:
        return self.end_line, self.end_column


@record(frozen=True)
class Fix:
    description: str  # one sentence: what the fix does
    edits: Tuple[Edit, ...]
    safe: bool  # True: cannot change what the image does (applied by --fix); False: needs --unsafe-fixes

    def __post_init__(self):
        object.__setattr__(self, "edits", tuple(sorted(self.edits)))

    @property
    def key(self):
        """Fixes with the same edits are one fix (a base swap carried by several findings)."""
        return self.edits


class EditError(ValueError):
    """Edits that do not fit the text (out of range, overlapping)."""


# -- applying ---------------------------------------------------------------------------

def _line_starts(text: str) -> Tuple[List[int], List[int]]:
    """(offset of each line's first character, length of each line without its CR/LF);
    line 1 starts after a BOM, as the parser counts."""
    starts, lengths = [], []
    pos = 1 if text.startswith("\ufeff") else 0
    n = len(text)
    while True:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        length = end - pos
        if nl >= 0 and length and text[end - 1] == "\r":
            length -= 1
        starts.append(pos)
        lengths.append(length)
        if nl < 0:
            break
        pos = nl + 1
    if len(starts) > 1 and starts[-1] == n:  # the text ends with a newline: no line after it
        starts.pop()
        lengths.pop()
    return starts, lengths


def _offset(starts, lengths, text: str, line: int, column: int) -> int:
    if line == len(starts) + 1 and column == 1:  # the end of a text that ends with a newline
        return len(text)
    if not 1 <= line <= len(starts):
        raise EditError(f"line {line} is outside the file (1-{len(starts)})")
    if not 1 <= column <= lengths[line - 1] + 1:
        raise EditError(f"column {column} is outside line {line} (1-{lengths[line - 1] + 1})")
    return starts[line - 1] + column - 1


def _eol_at(text: str, offset: int) -> str:
    """The line ending of the line at `offset` (on a last line without one: the line before's)."""
    nl = text.find("\n", offset)
    if nl < 0:
        nl = text.rfind("\n", 0, offset)
    return "\r\n" if nl > 0 and text[nl - 1] == "\r" else "\n"


def apply(text: str, edits: Iterable[Edit]) -> str:
    """`text` with `edits` made (positions on the original text). Overlapping edits, or two
    insertions at one place, raise EditError: pick them with `select` first."""
    edits = sorted(edits)
    if not edits:
        return text
    starts, lengths = _line_starts(text)
    spans = []
    for e in edits:
        a = _offset(starts, lengths, text, e.line, e.column)
        b = _offset(starts, lengths, text, e.end_line, e.end_column) if e.end != e.start else a
        if b < a:
            raise EditError(f"edit ends before it starts: {e}")
        spans.append((a, b, e.text))
    for (a1, b1, _), (a2, b2, _) in zip(spans, spans[1:]):
        if a2 < b1 or (a2 == a1 and b1 == a1 and b2 == a2):
            raise EditError("edits overlap")
    out = []
    pos = 0
    for a, b, new in spans:
        out.append(text[pos:a])
        if "\n" in new and _eol_at(text, a) == "\r\n":
            new = new.replace("\r\n", "\n").replace("\n", "\r\n")
        out.append(new)
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _touch(a: Edit, b: Edit) -> bool:
    """Do two edits overlap or meet (an edit at the boundary of another counts: the order
    of the two would be a guess)?"""
    return a.start <= b.end and b.start <= a.end


def select(fixes: Iterable[Fix]) -> List[Fix]:
    """The fixes to apply together: duplicates (same edits) once, then in order of position
    (then description), each fix kept only when none of its edits touches a kept edit."""
    unique = {}
    for fix in fixes:
        if fix is not None and fix.edits:
            unique.setdefault(fix.key, fix)
    kept: List[Fix] = []
    taken: List[Edit] = []
    for fix in sorted(unique.values(), key=lambda f: (f.edits[0].start, f.edits, f.description)):
        if any(_touch(e, t) for e in fix.edits for t in taken):
            continue
        kept.append(fix)
        taken.extend(fix.edits)
    return kept


def apply_fixes(text: str, fixes: Iterable[Fix]) -> str:
    return apply(text, [e for fix in fixes for e in fix.edits])


# -- positions from the parser ----------------------------------------------------------

class Located:
    """An instruction's logical text with the file position of each character."""

    def __init__(self, logical: str, positions, value_start: int, value_end: int):
        self.logical = logical
        self.positions = positions
        self.value_start = value_start
        self.value_end = value_end

    @property
    def value(self) -> str:
        return self.logical[self.value_start:self.value_end]

    def at(self, index: int) -> Tuple[int, int]:
        """(line, column) of the character at `index` of the logical line."""
        return self.positions[index]

    def after(self, index: int) -> Tuple[int, int]:
        """(line, column) just after the character at `index`."""
        line, column = self.positions[index]
        return line, column + 1

    def value_range(self, start: int, end: int) -> Tuple[Tuple[int, int], Tuple[int, int]]:
        """File range of value[start:end] (end > start)."""
        return self.at(self.value_start + start), self.after(self.value_start + end - 1)


def locate(parsed, ins) -> Optional[Located]:
    """Where `ins` and its value sit in the file; None when that cannot be told exactly."""
    from dockerslim_lint.dockerfile.parser import source_map, value_span

    found = source_map(parsed.lines, ins)
    if found is None:
        return None
    logical, positions = found
    span = value_span(logical, ins)
    if span is None:
        return None
    return Located(logical, positions, span[0], span[1])


def replace_value(parsed, ins, text: str) -> Optional[Edit]:
    """Replace everything after the keyword and flags (continuation lines included) with
    `text`. None when a comment or blank line sits inside that text (it would be lost)."""
    loc = locate(parsed, ins)
    if loc is None or loc.value_end <= loc.value_start:
        return None
    (l1, c1), (l2, c2) = loc.value_range(0, len(loc.value))
    lines_used = {line for line, _ in loc.positions[loc.value_start:loc.value_end]}
    if any(line not in lines_used for line in range(l1, l2 + 1)):
        return None
    return Edit(l1, c1, l2, c2, text)


def insert_in_value(parsed, ins, index: int, text: str) -> Optional[Edit]:
    """Insert `text` before value[index] (index == len(value): after its last character)."""
    loc = locate(parsed, ins)
    if loc is None or not 0 <= index <= len(loc.value) or not loc.value:
        return None
    if index == len(loc.value):
        line, column = loc.after(loc.value_end - 1)
    else:
        line, column = loc.at(loc.value_start + index)
    return Edit(line, column, line, column, text)


def append_to_value(parsed, ins, text: str) -> Optional[Edit]:
    """Insert `text` right after the last character of the instruction's value (a RUN's
    command line: before a trailing continuation, never inside a heredoc body)."""
    loc = locate(parsed, ins)
    if loc is None:
        return None
    return insert_in_value(parsed, ins, len(loc.value), text)


def insert_line_after(parsed, ins, text: str) -> Optional[Edit]:
    """A new line `text` after the last line of `ins` (heredoc bodies and continuations
    included), indented like `ins`; the file keeps (or keeps lacking) its final newline."""
    lines = parsed.lines
    if not 1 <= ins.end_line <= len(lines):
        return None
    last = lines[ins.end_line - 1]
    first = lines[ins.start_line - 1]
    indent = first[:len(first) - len(first.lstrip(" \t"))]
    column = len(last) + 1
    return Edit(ins.end_line, column, ins.end_line, column, getattr(parsed, "newline", "\n") + indent + text)


def replace_text(parsed, line: int, column: int, old: str, new: str) -> Optional[Edit]:
    """Replace `old`, which must be written at (line, column) on one line, with `new`."""
    lines = parsed.lines
    if not old or not 1 <= line <= len(lines) or column < 1:
        return None
    if lines[line - 1][column - 1:column - 1 + len(old)] != old:
        return None
    return Edit(line, column, line, column + len(old), new)


def exec_form(words: Sequence[str]) -> str:
    """`["a", "b"]` as BuildKit reads it back (JSON, non-ASCII kept)."""
    return json.dumps(list(words), ensure_ascii=False)


# -- words with their positions in shell text ---------------------------------------------

@record(frozen=True)
class Word:
    text: str  # as written (quotes kept)
    start: int  # offsets in the shell text
    end: int

    @property
    def plain(self) -> bool:
        """Written without quotes, escapes, expansions or globs: its text is its value."""
        return not any(c in self.text for c in "\"'\\$`*?[]{}~#")


_OPERATOR_CHARS = "&|;()<>\n"


def simple_commands(script: str) -> Optional[List[List[Word]]]:
    """The simple commands of a plain shell command line (`a && b; c | d`), with each
    word's offsets; None when the text holds anything this reader does not follow
    exactly (comments, heredocs, redirections, subshells, command substitution,
    an unbalanced quote): a fix is then not offered."""
    commands: List[List[Word]] = []
    words: List[Word] = []
    i, n = 0, len(script)
    while i < n:
        c = script[i]
        if c in " \t":
            i += 1
            continue
        if c in _OPERATOR_CHARS:
            two = script[i:i + 2]
            if two in ("&&", "||"):
                i += 2
            elif c in ";|":
                i += 1
            else:
                return None  # & < > ( ) newline: not a plain command line
            if not words:
                return None
            commands.append(words)
            words = []
            continue
        if c == "#":
            return None
        start = i
        while i < n and script[i] not in " \t" and script[i] not in _OPERATOR_CHARS:
            ch = script[i]
            if ch in "'\"":
                j = script.find(ch, i + 1)
                if j < 0 or (ch == '"' and any(x in script[i + 1:j] for x in "\\$`")):
                    return None
                i = j + 1
            elif ch in "\\`" or script.startswith("$(", i):
                return None
            else:
                i += 1
        words.append(Word(script[start:i], start, i))
    if not words:
        return None if commands else []
    commands.append(words)
    return commands


def word_value(word: Word) -> str:
    """A word's value with single/double quotes removed (simple_commands refused the rest)."""
    out, i, t = [], 0, word.text
    while i < len(t):
        if t[i] in "'\"":
            j = t.index(t[i], i + 1)
            out.append(t[i + 1:j])
            i = j + 1
        else:
            out.append(t[i])
            i += 1
    return "".join(out)


# -- fixes every rule may share ------------------------------------------------------------

def base_swap(lines, suggestion) -> Optional[Fix]:
    """Replace the runtime base reference on its FROM line with the suggested image, only
    where the suggestion says swapping the base alone gives a working image (fix_safe).
    Not a safe fix: the program runs on another image (--unsafe-fixes)."""
    s = suggestion
    if s is None or not getattr(s, "fix_safe", False) or not s.image or not s.replaces \
            or not s.replace_line or not s.replace_column or s.image == s.replaces:
        return None

    from types import SimpleNamespace

    holder = SimpleNamespace(lines=lines or [])  # replace_text reads only `.lines`
    edit = replace_text(holder, s.replace_line, s.replace_column, s.replaces, s.image)
    if edit is None:
        return None  # the file does not hold what the fix would replace
    return Fix(f"Replace the base image {s.replaces} with {s.image}.", (edit,), safe=False)
