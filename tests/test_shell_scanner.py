"""The regex scanner in commands.tokenize and the chunked variables.expand read text exactly
as the character-by-character readers they replaced: those readers are kept here as oracles
and both are run on edge cases and on generated text."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from dockerslim_lint.dockerfile import commands
from dockerslim_lint.dockerfile.commands import analyse, tokenize
from dockerslim_lint.dockerfile.variables import expand


def reference_split(script):
    """The former tokenizer loop (before commands._unwrap), one character at a time."""
    out, words, word = [], [], []
    in_word = False
    i, n = 0, len(script)

    def end_word():
        nonlocal word, in_word
        if in_word:
            words.append("".join(word))
        word, in_word = [], False

    def end_command():
        nonlocal words
        end_word()
        if words:
            out.append(words)
        words = []

    while i < n:
        c = script[i]
        if c == "\\" and i + 1 < n:
            if script[i + 1] != "\n":
                word.append(script[i + 1])
                in_word = True
            i += 2
            continue
        if c == "'":
            j = script.find("'", i + 1)
            j = n if j < 0 else j
            word.append(script[i + 1:j])
            in_word, i = True, j + 1
            continue
        if c == '"':
            j, buf = i + 1, []
            while j < n and script[j] != '"':
                if script[j] == "\\" and j + 1 < n and script[j + 1] in '"\\$`':
                    buf.append(script[j + 1])
                    j += 2
                    continue
                buf.append(script[j])
                j += 1
            word.append("".join(buf))
            in_word, i = True, j + 1
            continue
        if c == "#" and not in_word:
            j = script.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in " \t\r":
            end_word()
            i += 1
            continue
        if c in "&|;\n(){}" and not (c in "{}" and in_word):
            if c in "{}" and i + 1 < n and script[i + 1] not in " \t\n;":
                word.append(c)
                in_word = True
                i += 1
                continue
            end_command()
            i += 2 if script[i:i + 2] in ("&&", "||", ";;") else 1
            continue
        word.append(c)
        in_word = True
        i += 1
    end_command()
    return out


def reference_tokenize(script):
    return commands._unwrap(reference_split(script))


def reference_expand(text, variables, escape="\\", keep_unresolved=False):
    """The former expand loop, one character at a time (nested ${...} through expand itself)."""
    names = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
    if "$" not in text:
        return text, False
    out, unresolved = [], False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == escape and i + 1 < n and text[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "{":
            depth, close = 1, -1
            for k in range(i + 2, n):
                depth += {"{": 1, "}": -1}.get(text[k], 0)
                if depth == 0:
                    close = k
                    break
            if close < 0:
                out.append(text[i:])
                unresolved = True
                break
            from dockerslim_lint.dockerfile.variables import _expand_braced
            value, unres = _expand_braced(text[i + 2:close], variables, escape)
            out.append(text[i:close + 1] if unres and keep_unresolved else value)
            unresolved |= unres
            i = close + 1
        elif nxt in names:
            j = i + 2
            while j < n and text[j] in names + "0123456789":
                j += 1
            value = variables.get(text[i + 1:j])
            if value is None:
                unresolved = True
                if keep_unresolved:
                    out.append(text[i:j])
            else:
                out.append(value)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out), unresolved


TOKENIZE_CASES = [
    "",
    "apt-get update && apt-get install -y curl",
    "a && b || c; d | e & f ;; g",
    "echo 'unbalanced",
    'echo "unbalanced \\',
    'echo "a\\"b\\\\c\\$d\\`e\\xf" g',
    "echo a\\\nb c\\\n  d",  # continuations join words, or end nothing
    "echo a\\\\\nb",  # an escaped backslash, then a newline: two commands
    "echo a\\",  # a lone trailing backslash is a word character
    "echo a#b # a comment ' with a quote\nnext",
    "# only a comment",
    "{ a; b; } && c{1,2} ${X}",
    "x{",
    "a{ b } {c",
    "f() { g; }",
    "echo a\x0bb\x0cc",  # vertical tab and form feed are word characters, not blanks
    "A=1 B=2 sudo -E env -i go build ./...",
    "sh -c 'apt-get install -y gcc && make'",
    "echo ''  \"\" x",  # empty quotes still make (empty) words
    "a\r\nb\tc",
]


def test_tokenize_edge_cases_match_the_reference():
    for script in TOKENIZE_CASES:
        assert tokenize(script) == reference_tokenize(script), script


def test_tokenize_edge_cases_read_as_a_shell_would():
    assert tokenize("echo a\\\nb c") == [["echo", "ab", "c"]]
    assert tokenize('echo "a\\"b" \'c\\d\'') == [["echo", 'a"b', "c\\d"]]
    assert tokenize("echo a#b # gone\nls") == [["echo", "a#b"], ["ls"]]
    assert tokenize("echo a\x0bb") == [["echo", "a\x0bb"]]
    assert tokenize("echo ''") == [["echo", ""]]
    assert tokenize("echo a\\") == [["echo", "a\\"]]


SHELL_CHARS = st.text(alphabet="ab= \t\r\n\\'\"&|;(){}#$-\x0b", max_size=30)


@settings(max_examples=3000, deadline=None)
@given(SHELL_CHARS)
def test_tokenize_matches_the_reference_on_generated_text(script):
    assert tokenize(script) == reference_tokenize(script)


@settings(max_examples=500, deadline=None)
@given(SHELL_CHARS)
def test_analyse_runs_on_generated_text(script):
    analysis = analyse(script)
    assert analysis.commands == reference_tokenize(script)


VARIABLES = [{}, {"a": "A", "b": None, "Y": "", "a_1": "v$b"}, {"ab": "x", "x": "${a}"}]
EXPAND_CASES = ["", "no dollar", "$", "a$", "$a", "${a}", "${a", "${a:-${b:-d}}x", "\\$a", "\\\\$a",
                "$\\$a", "`$a", "${a}}", "${{a}}", "$1a", "$a_1$ab", "${b:+set}${Y:-empty}${Y-keep}",
                "${a:?msg}${b:?msg}", "${a%x}", "${:-x}", "$$a"]


def test_expand_edge_cases_match_the_reference():
    for variables in VARIABLES:
        for text in EXPAND_CASES:
            for escape in ("\\", "`"):
                for keep in (False, True):
                    assert expand(text, variables, escape, keep) == \
                        reference_expand(text, variables, escape, keep), (text, variables, escape, keep)


def test_expand_reads_escapes_and_nesting():
    assert expand("\\$a $a", {"a": "A"}) == ("$a A", False)
    assert expand("`$a $a", {"a": "A"}, escape="`") == ("$a A", False)
    assert expand("${a:-${b}}", {}) == ("", True)
    assert expand("x${a", {"a": "A"}) == ("x${a", True)
    assert expand("$b c", {}, keep_unresolved=True) == ("$b c", True)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab_1 ${}:-+?\\`%#Y", max_size=24), st.sampled_from(range(len(VARIABLES))),
       st.sampled_from(["\\", "`"]), st.booleans())
def test_expand_matches_the_reference_on_generated_text(text, which, escape, keep):
    variables = VARIABLES[which]
    assert expand(text, variables, escape, keep) == reference_expand(text, variables, escape, keep)


def test_build_tool_packages_match_as_fnmatch_would():
    import fnmatch

    names = ["gcc", "gcc-12", "gcc-", "g++", "g++-13", "clang-17", "llvm", "golang-1.22-go", "golang--go", "golang-go",
             "golang-go-x", "openjdk-17-jdk", "openjdk17-jdk", "openjdk-jdk", "openjdk-17-jdk-headless",
             "openjdk-17-jre", "java-17-openjdk-devel", "dotnet-sdk-8.0", "dotnet-runtime-8.0", "go", "gox",
             "make", "cmake", "xmake", "curl", "bash", "libssl-dev", "python3-devel", "musl-dev", "gcc=4:12.2",
             "Build-Essential", "GCC-12", "swig", "flex", "bison4"]
    for name in names:
        base = commands._package_base(name)
        expected = base.endswith(("-dev", "-devel")) or any(
            fnmatch.fnmatchcase(base, p) for p in commands.BUILD_TOOL_PACKAGES)
        assert commands.is_build_tool_package(name) == expected, name
