"""Property tests of the fixes (hypothesis, the profiles of tests/test_fuzz.py: "ci" by
default, HYPOTHESIS_PROFILE=fuzz for long runs):

* applying the fixes never produces a DSL001 (the file still parses);
* a second --fix is a no-op;
* text outside the edits is unchanged, byte for byte (CRLF, BOM, escape directive,
  comments, continuations, heredocs included).

Dockerfiles are drawn from pieces that the fixes act on (package installs of every
manager, shell-form and exec-form commands, USER lines) mixed with pieces they must leave
alone (comments, blank lines, heredocs, variables, quotes), in LF or CRLF, with or without
a BOM, a `# escape=` directive and a final newline.
"""
from hypothesis import given, strategies as st

from conftest import lint_text
from test_fuzz import fuzz_settings

from dockerslim_lint.dockerfile.parser import parse
from dockerslim_lint.fix.edits import Edit, apply, select
from dockerslim_lint.fix.runner import available, fix_bytes

BASES = ["debian:12-slim", "alpine:3.20", "python:3.13-slim", "node:22-slim", "fedora:40", "scratch",
         "ubuntu:24.04", "gcr.io/distroless/static-debian13", "gcr.io/distroless/nodejs22-debian13:nonroot",
         "gcr.io/distroless/python3-debian12", "gcr.io/distroless/java21-debian12", "golang:1.23"]
COMMANDS = ["apt-get update", "apt-get install -y curl", "apt-get install -y --no-install-recommends git",
            "DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata", "apk add curl", "apk update",
            "apk add --no-cache bash", "apk --quiet add --virtual .d gcc", "pip install flask",
            "python3 -m pip install -r requirements.txt", "pip3 install 'x==1'", "dnf install -y nginx",
            "yum install -y httpd", "microdnf install -y shadow-utils", "npm ci", "npm install --omit=dev",
            "rm -rf /var/lib/apt/lists/*", "echo 'a && b'", "$TOOL install x", "make", "go build -o /app .",
            "apt-get clean", "true"]
CMDS = ["/app", "/app --port 8080", "node server.js", "python3 main.py", "java -jar /app.jar", "npm start",
        '["node", "server.js"]', '["/app"]', '["python3", "-u", "main.py"]', "/app $PORT", "/app > /log",
        "exec /app", '["java", "-jar", "/app.jar"]']


@st.composite
def run_line(draw, esc):
    commands = draw(st.lists(st.sampled_from(COMMANDS), min_size=1, max_size=4))
    out = commands[0]
    for command in commands[1:]:
        sep = draw(st.sampled_from([" && ", " ; ", f" {esc}\n    && ", f" {esc}\n  # inside\n    && ",
                                    f" {esc}\n\n    && "]))
        out += sep + command
    if draw(st.integers(0, 9)) == 0:
        out += " # trailing note"
    flags = draw(st.sampled_from(["", "--mount=type=cache,target=/root/.cache ", "--network=host "]))
    return "RUN " + flags + out


@st.composite
def stage(draw, esc, index):
    lines = [f"FROM {draw(st.sampled_from(BASES))}" + (f" AS s{index}" if draw(st.booleans()) else "")]
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 9))
        if kind <= 3:
            lines.append(draw(run_line(esc)))
        elif kind == 4:
            lines.append(draw(st.sampled_from(["", "# a comment", "   # indented comment"])))
        elif kind == 5:
            lines.append("RUN <<EOF\napt-get update\napt-get install -y curl\nEOF")
        elif kind == 6:
            lines.append(draw(st.sampled_from(["COPY app /app", "COPY --from=0 /app /app", "ENV PORT=8080",
                                               "ARG TOOL=npm", "WORKDIR /app"])))
        elif kind == 7:
            lines.append(draw(st.sampled_from(["USER root", "USER 1000", "USER 0:0", "USER app"])))
        else:
            keyword = draw(st.sampled_from(["CMD", "ENTRYPOINT", "  CMD"]))
            lines.append(f"{keyword} {draw(st.sampled_from(CMDS))}")
    return lines


@st.composite
def dockerfile(draw):
    esc = draw(st.sampled_from(["\\", "`"]))
    lines = []
    if esc == "`":
        lines.append("# escape=`")
    for index in range(draw(st.integers(1, 3))):
        lines.extend(draw(stage(esc, index)))
    text = "\n".join(lines)
    if draw(st.booleans()):
        text += "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.integers(0, 4)) == 0:
        text = "\ufeff" + text
    return text.encode("utf-8")


def _lint(data):
    return lint_text(data)


def _offset(text, line, column):
    bom = 1 if text.startswith("\ufeff") else 0
    starts = [bom] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    return starts[line - 1] + column - 1 if line <= len(starts) else len(text)


def assert_only_the_edits_changed(text, edits, out):
    """out == seg0 + t1 + seg1 + ... where the segs are the original text between the edits
    and each t is an edit's text (its newlines possibly written as CRLF)."""
    cursor = 0
    previous = 0
    for e in sorted(edits):
        a, b = _offset(text, e.line, e.column), _offset(text, e.end_line, e.end_column)
        segment = text[previous:a]
        assert out.startswith(segment, cursor), (segment, out[cursor:])
        cursor += len(segment)
        for candidate in (e.text, e.text.replace("\n", "\r\n")):
            if out.startswith(candidate, cursor):
                cursor += len(candidate)
                break
        else:
            raise AssertionError(f"edit text {e.text!r} not at {cursor} in {out!r}")
        previous = b
    assert out[cursor:] == text[previous:]


@fuzz_settings
@given(dockerfile(), st.booleans())
def test_fixing_never_breaks_the_parse_and_a_second_fix_is_a_no_op(data, unsafe):
    first = fix_bytes(data, _lint, unsafe=unsafe)
    if parse(data).error is None:
        assert parse(first.data).error is None
        assert not any(f.rule_id == "DSL001" for f in first.result.findings)
    else:
        assert first.data == data and first.refused
    second = fix_bytes(first.data, _lint, unsafe=unsafe)
    assert second.applied == 0 and second.data == first.data


@fuzz_settings
@given(dockerfile(), st.booleans())
def test_text_outside_the_edits_is_unchanged(data, unsafe):
    result = _lint(data)
    fixes = select(f for f in available(result) if f.safe or unsafe)
    if not fixes:
        return
    text = data.decode("utf-8")
    edits = [e for fix in fixes for e in fix.edits]
    assert_only_the_edits_changed(text, edits, apply(text, edits))


@st.composite
def text_and_edits(draw):
    lines = draw(st.lists(st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)),
                                  max_size=8), min_size=1, max_size=6))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = ("\ufeff" if draw(st.booleans()) else "") + eol.join(lines) + (eol if draw(st.booleans()) else "")
    points = sorted({(ln, col) for ln in range(1, len(lines) + 1) for col in range(1, len(lines[ln - 1]) + 2)})
    chosen = sorted(draw(st.lists(st.sampled_from(points), max_size=6, unique=True)))
    edits = []
    for k in range(0, len(chosen) - 1, 2):  # pairs of points: a replacement (or an insertion) each
        (l1, c1), (l2, c2) = chosen[k], chosen[k + 1]
        if draw(st.booleans()):
            l2, c2 = l1, c1
        edits.append(Edit(l1, c1, l2, c2, draw(st.sampled_from(["", "x", "é", " && y", "\nUSER 1", "a\nb"]))))
    return text, [e for i, e in enumerate(edits) if i == 0 or edits[i - 1].end < e.start]


@fuzz_settings
@given(text_and_edits())
def test_apply_changes_nothing_but_the_edits(case):
    text, edits = case
    out = apply(text, edits)
    assert_only_the_edits_changed(text, edits, out)
    if "\r\n" in text and "\n" not in text.replace("\r\n", ""):
        assert "\n" not in out.replace("\r\n", "")  # a CRLF file stays CRLF
