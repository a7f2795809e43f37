"""Word splitting exactly as BuildKit's Dockerfile frontend does it.

Ports of the Go helpers the parser needs (BuildKit `frontend/dockerfile`):

* :func:`process_words` / :func:`process_word` - `shell.Lex.ProcessWords` / `ProcessWord`
  (quotes, escapes, `$VAR`/`${VAR...}`, heredoc markers).  With ``env=None`` every
  variable is unset and, as BuildKit's `SkipUnsetEnv`, kept verbatim: `${V:-d}` stays
  `${V:-d}`.  The model may pass an ``env`` mapping to substitute for real.
* :func:`heredocs_from_line` / :func:`parse_heredoc` - `parser.heredocsFromLine` /
  `parser.ParseHeredoc` (which `<<WORD` markers on a RUN/COPY/ADD line open a heredoc).
* :func:`parse_words` - `parser.parseWords` (ARG/ENV/LABEL words, quotes kept).
* :func:`extract_builder_flags` - `parser.extractBuilderFlags` (leading `--flag` words).

Everything works on ``str``; nothing here uses a regular expression that can backtrack,
so every function is linear in its input.

Ported from BuildKit's frontend/dockerfile (Apache License 2.0, (c) The BuildKit Authors).
"""
from __future__ import annotations

import functools
import re
from dockerslim_lint import lazyre

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import List, Mapping, Optional, Tuple

# Go's unicode.IsSpace: ASCII \t \n \v \f \r space, U+0085, U+00A0 and the other
# Unicode White_Space characters.  (Python's str.isspace() also counts \x1c-\x1f, so
# it must not be used where BuildKit calls unicode.IsSpace.)
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_GO_SPACE_SET = frozenset(GO_SPACE)


class LexError(ValueError):
    """A word that BuildKit's shell lexer rejects (unterminated quote, bad `${...}`)."""


_SPECIAL_PARAMS = frozenset("@*#?-$!0")


class _Words:
    __slots__ = ("buf", "words", "in_word")

    def __init__(self) -> None:
        self.buf: List[str] = []
        self.words: List[str] = []
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch in _GO_SPACE_SET:
            if self.in_word and self.buf:
                self.words.append("".join(self.buf))
                self.buf = []
                self.in_word = False
        else:
            self.buf.append(ch)
            self.in_word = True

    def add_raw_char(self, ch: str) -> None:
        self.buf.append(ch)
        self.in_word = True

    def add_string(self, text: str) -> None:
        for ch in text:
            self.add_char(ch)

    def add_raw_string(self, text: str) -> None:
        if text:  # keep "buf non-empty" equivalent to Go's buf.Len() > 0
            self.buf.append(text)
        self.in_word = True

    def get(self) -> List[str]:
        if self.buf:
            self.words.append("".join(self.buf))
            self.buf = []
            self.in_word = False
        return self.words


class _Lexer:
    """BuildKit's shellWord over a Python string (text/scanner semantics: a leading
    BOM is skipped, everything else is read one code point at a time)."""

    __slots__ = ("s", "n", "i", "escape", "raw_quotes", "raw_escapes", "skip_unset", "env")

    def __init__(self, text: str, escape: str, raw_quotes: bool, raw_escapes: bool,
                 env: Optional[Mapping[str, str]], skip_unset: bool) -> None:
        self.s = text
        self.n = len(text)
        self.i = 1 if text.startswith("\ufeff") else 0
        self.escape = escape
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.env = env
        self.skip_unset = skip_unset

    def peek(self) -> Optional[str]:
        return self.s[self.i] if self.i < self.n else None

    def next(self) -> Optional[str]:
        if self.i < self.n:
            ch = self.s[self.i]
            self.i += 1
            return ch
        return None

    def get_env(self, name: str) -> Tuple[str, bool]:
        if self.env is not None and name in self.env:
            return self.env[name], True
        return "", False

    # -- processStopOn -------------------------------------------------------------
    def process_stop_on(self, stop: Optional[str], raw_escapes: bool) -> Tuple[str, List[str]]:
        saved = self.raw_escapes
        self.raw_escapes = raw_escapes
        try:
            return self._process_stop_on(stop)
        finally:
            self.raw_escapes = saved

    def _process_stop_on(self, stop: Optional[str]) -> Tuple[str, List[str]]:
        result: List[str] = []
        words = _Words()
        s = self.s
        n = self.n
        esc = self.escape
        while self.i < n:
            ch = s[self.i]
            if stop is not None and ch == stop:
                self.i += 1
                return "".join(result), words.get()
            if ch == "$":
                tmp = self.process_dollar()
                result.append(tmp)
                words.add_string(tmp)
            elif ch == "<":
                tmp = self.process_possible_heredoc()
                result.append(tmp)
                words.add_raw_string(tmp)
            elif ch == "'":
                tmp = self.process_single_quote()
                result.append(tmp)
                words.add_raw_string(tmp)
            elif ch == '"':
                tmp = self.process_double_quote()
                result.append(tmp)
                words.add_raw_string(tmp)
            else:
                self.i += 1
                if ch == esc:
                    if self.raw_escapes:
                        words.add_raw_char(ch)
                        result.append(ch)
                    if self.i >= n:
                        break
                    ch = s[self.i]
                    self.i += 1
                    words.add_raw_char(ch)
                else:
                    words.add_char(ch)
                result.append(ch)
        if stop is not None:
            raise LexError(f"unexpected end of statement while looking for matching {stop}")
        return "".join(result), words.get()

    def process_single_quote(self) -> str:
        out: List[str] = []
        ch = self.next()
        if self.raw_quotes:
            out.append(ch)  # type: ignore[arg-type]
        end = self.s.find("'", self.i)
        if end < 0:
            raise LexError("unexpected end of statement while looking for matching single-quote")
        out.append(self.s[self.i:end])
        self.i = end + 1
        if self.raw_quotes:
            out.append("'")
        return "".join(out)

    def process_double_quote(self) -> str:
        out: List[str] = []
        ch = self.next()
        if self.raw_quotes:
            out.append(ch)  # type: ignore[arg-type]
        esc = self.escape
        while True:
            p = self.peek()
            if p is None:
                raise LexError("unexpected end of statement while looking for matching double-quote")
            if p == '"':
                self.i += 1
                if self.raw_quotes:
                    out.append(p)
                return "".join(out)
            if p == "$":
                out.append(self.process_dollar())
                continue
            ch = self.next()
            if ch == esc:
                if self.raw_escapes:
                    out.append(ch)
                q = self.peek()
                if q is None:
                    continue  # the escape at the very end is dropped; the loop then fails
                if q == '"' or q == "$" or q == esc:
                    ch = self.next()
            out.append(ch)  # type: ignore[arg-type]

    def process_name(self) -> str:
        name: List[str] = []
        s = self.s
        while self.i < self.n:
            ch = s[self.i]
            if not name and ch.isdecimal():
                start = self.i
                while self.i < self.n and s[self.i].isdecimal():
                    self.i += 1
                return s[start:self.i]
            if not name and ch in _SPECIAL_PARAMS:
                self.i += 1
                return ch
            if not (ch.isalpha() or ch.isdecimal() or ch == "_"):
                break
            self.i += 1
            name.append(ch)
        return "".join(name)

    def process_possible_heredoc(self) -> str:
        self.i += 1  # '<'
        if self.peek() != "<":
            return "<"
        self.i += 1
        start = self.i
        while self.i < self.n and self.s[self.i] in "\t\r ":
            self.i += 1
        return "<<" + self.s[start:self.i]

    def read_until(self, stop: str, raw_escapes: bool, missing: str) -> str:
        """processStopOn(stop) inside `${...}`: running out of text is `missing`."""
        try:
            return self.process_stop_on(stop, raw_escapes)[0]
        except LexError:
            if self.peek() is None:
                raise LexError(missing) from None
            raise

    def process_dollar(self) -> str:
        self.i += 1  # '$'
        if self.peek() != "{":
            name = self.process_name()
            if name == "":
                return "$"
            value, found = self.get_env(name)
            if not found and self.skip_unset:
                return "$" + name
            return value
        self.i += 1  # '{'
        p = self.peek()
        if p is None:
            raise LexError("syntax error: missing '}'")
        if p in "{}:":
            raise LexError("syntax error: bad substitution")
        name = self.process_name()
        ch = self.next()
        chs = "\ufffd" if ch is None else ch
        null_is_unset = False
        if ch == "}":
            value, found = self.get_env(name)
            if not found and self.skip_unset:
                return "${%s}" % name
            return value
        if ch == ":" or ch in ("+", "-", "?", "#", "%"):
            if ch == ":":
                null_is_unset = True
                ch = self.next()
                chs += "\ufffd" if ch is None else ch
            raw_escapes = ch == "#" or ch == "%"
            if null_is_unset and raw_escapes:
                raise LexError(f"unsupported modifier ({chs}) in substitution")
            word = self.read_until("}", raw_escapes, "syntax error: missing '}'")
            value, found = self.get_env(name)
            if self.skip_unset and not found:
                return "${%s%s%s}" % (name, chs, word)
            if ch == "-":
                return word if (not found or (null_is_unset and value == "")) else value
            if ch == "+":
                return "" if (not found or (null_is_unset and value == "")) else word
            if ch == "?":
                if not found:
                    raise LexError(f"{name}: {word or 'is not allowed to be unset'}")
                if null_is_unset and value == "":
                    raise LexError(f"{name}: {word or 'is not allowed to be empty'}")
                return value
            if ch == "%" or ch == "#":
                greedy = False
                if word and word[0] == ch:
                    greedy = True
                    word = word[1:]
                if ch == "%":
                    return _trim_suffix(word, value, greedy)
                return _trim_prefix(word, value, greedy)
            raise LexError(f"unsupported modifier ({chs}) in substitution")
        if ch == "/":
            replace_all = self.peek() == "/"
            if replace_all:
                self.i += 1
            pattern = self.read_until("/", True, "syntax error: missing '/' in ${}")
            replacement = self.read_until("}", True, "syntax error: missing '}'")
            value, found = self.get_env(name)
            if self.skip_unset and not found:
                return "${%s/%s/%s}" % (name, pattern, replacement)
            rx = _shell_pattern_to_regex(pattern, True, False)
            if replace_all:
                return rx.sub(lambda _m: replacement, value)
            return rx.sub(lambda _m: replacement, value, count=1)
        raise LexError(f"unsupported modifier ({chs}) in substitution")


def _shell_pattern_to_regex(pattern: str, greedy: bool, anchored: bool):
    out = ["^"] if anchored else []
    star = ".*" if greedy else ".*?"
    i, n = 0, len(pattern)
    while i < n:
        tok = pattern[i]
        i += 1
        if tok == "*":
            out.append(star)
        elif tok == "?":
            out.append(".")
        elif tok == "\\":
            if i < n and pattern[i] in "}/":
                continue
            nxt = pattern[i] if i < n else ""
            i += 1
            if nxt not in ("*", "?", "\\"):
                raise LexError(f"invalid pattern ({pattern}) in substitution: invalid escape '\\{nxt}'")
            out.append(re.escape(nxt))
        else:
            out.append(re.escape(tok))
    return re.compile("".join(out))  # Go: "." does not match a newline


def _trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    m = _shell_pattern_to_regex(pattern, greedy, True).search(value)
    return value[m.end():] if m else value


def _reverse_pattern(pattern: str) -> str:
    chars = list(pattern)
    out = [""] * len(chars)
    last = len(chars) - 1
    i = 0
    while i <= last:
        tok = chars[i]
        o = last - i
        if tok == "\\" and i != last:
            out[o - 1] = tok
            out[o] = chars[i + 1]
            i += 2
        else:
            out[o] = tok
            i += 1
    return "".join(out)


def _trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    return _trim_prefix(_reverse_pattern(pattern), value[::-1], greedy)[::-1]


def process_words(text: str, escape: str = "\\", *, raw_quotes: bool = False,
                  raw_escapes: bool = False, env: Optional[Mapping[str, str]] = None,
                  skip_unset: bool = True) -> List[str]:
    """BuildKit `Lex.ProcessWords`: split `text` into shell words.  Raises LexError."""
    lexer = _Lexer(text, escape, raw_quotes, raw_escapes, env, skip_unset)
    return lexer.process_stop_on(None, raw_escapes)[1]


def process_word(text: str, escape: str = "\\", *, raw_quotes: bool = False,
                 raw_escapes: bool = False, env: Optional[Mapping[str, str]] = None,
                 skip_unset: bool = True) -> str:
    """BuildKit `Lex.ProcessWord`: quotes and escapes removed, variables substituted
    from `env` (unset ones kept verbatim while `skip_unset`).  Raises LexError."""
    lexer = _Lexer(text, escape, raw_quotes, raw_escapes, env, skip_unset)
    return lexer.process_stop_on(None, raw_escapes)[0]


def unquote(text: str, escape: str = "\\") -> str:
    """`text` with shell quotes and escapes removed and `$VARS` left as written; the
    text itself when BuildKit's lexer would reject it."""
    if "'" not in text and '"' not in text and escape not in text:
        return text
    if escape not in text and "${" not in text and not text.startswith("\ufeff"):
        # Without escapes and `${`, the lexer keeps every character but the quotes around
        # quoted parts (`$NAME` is unset here: kept as written); an unbalanced quote fails.
        return _without_quotes(text)
    try:
        return process_word(text, escape)
    except (LexError, RecursionError):
        return text


def _without_quotes(text: str) -> str:
    out = []
    i = 0
    while True:
        single, double = text.find("'", i), text.find('"', i)
        start = single if double < 0 or 0 <= single < double else double
        if start < 0:
            out.append(text[i:])
            return "".join(out)
        end = text.find(text[start], start + 1)
        if end < 0:
            return text  # an unbalanced quote: the lexer's error, the text as written
        out.append(text[i:start])
        out.append(text[start + 1:end])
        i = end + 1


# -- heredocs ----------------------------------------------------------------------

_ASCII_DIGITS = frozenset("0123456789")
_GO_RE_SPACE = "\t\n\f\r "  # Go regexp \s


def parse_heredoc(word: str) -> Optional[Tuple[str, int, bool, bool]]:
    """BuildKit `parser.ParseHeredoc` on one raw word: `(name, fd, chomp, expand)` or
    None when the word does not open a heredoc.  Raises LexError like BuildKit."""
    # ^(\d*)<<(-?)\s*([^<]*)$
    i, n = 0, len(word)
    while i < n and word[i] in _ASCII_DIGITS:
        i += 1
    if not word.startswith("<<", i):
        return None
    fd = int(word[:i]) if i else 0
    i += 2
    chomp = False
    if i < n and word[i] == "-":
        chomp = True
        i += 1
    while i < n and word[i] in _GO_RE_SPACE:
        i += 1
    rest = word[i:]
    if "<" in rest:
        # `\s*` may give back what it took only to let `[^<]*` match: never with '<'.
        return None
    if not rest:
        return None
    words = process_words(rest, "\\")
    if len(words) != 1:
        return None
    raw = process_words(rest, "\\", raw_quotes=True)
    if len(raw) != len(words):
        raise LexError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    name = words[0]
    expand = (name.count("'") + name.count('"')) == (raw[0].count("'") + raw[0].count('"'))
    return name, fd, chomp, expand


def heredocs_from_line(line: str) -> List[Tuple[str, int, bool, bool]]:
    """BuildKit `parser.heredocsFromLine`: the heredocs a whole instruction line opens,
    in order.  A line the lexer rejects opens none (BuildKit ignores that error).
    (`${...}` nested deeper than Python's recursion limit is treated the same way.)"""
    try:
        words = process_words(line, "\\", raw_quotes=True, raw_escapes=True)
    except (LexError, RecursionError):
        return []
    docs = []
    try:
        for word in words:
            if "<<" in word:
                doc = parse_heredoc(word)
                if doc is not None:
                    docs.append(doc)
    except RecursionError:
        pass
    return docs


# -- parser-level splitting ----------------------------------------------------------

_QUOTES = frozenset("'\"")
_PY_ONLY_SPACE = re.compile("[\x1c-\x1f]")  # str.split() splits there, Go does not


@functools.lru_cache(maxsize=None)
def _quoted_words():
    """Words of ASCII text without escapes: runs of plain characters and quoted parts."""
    return re.compile(r"""(?:[^\t\n\v\f\r '"]+|'[^']*'?|"[^"]*"?)+""").findall


def parse_words(rest: str, escape: str) -> List[str]:
    """BuildKit `parser.parseWords`: whitespace-separated words, quotes and escapes kept
    as written (they are removed later, when the instruction runs)."""
    if rest.isascii() and escape not in rest:
        if "'" not in rest and '"' not in rest and _PY_ONLY_SPACE.search(rest) is None:
            return rest.split()
        # Quotes but no escapes: a word is plain characters and quoted parts (an unbalanced
        # quote runs to the end), as _parse_words_loop reads them.
        return _quoted_words()(rest)
    return _parse_words_loop(rest, escape)


def _parse_words_loop(rest: str, escape: str) -> List[str]:
    """parse_words for any text, character by character (BuildKit's loop)."""
    words: List[str] = []
    buf: List[str] = []
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    quote = ""
    blank_ok = False
    n = len(rest)
    pos = 0
    ch = ""
    while pos <= n:
        if pos != n:
            ch = rest[pos]
        if phase == in_spaces:
            if pos == n:
                break
            if ch in _GO_SPACE_SET:
                pos += 1
                continue
            phase = in_word
        if pos == n:  # phase is in_word or in_quote
            if blank_ok or buf:
                words.append("".join(buf))
            break
        if phase == in_word:
            if ch in _GO_SPACE_SET:
                phase = in_spaces
                if blank_ok or buf:
                    words.append("".join(buf))
                buf = []
                blank_ok = False
                pos += 1
                continue
            if ch in _QUOTES:
                quote = ch
                blank_ok = True
                phase = in_quote
            if ch == escape:
                if pos + 1 == n:
                    pos += 1
                    continue
                buf.append(ch)
                pos += 1
                ch = rest[pos]
            buf.append(ch)
            pos += 1
            continue
        # in_quote
        if ch == quote:
            phase = in_word
        if ch == escape and quote != "'":
            if pos + 1 == n:
                phase = in_word
                pos += 1
                continue
            pos += 1
            buf.append(ch)
            ch = rest[pos]
        buf.append(ch)
        pos += 1
    return words


_GO_BYTE_SPACE = frozenset("\t\n\v\f\r \x85\xa0")  # unicode.IsSpace(rune(b)) for a byte b


def extract_builder_flags(line: str, escape: str) -> Tuple[str, List[str]]:
    """BuildKit `parser.extractBuilderFlags`: `(rest, flag_words)` where flag_words are
    the leading words that start with `--` (quotes removed) and rest is the remainder.

    BuildKit walks this text byte by byte and turns each byte of a multi-byte character
    into a rune of its own (so `--chown=josé` reaches the build as `--chown=josÃ©`);
    that is reproduced here, on a Latin-1 view of the UTF-8 bytes, for non-ASCII text."""
    stripped = line.lstrip("\t\n\v\f\r ")
    if not stripped.startswith("--"):
        return stripped, []  # the common case: no flags (a leading U+0085/U+00A0 is not
        # skipped: BuildKit sees its first byte, 0xC2, which is no space)
    if line.isascii():
        return _extract_builder_flags(line, escape)
    view = line.encode("utf-8", "surrogatepass").decode("latin-1")
    rest, words = _extract_builder_flags(view, escape)
    return rest.encode("latin-1").decode("utf-8", "replace"), words


# A flag word without quotes or escapes (`--mount=type=cache,target=/root/.cache`) after
# blanks, ending at a blank or the end: most flags, read by one match instead of a loop
# over their characters. The `[^...]` part stops before quotes and both escape characters.
_PLAIN_FLAG = lazyre.compile(r"[\t\n\v\f\r \x85\xa0]*(--[^\t\n\v\f\r \x85\xa0'\"\\`]*)(?=[\t\n\v\f\r \x85\xa0]|\Z)")


def _extract_builder_flags(line: str, escape: str) -> Tuple[str, List[str]]:
    """extract_builder_flags on the Latin-1 view: plain flag words by _PLAIN_FLAG, anything
    else by _extract_builder_flags_loop."""
    words: List[str] = []
    pos, n = 0, len(line)
    match = _PLAIN_FLAG.match
    while True:
        m = match(line, pos)
        if m is None:
            break
        word = m.group(1)
        pos = m.end()
        if word == "--":  # the end of the flags: the rest follows it
            return line[pos:], words
        words.append(word)
        if pos == n:
            return "", words
    while pos < n and line[pos] in _GO_BYTE_SPACE:
        pos += 1
    if not line.startswith("--", pos):  # the first word that is no flag starts the rest
        return line[pos:], words
    return _extract_builder_flags_loop(line, escape)  # a flag with quotes or escapes


def _extract_builder_flags_loop(line: str, escape: str) -> Tuple[str, List[str]]:
    """BuildKit's loop over the characters of the flags, for any text."""
    space = _GO_BYTE_SPACE
    pos = 0
    n = len(line)
    while pos < n and line[pos] in space:
        pos += 1
    if not line.startswith("--", pos):
        return line[pos:], []
    words: List[str] = []
    buf: List[str] = []
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    quote = ""
    blank_ok = False
    ch = ""
    while pos <= n:
        if pos != n:
            ch = line[pos]
        if phase == in_spaces:
            if pos == n:
                break
            if ch in space:
                pos += 1
                continue
            if ch != "-" or pos + 1 == n or line[pos + 1] != "-":
                return line[pos:], words
            phase = in_word
        if pos == n:
            word = "".join(buf)
            if word != "--" and (blank_ok or word):
                words.append(word)
            break
        if phase == in_word:
            if ch in space:
                word = "".join(buf)
                phase = in_spaces
                if word == "--":
                    return line[pos:], words
                if blank_ok or word:
                    words.append(word)
                buf = []
                blank_ok = False
                pos += 1
                continue
            if ch in _QUOTES:
                quote = ch
                blank_ok = True
                phase = in_quote
                pos += 1
                continue
            if ch == escape:
                if pos + 1 == n:
                    pos += 1
                    continue
                pos += 1
                ch = line[pos]
            buf.append(ch)
            pos += 1
            continue
        # in_quote
        if ch == quote:
            phase = in_word
            pos += 1
            continue
        if ch == escape:
            if pos + 1 == n:
                phase = in_word
                pos += 1
                continue
            pos += 1
            ch = line[pos]
        buf.append(ch)
        pos += 1
    return "", words


def split_first_word_bytewise(rest: str) -> Tuple[str, str]:
    """BuildKit parseHealthConfig's split of `rest` into its first word and the text
    after the spaces that follow it (byte-wise unicode.IsSpace, as BuildKit)."""
    view = rest if rest.isascii() else rest.encode("utf-8", "surrogatepass").decode("latin-1")
    space = _GO_BYTE_SPACE
    n = len(view)
    sep = 0
    while sep < n and view[sep] not in space:
        sep += 1
    nxt = sep
    while nxt < n and view[nxt] in space:
        nxt += 1
    first, after = view[:sep], view[nxt:]
    if view is not rest:
        first = first.encode("latin-1").decode("utf-8", "replace")
        after = after.encode("latin-1").decode("utf-8", "replace")
    return first, after


__all__ = [
    "GO_SPACE", "LexError", "process_words", "process_word", "unquote", "parse_heredoc",
    "heredocs_from_line", "parse_words", "extract_builder_flags", "split_first_word_bytewise",
]
