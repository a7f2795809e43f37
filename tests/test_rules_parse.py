"""DSL003 invalid-image-reference: what BuildKit rejects with `invalid reference format`."""
import pytest

from conftest import ids_lines, lint_text
from dockerslim_lint.rules.parse import reference_problem


@pytest.mark.parametrize("ref,problem", [
    ("Ubuntu:24.04", "upper-case letters in the repository path"),
    ("docker.io/Library/ubuntu", "upper-case letters in the repository path"),
    ("registry:5000/App", "upper-case letters in the repository path"),
    ("ubuntu 24.04", "a space"),
    ("alp\x00ine", "a NUL byte"),
    ("alp\x1bine", "a control character"),
    ("alpine:", "an empty tag"),
    ("x/y:", "an empty tag"),
    ("alpine:-x", "an invalid tag"),
    ("alpine@sha256:abc", "a malformed digest"),
    ("alpine@sha256:" + "A" * 64, "a malformed digest"),
    ("-app", "characters not allowed in a repository path"),
])
def test_invalid_references(ref, problem):
    assert reference_problem(ref) == problem


@pytest.mark.parametrize("ref", [
    "alpine", "alpine:3.20", "Corp/app", "CORP.example.com/app:1", "localhost:5000/app:1", "[::1]:5000/app",
    "gcr.io/distroless/static-debian13:nonroot", "my_app", "my__app", "a-b--c", "scratch",
    "mcr.microsoft.com/dotnet/sdk:8.0", "a/b:tag@sha256:" + "0" * 64, "alpine@sha512:" + "f" * 128,
])
def test_valid_references(ref):
    assert reference_problem(ref) is None


def found(text, **options):
    return [x for x in ids_lines(lint_text(text, **options)) if x.startswith("DSL003")]


def test_reported_on_the_from_line_with_control_characters_escaped():
    result = lint_text("FROM alpine:3.20 AS build\nRUN true\nFROM Ubuntu:24.04\nCOPY --from=build /a /a\n")
    (f,) = [f for f in result.findings if f.rule_id == "DSL003"]
    assert (f.line, f.message) == (3, "`Ubuntu:24.04` is not a valid image reference "
                                      "(upper-case letters in the repository path)")
    result = lint_text(b"ARG IMG=\"alpine\x1b[31m\"\nFROM $IMG\n")
    (f,) = [f for f in result.findings if f.rule_id == "DSL003"]
    assert f.message == "`alpine\\x1b[31m` is not a valid image reference (a control character)"
    assert "\x1b" not in f.message


def test_nul_in_a_from_line_is_reported():
    assert found(b"FROM alpine\x00:3.20\nRUN true\n") == ["DSL003:1"]


def test_arg_without_default_is_unknown_never_empty():
    assert found("ARG TAG\nFROM alpine:$TAG\nRUN true\n") == []
    # An empty default is a value meant to come from --build-arg too (seen on real files:
    # `ARG WINDOWS_VERSION=` then `FROM .../servercore:${WINDOWS_VERSION}`): unknown.
    assert found("ARG TAG=\nFROM alpine:$TAG\nRUN true\n") == []
    assert found("ARG TAG=\nFROM Alpine:$TAG\nRUN true\n") == ["DSL003:2"]  # wrong whatever TAG is
    assert found("ARG TAG=\nFROM alpine:$TAG\nRUN true\n", build_args={"TAG": "3.20"}) == []
    assert found("ARG TAG=3.20\nFROM alpine:$TAG:x\nRUN true\n") == ["DSL003:2"]
    assert found("ARG IMG=Alpine\nFROM $IMG\n", build_args={"IMG": "alpine"}) == []


def test_stage_references_are_not_images():
    assert found("FROM alpine:3.20 AS Build\nRUN true\nFROM BUILD\nRUN true\n") == []


def test_every_from_is_judged():
    assert found("FROM Alpine AS unused\nRUN true\nFROM alpine:3.20\nRUN true\n") == ["DSL003:1"]
