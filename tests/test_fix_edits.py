"""The edit engine (dockerslim_lint.fix.edits): positions from the parser, `apply` keeping
every byte outside the edits, deterministic selection of overlapping fixes."""
import glob
import os

import pytest

from conftest import FIXTURES

from dockerslim_lint.dockerfile.parser import parse, source_map, value_span
from dockerslim_lint.fix.edits import (Edit, EditError, Fix, append_to_value, apply, base_swap, exec_form,
                                       insert_line_after, replace_text, replace_value, select,
                                       simple_commands, word_value)


def _parsed(text):
    return parse(text.encode("utf-8"))


def _ins(parsed, keyword, nth=0):
    return [i for i in parsed.instructions if i.keyword == keyword][nth]


# -- apply --------------------------------------------------------------------------------

def test_apply_replaces_inserts_and_deletes_on_original_positions():
    text = "FROM a\nRUN x y\nCMD z\n"
    out = apply(text, [Edit(1, 6, 1, 7, "alpine"), Edit(2, 6, 2, 6, " --q"), Edit(3, 4, 3, 6, "")])
    assert out == "FROM alpine\nRUN x --q y\nCMD\n"


def test_apply_keeps_crlf_bom_and_a_missing_final_newline():
    text = "\ufeffFROM a\r\nRUN x \\\r\n  y\r\nCMD z"
    out = apply(text, [Edit(1, 6, 1, 7, "b"), Edit(3, 4, 3, 4, " && w"), Edit(4, 6, 4, 6, "\nUSER 1")])
    assert out == "\ufeffFROM b\r\nRUN x \\\r\n  y && w\r\nCMD z\r\nUSER 1"


def test_apply_counts_columns_in_code_points_and_after_the_bom():
    text = "\ufeffFROM é\nRUN ünï x\n"
    assert apply(text, [Edit(2, 8, 2, 8, " -v")]) == "\ufeffFROM é\nRUN ünï -v x\n"
    assert apply(text, [Edit(1, 1, 1, 5, "from")]) == "\ufefffrom é\nRUN ünï x\n"


def test_apply_may_join_lines_and_reach_the_end_of_the_text():
    text = "FROM a\nRUN b\n"
    assert apply(text, [Edit(1, 7, 2, 1, " ")]) == "FROM a RUN b\n"
    assert apply(text, [Edit(2, 6, 3, 1, "")]) == "FROM a\nRUN b"


@pytest.mark.parametrize("edit", [Edit(0, 1, 0, 1, "x"), Edit(4, 1, 4, 1, "x"), Edit(3, 2, 3, 2, "x"), Edit(1, 8, 1, 8, "x"),
                                  Edit(1, 0, 1, 1, "x"), Edit(2, 3, 1, 1, "x")])
def test_apply_refuses_edits_outside_the_text(edit):
    with pytest.raises(EditError):
        apply("FROM a\nRUN b\n", [edit])


def test_apply_refuses_overlapping_edits_and_two_insertions_at_one_place():
    with pytest.raises(EditError):
        apply("FROM abc\n", [Edit(1, 6, 1, 8, "x"), Edit(1, 7, 1, 9, "y")])
    with pytest.raises(EditError):
        apply("FROM abc\n", [Edit(1, 6, 1, 6, "x"), Edit(1, 6, 1, 6, "y")])
    # an insertion right before a replacement is an order, not an overlap
    assert apply("FROM abc\n", [Edit(1, 6, 1, 6, "x"), Edit(1, 6, 1, 9, "y")]) == "FROM xy\n"


# -- select --------------------------------------------------------------------------------

def test_select_keeps_one_of_touching_fixes_in_a_fixed_order_and_duplicates_once():
    a = Fix("a", (Edit(2, 5, 2, 5, " x"),), True)
    b = Fix("b", (Edit(2, 1, 2, 5, "run"),), True)  # ends where a starts: they touch
    c = Fix("c", (Edit(1, 1, 1, 5, "from"), Edit(3, 1, 3, 1, "y")), True)
    c_again = Fix("c, from another finding", c.edits, True)
    for order in ([a, b, c, c_again], [c_again, b, a, c], [b, c, a]):
        kept = select(order)
        assert [f.edits for f in kept] == [c.edits, b.edits]
    assert select([None, Fix("empty", (), True)]) == []


def test_fix_edits_are_sorted_and_a_fix_is_all_or_nothing():
    fix = Fix("two", (Edit(3, 1, 3, 1, "b"), Edit(1, 1, 1, 1, "a")), True)
    assert fix.edits == (Edit(1, 1, 1, 1, "a"), Edit(3, 1, 3, 1, "b"))
    blocker = Fix("blocker", (Edit(3, 1, 3, 2, "z"),), True)
    assert select([blocker, fix]) == [fix]  # "two" starts first; its second edit blocks "blocker"
    assert select([blocker, Fix("later", (Edit(3, 2, 3, 2, "c"), Edit(4, 1, 4, 1, "d")), True)]) == [blocker]


# -- positions from the parser --------------------------------------------------------------

def _dockerfiles():
    out = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "**", "*"), recursive=True)):
        name = os.path.basename(path)
        if os.path.isfile(path) and ("Dockerfile" in name or name.endswith(".dockerfile")):
            out.append(path)
    return out


def test_source_map_points_at_every_character_of_every_instruction():
    checked = 0
    for path in _dockerfiles():
        with open(path, "rb") as f:
            parsed = parse(f.read())
        for ins in parsed.instructions:
            found = source_map(parsed.lines, ins)
            assert found is not None, (path, ins.start_line)
            logical, positions = found
            assert len(positions) == len(logical)
            for ch, (line, column) in zip(logical, positions):
                assert ins.start_line <= line <= ins.end_line
                assert parsed.lines[line - 1][column - 1] == ch, (path, line, column)
            assert positions == sorted(positions)
            if ins.value.isascii() or not ins.flags:
                span = value_span(logical, ins)
                assert span is not None and logical[span[0]:span[1]] == ins.value, (path, ins.start_line)
            checked += 1
    assert checked > 200


def test_replace_value_spans_continuations_and_keeps_the_flags():
    text = "FROM a\n  RUN --mount=type=cache,target=/x echo a \\\n   b  \n"
    parsed = _parsed(text)
    edit = replace_value(parsed, _ins(parsed, "RUN"), "true")
    assert apply(text, [edit]) == "FROM a\n  RUN --mount=type=cache,target=/x true  \n"
    text = "FROM a\nRUN --network=none \\\n   echo a \\\n   b\n"
    parsed = _parsed(text)
    edit = replace_value(parsed, _ins(parsed, "RUN"), "true")
    assert apply(text, [edit]) == "FROM a\nRUN --network=none \\\n   true\n"


def test_replace_value_refuses_to_drop_a_comment_or_blank_line():
    for inner in ("  # note\n", "\n"):
        parsed = _parsed("FROM a\nCMD a \\\n" + inner + "  b\n")
        assert replace_value(parsed, _ins(parsed, "CMD"), "x") is None


def test_append_to_value_goes_before_a_trailing_escape_and_after_the_last_word():
    text = "# escape=`\r\nFROM a\r\nRUN apt-get update `\r\n  && apt-get install -y b `\r\n"
    parsed = _parsed(text)
    edit = append_to_value(parsed, _ins(parsed, "RUN"), " && rm -rf /var/lib/apt/lists/*")
    assert edit == Edit(4, 26, 4, 26, " && rm -rf /var/lib/apt/lists/*")
    assert apply(text, [edit]) == ("# escape=`\r\nFROM a\r\nRUN apt-get update `\r\n  && apt-get install -y b"
                                   " && rm -rf /var/lib/apt/lists/* `\r\n")


def test_append_to_value_never_enters_a_heredoc_body():
    text = "FROM a\nRUN cat <<EOF > /f\nbody\nEOF\n"
    parsed = _parsed(text)
    edit = append_to_value(parsed, _ins(parsed, "RUN"), " && x")
    assert apply(text, [edit]) == "FROM a\nRUN cat <<EOF > /f && x\nbody\nEOF\n"


@pytest.mark.parametrize("text, expected", [
    ("FROM a\nCMD b\n", "FROM a\nCMD b\nUSER 1\n"),
    ("FROM a\nCMD b", "FROM a\nCMD b\nUSER 1"),
    ("FROM a\r\n  CMD b\r\n", "FROM a\r\n  CMD b\r\n  USER 1\r\n"),
    ("FROM a\nRUN <<EOF\nx\nEOF\n# end\n", "FROM a\nRUN <<EOF\nx\nEOF\nUSER 1\n# end\n"),
])
def test_insert_line_after_an_instruction(text, expected):
    parsed = _parsed(text)
    edit = insert_line_after(parsed, parsed.instructions[-1], "USER 1")
    assert apply(text, [edit]) == expected


def test_an_inserted_line_has_the_file_s_line_ending_already():
    parsed = _parsed("FROM a\r\nCMD b\r\n")
    assert parsed.newline == "\r\n" and _parsed("FROM a\nCMD b\r\n").newline == "\n"
    assert insert_line_after(parsed, parsed.instructions[-1], "USER 1").text == "\r\nUSER 1"


def test_replace_text_checks_what_it_replaces():
    parsed = _parsed("FROM ubuntu:24.04 AS b\n")
    assert replace_text(parsed, 1, 6, "ubuntu:24.04", "x") == Edit(1, 6, 1, 18, "x")
    assert replace_text(parsed, 1, 7, "ubuntu:24.04", "x") is None
    assert replace_text(parsed, 2, 1, "FROM", "x") is None


def test_base_swap_is_an_unsafe_fix_only_where_the_suggestion_is_fix_safe():
    from dockerslim_lint.engine.findings import Suggestion

    lines = ["FROM ubuntu", "CMD [\"/app\"]"]
    safe = Suggestion("gcr.io/distroless/static-debian13:nonroot", "t", fix_safe=True, replaces="ubuntu",
                      replace_line=1, replace_column=6)
    fix = base_swap(lines, safe)
    assert fix.safe is False and fix.edits == (Edit(1, 6, 1, 12, safe.image),)
    assert base_swap(lines, Suggestion(safe.image, "t", replaces="ubuntu", replace_line=1,
                                       replace_column=6)) is None
    assert base_swap(["FROM debian"], safe) is None


def test_exec_form_is_json_that_the_parser_reads_back():
    words = ["/app", "--name=é", "a b"]
    parsed = _parsed(f"FROM a\nCMD {exec_form(words)}\n")
    cmd = _ins(parsed, "CMD")
    assert cmd.exec_form and list(cmd.args) == words


# -- words with positions --------------------------------------------------------------------

def test_simple_commands_give_word_offsets():
    script = "apt-get update && apt-get install -y 'a b' c; pip install x | tee y"
    commands = simple_commands(script)
    assert [[word_value(w) for w in c] for c in commands] == [
        ["apt-get", "update"], ["apt-get", "install", "-y", "a b", "c"], ["pip", "install", "x"], ["tee", "y"]]
    for command in commands:
        for w in command:
            assert script[w.start:w.end] == w.text


@pytest.mark.parametrize("script", ["a # c", "a > f", "a & b", "(a)", "a $(b)", "a `b`", "a 'b", "a \\\nb",
                                    "a && ", "&& a", 'a "$b"'])
def test_simple_commands_refuse_what_they_do_not_follow(script):
    assert simple_commands(script) is None
