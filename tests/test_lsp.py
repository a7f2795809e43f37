"""The language server end to end: pytest-lsp starts `python -m dockerslim_lint lsp` as a
subprocess and drives it over stdio as an editor would (initialize, didOpen, didChange,
didSave, codeAction, hover, shutdown, exit)."""
import asyncio
import os
import subprocess
import sys

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsprotocol import types as lsp  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from conftest import FIXTURES  # noqa: E402
from dockerslim_lint.fix.edits import apply  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_SINGLE = open(os.path.join(FIXTURES, "seed", "single-stage", "Dockerfile"), encoding="utf-8").read()
GO_ON_UBUNTU = ("FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\n\n"
                "FROM ubuntu:24.04\nCOPY --from=build /app /app\nUSER 65532\nENTRYPOINT [\"/app\"]\n")
DISTROLESS = ("FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\n\n"
              "FROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=build /app /app\n"
              "ENTRYPOINT [\"/app\"]\n")
DOCS = "https://github.com/dockerslim-lint/dockerslim-lint/blob/main/docs/rules/"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.join(HERE, "lsp"), os.environ.get("PYTHONPATH", "")]),
       "DOCKERSLIM_TEST_CRASH_RULE": "DSL301"}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "dockerslim_lint", "lsp"],
                                              server_env=ENV))
async def client(lsp_client: LanguageClient, tmp_path):
    (tmp_path / ".git").mkdir()  # the repository root: config lookup stops here, as in the CLI
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=tmp_path.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(uri=tmp_path.as_uri(), name="project")]))
    yield
    await lsp_client.shutdown_session()


async def diagnostics_after(client, action):
    """Run `action`, then wait for the next publishDiagnostics."""
    waiting = asyncio.ensure_future(client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS))
    await asyncio.sleep(0)
    action()
    await asyncio.wait_for(waiting, 10)
    return waiting.result()


async def open_file(client, path, text, version=1):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    uri = path.as_uri()
    params = await diagnostics_after(client, lambda: client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        text_document=lsp.TextDocumentItem(uri=uri, language_id="dockerfile", version=version, text=text))))
    assert params.uri == uri
    return uri, list(params.diagnostics)


async def change(client, uri, text, version):
    params = await diagnostics_after(client, lambda: client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)])))
    return list(params.diagnostics)


def codes(diagnostics):
    return sorted((d.code, d.range.start.line) for d in diagnostics)


@pytest.mark.asyncio
async def test_open_change_code_action_hover(client: LanguageClient, tmp_path):
    uri, diagnostics = await open_file(client, tmp_path / "Dockerfile", SEED_SINGLE)
    # The CLI's findings for the seed, each with its rule code and documentation link.
    assert ("DSL101", 0) in codes(diagnostics) and ("DSL401", 1) in codes(diagnostics)
    dsl101 = next(d for d in diagnostics if d.code == "DSL101")
    assert dsl101.code_description.href == DOCS + "DSL101.md"
    assert dsl101.severity == lsp.DiagnosticSeverity.Error and dsl101.source == "dockerslim-lint"

    # Hover: the rule summary and the suggested image with its sizes.
    hover = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=0, character=2)))
    assert "**DSL101** single-stage-build (error)" in hover.contents.value
    assert "Suggested image: `gcr.io/distroless/static-debian13:nonroot`, about 890 MB now, 2.3 MB with it" \
        in hover.contents.value

    # didChange (debounced): several quick edits give diagnostics for the last text only.
    for version, text in ((2, SEED_SINGLE + "# typing\n"), (3, SEED_SINGLE + "# typing...\n")):
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))
    diagnostics = await change(client, uri, GO_ON_UBUNTU, 4)
    assert codes(diagnostics) == [("DSL202", 5), ("DSL301", 5), ("DSL302", 5)]

    # Code actions on line 6: the base swap from the edit engine (unsafe), and suppressions.
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri),
        range=lsp.Range(start=lsp.Position(line=5, character=0), end=lsp.Position(line=5, character=0)),
        context=lsp.CodeActionContext(diagnostics=diagnostics)))
    titles = [a.title for a in actions]
    assert ("Replace the base image ubuntu:24.04 with gcr.io/distroless/static-debian13:nonroot "
            "(unsafe fix: check that the image still works)") in titles
    assert {"Suppress DSL202 on this line", "Suppress DSL301 on this line"} <= set(titles)
    swap = next(a for a in actions if a.title.startswith("Replace"))
    (edit,) = swap.edit.changes[uri]
    assert edit.new_text == "gcr.io/distroless/static-debian13:nonroot"
    assert (edit.range.start.line, edit.range.start.character, edit.range.end.character) == (5, 5, 17)

    # Applying the suppression (as the editor would) silences that finding, and only it.
    suppress = next(a for a in actions if a.title == "Suppress DSL301 on this line")
    (edit,) = suppress.edit.changes[uri]
    assert edit.new_text == "# dockerslim-lint ignore=DSL301\n" and edit.range.start.line == 5
    lines = GO_ON_UBUNTU.split("\n")
    suppressed = "\n".join(lines[:5] + ["# dockerslim-lint ignore=DSL301"] + lines[5:])
    diagnostics = await change(client, uri, suppressed, 5)
    assert codes(diagnostics) == [("DSL202", 6), ("DSL302", 6)]
    # A second suppression extends the same comment.
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri),
        range=lsp.Range(start=lsp.Position(line=6, character=0), end=lsp.Position(line=6, character=3)),
        context=lsp.CodeActionContext(diagnostics=diagnostics)))
    (edit,) = next(a for a in actions if a.title == "Suppress DSL302 on this line").edit.changes[uri]
    assert edit.new_text == ",DSL302" and (edit.range.start.line, edit.range.start.character) == (5, 31)

    # Save, then a clean file: no diagnostics.
    diagnostics = await change(client, uri, DISTROLESS, 6)
    assert diagnostics == []
    params = await diagnostics_after(client, lambda: client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri))))
    assert list(params.diagnostics) == []


@pytest.mark.asyncio
async def test_configuration_is_found_per_file_like_the_cli(client: LanguageClient, tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / ".dockerslim-lint.yaml").write_text(
        "ignore: [DSL402]\nseverity:\n  DSL401: error\ntarget: build\nexclude: [legacy/]\n")
    _, diagnostics = await open_file(client, tmp_path / "svc" / "Dockerfile", SEED_SINGLE)
    assert "DSL402" not in [d.code for d in diagnostics]
    assert next(d for d in diagnostics if d.code == "DSL401").severity == lsp.DiagnosticSeverity.Error
    # The root has no config: defaults there.
    _, diagnostics = await open_file(client, tmp_path / "Dockerfile", SEED_SINGLE)
    assert "DSL402" in [d.code for d in diagnostics]
    # Excluded by the config: nothing, as on the command line.
    _, diagnostics = await open_file(client, tmp_path / "svc" / "legacy" / "Dockerfile", SEED_SINGLE)
    assert diagnostics == []
    # A file the discovery rules do not accept: no diagnostics at all.
    other = tmp_path / "notes.txt"
    other.write_text(SEED_SINGLE)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=other.as_uri(), language_id="plaintext", version=1, text=SEED_SINGLE)))
    await asyncio.sleep(0.5)
    assert other.as_uri() not in client.diagnostics


@pytest.mark.asyncio
async def test_build_args_and_target_from_config(client: LanguageClient, tmp_path):
    (tmp_path / ".dockerslim-lint.yaml").write_text("build-args:\n  BASE: gcr.io/distroless/static-debian13\n")
    text = ("ARG BASE=ubuntu:24.04\nFROM golang:1.23 AS build\nRUN CGO_ENABLED=0 go build -o /app .\n\n"
            "FROM ${BASE}\nCOPY --from=build /app /app\nUSER 65532\nENTRYPOINT [\"/app\"]\n")
    _, diagnostics = await open_file(client, tmp_path / "Dockerfile", text)
    assert "DSL202" not in [d.code for d in diagnostics]
    (tmp_path / ".dockerslim-lint.yaml").write_text("target: nosuchstage\n")
    _, diagnostics = await open_file(client, tmp_path / "b.Dockerfile", text)
    assert len(diagnostics) == 1 and "nosuchstage" in diagnostics[0].message


@pytest.mark.asyncio
async def test_broken_file_bad_config_and_crashing_rule_never_kill_the_server(client: LanguageClient, tmp_path):
    _, diagnostics = await open_file(client, tmp_path / "Dockerfile", "FROM ubuntu\nRUN [\"unterminated\nNOPE x\n")
    assert [d.code for d in diagnostics] == ["DSL001"]
    # A rule that raises (DSL301, on files holding CRASH-ME; see tests/lsp/sitecustomize.py).
    uri, diagnostics = await open_file(client, tmp_path / "crash" / "Dockerfile", SEED_SINGLE + "# CRASH-ME\n")
    assert "DSL301" not in [d.code for d in diagnostics] and "DSL101" in [d.code for d in diagnostics]
    assert any("internal error in rule DSL301" in m.message for m in client.log_messages)
    # A configuration error: one diagnostic naming the file and key.
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / ".dockerslim-lint.yaml").write_text("severity:\n  DSL3O7: off\n")
    _, diagnostics = await open_file(client, tmp_path / "bad" / "Dockerfile", SEED_SINGLE)
    assert len(diagnostics) == 1 and "DSL3O7" in diagnostics[0].message and "did you mean DSL307" in \
        diagnostics[0].message
    # Still alive and answering.
    hover = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=0, character=0)))
    assert "DSL101" in hover.contents.value


# -- without a client -----------------------------------------------------------------

def test_fix_titles_say_safe_or_unsafe():
    from dockerslim_lint.fix.edits import Edit, Fix
    from dockerslim_lint.lsp.server import fix_title

    edit = (Edit(1, 1, 1, 1, "x"),)
    assert fix_title(Fix("Add --no-install-recommends.", edit, True)) == "Add --no-install-recommends (safe fix)"
    assert fix_title(Fix("Swap.", edit, False)) == "Swap (unsafe fix: check that the image still works)"


@pytest.mark.parametrize("text,line,expected", [
    # a new comment above the instruction, indented like it, for a finding on a later line of it
    ("FROM ubuntu\n  RUN apt-get update && \\\n      apt-get install -y curl\n", 3,
     "FROM ubuntu\n  # dockerslim-lint ignore=DSL402\n  RUN apt-get update && \\\n      apt-get install -y curl\n"),
    # an existing directive above (with other comments between) grows by one ID, its reason kept
    ("FROM ubuntu\n# dockerslim-lint ignore=DSL401 the cache is mounted\n# why\nRUN apt-get install -y curl\n", 4,
     "FROM ubuntu\n# dockerslim-lint ignore=DSL401,DSL402 the cache is mounted\n# why\n"
     "RUN apt-get install -y curl\n"),
    # CRLF lines keep CRLF
    ("FROM ubuntu\r\nRUN apt-get install -y curl\r\n", 2,
     "FROM ubuntu\r\n# dockerslim-lint ignore=DSL402\r\nRUN apt-get install -y curl\r\n"),
])
def test_suppression_fix_is_an_edit_engine_fix(text, line, expected):
    from dockerslim_lint.dockerfile.parser import parse
    from dockerslim_lint.engine.findings import Finding
    from dockerslim_lint.lsp.server import suppression_fix

    parsed = parse(text.encode())
    fix = suppression_fix(parsed.lines, parsed, Finding("DSL402", line, "m"))
    assert apply(text, fix.edits) == expected


def test_lsp_without_pygls_says_how_to_install(tmp_path):
    (tmp_path / "pygls.py").write_text("raise ImportError('pretend pygls is not installed')\n")
    proc = subprocess.run([sys.executable, "-m", "dockerslim_lint", "lsp"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert proc.stderr == ("dockerslim-lint: the language server needs pygls: "
                           "pip install 'dockerslim-lint[lsp]'\n")


@pytest.mark.asyncio
async def test_positions_are_in_the_clients_units(client: LanguageClient, tmp_path):
    """Columns are code points inside, UTF-16 units on the wire (the default encoding):
    a character outside the BMP counts twice. CRLF files get CRLF in inserted lines."""
    run = "RUN echo 🐳 && apt-get update && apt-get install -y curl"
    text = f"FROM debian:trixie-slim\r\n{run}\r\nUSER 65532\r\n"
    uri, diagnostics = await open_file(client, tmp_path / "Dockerfile", text)
    on_run = [d for d in diagnostics if d.range.start.line == 1]
    assert on_run and all(d.range.end.character == len(run) + 1 for d in on_run), on_run
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri),
        range=lsp.Range(start=lsp.Position(line=1, character=0), end=lsp.Position(line=1, character=0)),
        context=lsp.CodeActionContext(diagnostics=on_run)))
    suppress = next(a for a in actions if a.title.startswith("Suppress"))
    (edit,) = suppress.edit.changes[uri]
    assert edit.new_text.endswith("\r\n") and edit.range.start == lsp.Position(line=1, character=0)
