"""Fast paths of the per-file hot code give what the general code gives, on random text."""
import json
import random

import pytest

from dockerslim_lint.dockerfile import parser, shellwords
from dockerslim_lint.dockerfile.shellwords import LexError, process_word

_CHARS = list("ab '\"\t\n\x0b\x0c\r\x1c=$`\\{}<:é_1@\ufeff")


def _texts(seed, count=40000, longest=14):
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(_CHARS) for _ in range(rng.randint(0, longest)))


def _lexer_unquote(text, escape):
    if "'" not in text and '"' not in text and escape not in text:
        return text
    try:
        return process_word(text, escape)
    except (LexError, RecursionError):
        return text


@pytest.mark.parametrize("escape", ["\\", "`"])
def test_unquote_is_the_lexer(escape):
    for text in _texts(1):
        assert shellwords.unquote(text, escape) == _lexer_unquote(text, escape), repr(text)


@pytest.mark.parametrize("escape", ["\\", "`"])
def test_parse_words_is_the_loop(escape):
    for text in _texts(2):
        assert shellwords.parse_words(text, escape) == shellwords._parse_words_loop(text, escape), repr(text)


def test_json_arrays_as_json_loads():
    rng = random.Random(3)
    pieces = ['["a"', ', "b c"', ', 1', ', 1.5e999', ', NaN', ', "\\u00e9"', ']', ' ', ', true', '[]', ',', '"']
    for _ in range(20000):
        text = "[" + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        try:
            expected = json.loads(text, parse_constant=parser._reject_constant,
                                  parse_float=parser._json_number, parse_int=parser._json_number)
        except ValueError:
            expected = ValueError
        try:
            got = parser._json_decoder().decode(text)
        except ValueError:
            got = ValueError
        assert got == expected, text


@pytest.mark.parametrize("escape", ["\\", "`"])
def test_builder_flags_are_the_loop(escape):
    rng = random.Random(4)
    pieces = ["--", "--a", "--mount=type=cache,target=/x", "=", "x", " ", "  ", "\t", "\x85", "\xa0", "\x0b", "'",
              '"', "\\", "`", "-", "--from=b", "é", "RUN", "\n"]
    for _ in range(40000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert shellwords._extract_builder_flags(text, escape) == \
            shellwords._extract_builder_flags_loop(text, escape), repr(text)


def test_a_suppression_comment_names_the_tool():
    """engine.suppress skips files none of whose comments hold `dockerslim-lint`."""
    from dockerslim_lint.engine import suppress

    rng = random.Random(5)
    tools = ["dockerslim-lint", "DOCKERSLIM-LINT", "Dockerslim-lint", "dockerslim", "dockerslim_lint", ""]
    pieces = [" ", "\t", "global ", "ignore", "=", "DSL101", ",", "dsl301", "x", " ignore=DSL101"]
    found = 0
    for _ in range(20000):
        text = rng.choice(["", " ", "\t"]) + rng.choice(tools) + "".join(
            rng.choice(pieces) for _ in range(rng.randint(0, 4)))
        if suppress.parse_comment(text) is not None:
            found += 1
            assert "dockerslim-lint" in text, repr(text)
    assert found > 200


def test_recurring_lines_parse_as_new_instructions():
    """parser._node_of_line keeps templates of recent logical lines; a parse hands out copies."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "fixtures"
    texts = [p.read_bytes() for p in sorted(root.rglob("*Dockerfile*")) if p.is_file()][:120]
    texts.append(b"FROM a\nONBUILD RUN x\nONBUILD RUN x\nRUN <<EOF\nbody\nEOF\nRUN <<EOF\nother\nEOF\n")
    parser._node_of_line.cache_clear()
    fresh = [parser.parse(text) for text in texts]
    again = [parser.parse(text) for text in texts]  # the same lines, now from the templates
    assert parser._node_of_line.cache_info().hits > 100
    assert again == fresh
    mine = again[-1].instructions
    assert mine[1].trigger.args == mine[2].trigger.args and mine[1].trigger is not mine[2].trigger
    assert mine[3].heredocs != mine[4].heredocs  # set on each copy, not on the shared template
    mine[3].column = 99
    assert parser.parse(texts[-1]).instructions[3].column == 1
