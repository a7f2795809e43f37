"""`--format jsonl`: one JSON object per line, written as each file is linted (docs/jsonl.md).

The records hold what the JSON document holds, field for field; lines come out before the
next file is read; hostile text cannot break a line; errors and the empty run are records."""
import io
import json
import os
import select
import subprocess
import sys
import time

import pytest

from conftest import FIXTURES, ROOT

from dockerslim_lint.reporters import Report, get_writer

from test_formats import HOSTILE, hostile_result, lint

SEED_SINGLE = os.path.join(FIXTURES, "seed", "single-stage", "Dockerfile")
SEED_MULTI = os.path.join(FIXTURES, "seed", "multi-stage", "Dockerfile")
CLEAN = (b"FROM golang:1.22 AS build\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\n\n"
         b"FROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n")


def cli(*args, cwd=None, input=None):
    return subprocess.run([sys.executable, "-m", "dockerslim_lint", *args], capture_output=True, cwd=cwd,
                          input=input)


def records(text):
    lines = text.decode("ascii").split("\n")
    assert lines[-1] == "", "the stream ends with a newline"
    return [json.loads(line) for line in lines[:-1]]


def test_records_hold_what_the_json_document_holds():
    """Over every fixture: the finding records are the JSON findings (plus `type`), in order;
    the file records are `files` with `suggestions`; errors and counts match."""
    args = ["--report-unused-ignores", FIXTURES]
    as_json = cli("--format", "json", *args)
    as_jsonl = cli("--format", "jsonl", *args)
    assert as_jsonl.returncode == as_json.returncode
    assert as_jsonl.stderr == as_json.stderr
    doc = json.loads(as_json.stdout)
    recs = records(as_jsonl.stdout)
    by_type = {}
    for rec in recs:
        by_type.setdefault(rec["type"], []).append(rec)
    assert set(by_type) <= {"finding", "file", "unused_ignore", "error", "summary"}
    strip = lambda rec: {k: v for k, v in rec.items() if k != "type"}  # noqa: E731
    assert [strip(r) for r in by_type["finding"]] == doc["findings"]
    assert all(list(r)[1:] == list(doc["findings"][0]) for r in by_type["finding"])  # same fields, same order
    assert [r["file"] for r in by_type["file"]] == doc["files"]
    assert {r["file"]: r["suggestion"] for r in by_type["file"]} == doc["suggestions"]
    assert [strip(r) for r in by_type.get("unused_ignore", [])] == doc["unused_ignores"]
    assert [r["message"] for r in by_type.get("error", [])] == doc["errors"]
    assert recs[-1] == {"type": "summary", "version": doc["version"], "files": len(doc["files"]),
                        "findings": len(doc["findings"]), "unused_ignores": len(doc["unused_ignores"]),
                        "errors": len(doc["errors"])}
    assert by_type["summary"] == [recs[-1]]


def test_a_files_records_come_together_and_end_with_its_file_record():
    proc = cli("--format", "jsonl", SEED_SINGLE, SEED_MULTI)
    assert proc.returncode == 1
    recs = records(proc.stdout)
    order = [(r["type"], r.get("file")) for r in recs]
    first = [i for i, (kind, path) in enumerate(order) if path == SEED_SINGLE]
    assert first == list(range(len(first))) and order[first[-1]] == ("file", SEED_SINGLE)
    assert order[-2] == ("file", SEED_MULTI) and order[-1] == ("summary", None)
    file_record = recs[first[-1]]
    assert file_record["suggestion"]["image"] == "gcr.io/distroless/static-debian13:nonroot"
    assert [r["suggestion"] for r in recs[:first[-1]] if r["suggestion"]] and all(
        r["suggestion"] in (None, file_record["suggestion"]) for r in recs[:first[-1]])


def test_lines_are_written_before_the_next_file_is_read(tmp_path):
    """The last file is standard input, held open: the first file's records (and its `file`
    record) must arrive before anything is written to it."""
    (tmp_path / "Dockerfile").write_bytes(open(SEED_SINGLE, "rb").read())
    proc = subprocess.Popen([sys.executable, "-m", "dockerslim_lint", "--format", "jsonl", "Dockerfile", "-",
                             "--stdin-filename", "stdin/Dockerfile"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        got = b""
        deadline = time.monotonic() + 60
        while b'"type":"file"' not in got:
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"no file record before standard input was written; got {got!r}"
            chunk = os.read(proc.stdout.fileno(), 65536)
            assert chunk, f"the output ended early: {got!r} {proc.stderr.read()!r}"
            got += chunk
        assert proc.poll() is None  # still waiting for standard input
        first = records(got[:got.rindex(b"\n") + 1])
        assert first[0]["type"] == "finding" and first[-1] == {
            "type": "file", "file": "Dockerfile", "suggestion": first[0]["suggestion"]}
        rest, err = proc.communicate(CLEAN, timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    recs = records(got + rest)
    assert proc.returncode == 1, err
    assert [r for r in recs if r["type"] == "file"][-1] == {"type": "file", "file": "stdin/Dockerfile",
                                                            "suggestion": None}
    assert recs[-1]["type"] == "summary" and recs[-1]["files"] == 2


def test_the_reporter_writes_each_result_before_taking_the_next():
    results, report = lint([SEED_SINGLE, SEED_MULTI])
    stream = io.StringIO()
    seen = []

    def produce():
        for result in results:
            seen.append(stream.getvalue())
            yield result

    get_writer("jsonl")(stream, produce(), report)
    assert seen[0] == ""
    assert seen[1].endswith("\n") and json.loads(seen[1].splitlines()[-1])["type"] == "file"
    assert stream.getvalue().startswith(seen[1])


def test_errors_are_records_and_exit_2(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(CLEAN + b"# dockerslim-lint global ignore=DSL999\n")
    (tmp_path / "binary.Dockerfile").write_bytes(b"\x7fELF\x00\x00\x00")
    proc = cli("--format", "jsonl", "missing", "Dockerfile", "binary.Dockerfile", cwd=tmp_path)
    assert proc.returncode == 2
    recs = records(proc.stdout)
    errors = [r["message"] for r in recs if r["type"] == "error"]
    assert errors[0] == "missing: no such file or directory"
    assert errors[1].startswith("Dockerfile: line 8: unknown rule 'DSL999'")
    assert errors[2] == "binary.Dockerfile: not a text file"
    assert [r["type"] for r in recs] == ["error", "error", "file", "error", "summary"]
    assert recs[-1]["errors"] == 3 and recs[-1]["files"] == 1
    # standard error still has each error once, as for every format
    assert proc.stderr.decode().count("dockerslim-lint: ") == 3


@pytest.mark.parametrize("files,code", [((CLEAN,), 0), ((CLEAN, open(SEED_SINGLE, "rb").read()), 1)])
def test_exit_codes_as_other_formats(tmp_path, files, code):
    names = []
    for i, data in enumerate(files):
        (tmp_path / f"{i}.Dockerfile").write_bytes(data)
        names.append(f"{i}.Dockerfile")
    assert cli("--format", "jsonl", *names, cwd=tmp_path).returncode == code
    assert cli("--format", "jsonl", "--failure-threshold", "none", *names, cwd=tmp_path).returncode == 0


def test_hostile_text_stays_on_its_line():
    results = [hostile_result(), hostile_result("other\nline\u2028.Dockerfile")]
    report = Report(rules=[], version="0.1.0", errors=["x: " + HOSTILE])
    stream = io.StringIO()
    get_writer("jsonl")(stream, iter(results), report)
    text = stream.getvalue()
    assert text.isascii()
    lines = text.split("\n")
    assert lines[-1] == ""
    recs = [json.loads(line) for line in lines[:-1]]
    assert [r["type"] for r in recs] == ["error", "finding", "finding", "unused_ignore", "file",
                                         "finding", "finding", "unused_ignore", "file", "summary"]
    assert recs[0]["message"] == "x: " + HOSTILE
    assert recs[1]["message"] == HOSTILE and recs[1]["file"] == "odd \"dir\"/<Docker&file>\x1b"
    assert recs[5]["file"] == "other\nline\u2028.Dockerfile"
    assert recs[4]["suggestion"]["reason"] == "ship it " + HOSTILE


def test_empty_run(tmp_path):
    """Every file excluded: no file records, a summary, exit 0. A folder without Dockerfiles:
    its error, a summary, exit 2."""
    (tmp_path / "Dockerfile").write_bytes(CLEAN)
    (tmp_path / ".dockerslim-lint.yaml").write_text("exclude: [Dockerfile]\n")
    (tmp_path / "empty").mkdir()
    proc = cli("--format", "jsonl", "Dockerfile", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert records(proc.stdout) == [{"type": "summary", "version": records(proc.stdout)[0]["version"],
                                     "files": 0, "findings": 0, "unused_ignores": 0, "errors": 0}]
    proc = cli("--format", "jsonl", "empty", cwd=tmp_path)
    assert proc.returncode == 2
    recs = records(proc.stdout)
    assert [r["type"] for r in recs] == ["error", "summary"] and recs[0]["message"].startswith("empty: ")


def test_output_file_and_list_rules(tmp_path):
    out = tmp_path / "report.jsonl"
    proc = cli("--format", "jsonl", "-o", str(out), SEED_SINGLE)
    assert proc.returncode == 1 and proc.stdout == b""
    assert records(out.read_bytes())[-1]["findings"] == 8
    listed = cli("--list-rules", "--format", "jsonl")
    rules = records(listed.stdout)
    assert rules == json.loads(cli("--list-rules", "--format", "json").stdout)


def test_jsonl_run_imports_no_click(tmp_path):
    from test_startup import NOT_FOR_A_PLAIN_RUN, _imported

    (tmp_path / "Dockerfile").write_bytes(open(os.path.join(ROOT, "bench", "small.Dockerfile"), "rb").read())
    proc, modules = _imported(tmp_path, "--format", "jsonl", "Dockerfile")
    assert proc.returncode == 1, proc.stderr
    assert sorted(m for m in NOT_FOR_A_PLAIN_RUN if m in modules) == []


def test_docs_example_is_the_tools_output():
    import re

    text = open(os.path.join(ROOT, "docs", "jsonl.md"), encoding="utf-8").read()
    example = re.search(r"<!-- example: jsonl-output -->\n```json\n(.*?)```", text, re.S).group(1)
    args = ["--format", "jsonl", "--select", "DSL301,DSL307", "fixtures/seed/single-stage/Dockerfile"]
    assert f"`dockerslim-lint {' '.join(args)}`" in text
    proc = cli(*args, cwd=ROOT)
    assert proc.returncode == 1 and proc.stdout.decode() == example


def test_the_reporter_keeps_no_earlier_result():
    """What bounds memory at any number of files: by the time the next result is made, every
    result before the one just written has been let go."""
    import gc
    import weakref

    from dockerslim_lint.engine.linter import FileResult

    template = hostile_result()
    refs = []
    held = []

    def produce():
        for i in range(6):
            gc.collect()
            held.append(sum(ref() is not None for ref in refs[:-1]))
            result = FileResult(f"f{i}/Dockerfile", list(template.findings), unused_ignores=[(3, "DSL402")])
            refs.append(weakref.ref(result))
            yield result
            del result

    stream = io.StringIO()
    get_writer("jsonl")(stream, produce(), Report(rules=[], version="0.1.0"))
    assert held == [0] * 6
    assert stream.getvalue().count('"type":"file"') == 6
