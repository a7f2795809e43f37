"""The catalog's c_compiler and gopath facts, and how artifacts use them: a Go build on an image
whose program list is unknown takes cgo from c_compiler (RULES DSL501), `go install` writes to
the image's own GOPATH/bin."""
import pytest

from dockerslim_lint.dockerfile.parser import parse
from dockerslim_lint.images.catalog import default_catalog, load_catalog
from dockerslim_lint.model.artifacts import build_outputs
from dockerslim_lint.model.stages import build_model


@pytest.mark.parametrize("image, expected", [
    ("golang:1.22", True),
    ("golang:1.22-bookworm", True),
    ("golang:1.25-trixie", True),
    ("golang:1", True),
    ("golang:1.22-alpine", False),
    ("golang:1.22-alpine3.19", False),
    ("rust:1.80", True),
    ("rust:1.80-slim-bookworm", True),
    ("rust:1.80-alpine", True),
    ("gcc:14", True),
    ("cgr.dev/chainguard/go:latest", True),
    ("python:3.12-slim", None),  # not stated: unknown, never guessed
    ("scratch", None),
])
def test_c_compiler_fact(image, expected):
    facts = default_catalog().facts(image)
    assert facts is not None
    assert facts.c_compiler is expected


def test_gopath_fact():
    cat = default_catalog()
    assert cat.facts("golang:1.22").gopath == "/go"
    assert cat.facts("golang:1.22-alpine").gopath == "/go"
    assert cat.facts("golang:1.22-nanoserver-ltsc2022") is None  # Windows tags: no facts at all
    assert cat.facts("cgr.dev/chainguard/go").gopath is None  # not sourced: unknown


def test_user_images_set_and_validate_c_compiler():
    cat = load_catalog({"families": {"acme-go": {
        "names": ["acme/go"], "kind": "toolchain", "runtime": "go", "c_compiler": True, "gopath": "/work/go",
        "tags": [{"match": ".*-static", "c_compiler": False}, {"match": ".*-odd", "c_compiler": "unknown"}]}}})
    assert cat.facts("acme/go:1.22").c_compiler is True
    assert cat.facts("acme/go:1.22-static").c_compiler is False
    odd = cat.facts("acme/go:1.22-odd")
    assert odd.c_compiler is None and "c_compiler" in odd.unknown
    for bad, word in (({"c_compiler": "yes"}, "c_compiler"), ({"gopath": "go"}, "gopath")):
        with pytest.raises(ValueError) as info:
            load_catalog({"families": {"bad": dict({"names": ["x/y"], "kind": "toolchain"}, **bad)}})
        assert word in str(info.value)


def _go(text):
    m = build_model(parse(text.encode()), catalog=default_catalog())
    return [o for o in build_outputs(m, m.stages[0]) if o.kind == "go-binary"][0]


def test_cgo_follows_the_c_compiler_fact():
    assert _go("FROM golang:1.22\nRUN go build -o /app .\n").cgo is True  # Debian image: gcc ships
    assert _go("FROM golang:1.22\nRUN go build -o /app .\n").static is False
    assert _go("FROM golang:1.22-alpine\nRUN go build -o /app .\n").cgo is False  # no gcc, Go >= 1.20
    assert _go("FROM golang:1.22-alpine\nRUN apk add gcc musl-dev && go build -o /app .\n").cgo is True
    assert _go("FROM golang:1.22\nENV CGO_ENABLED=0\nRUN go build -o /app .\n").cgo is False
    assert _go("FROM golang:1.22-windowsservercore-ltsc2022\nRUN go build -o /app .\n").cgo is None


def test_go_install_uses_the_image_gopath():
    assert _go("FROM golang:1.22\nRUN go install example.com/x@latest\n").paths == ("/go/bin",)
    assert _go("FROM cgr.dev/chainguard/go\nRUN go install example.com/x@latest\n").paths == ()
    assert _go("FROM golang:1.22\nENV GOPATH=/src/gp\nRUN go install ./...\n").paths == ("/src/gp/bin",)
