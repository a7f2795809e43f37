"""Artifact tracking (dockerslim_lint.model.artifacts): build outputs, builder facts, what each
COPY --from into a runtime stage carries, and the programs the image runs."""
import pytest

from dockerslim_lint.dockerfile.parser import parse
from dockerslim_lint.images.catalog import default_catalog
from dockerslim_lint.model.artifacts import artifacts_of, build_outputs, effective_programs, version_lt
from dockerslim_lint.model.stages import build_model


def model_of(text, **kw):
    return build_model(parse(text.encode()), catalog=default_catalog(), **kw)


def outputs(text, stage=0):
    m = model_of(text)
    return build_outputs(m, m.stages[stage])


def go(text):
    found = [o for o in outputs(text) if o.kind == "go-binary"]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("text, cgo", [
    ("FROM golang:1.22-alpine\nRUN apk add --no-cache gcc musl-dev\nRUN go build -o /app .\n", True),
    ("FROM golang:1.22-alpine\nRUN apk add gcc musl-dev && CGO_ENABLED=0 go build -o /app .\n", False),
    ("FROM golang:1.22-alpine\nENV CGO_ENABLED=0\nRUN apk add gcc && go build -o /app .\n", False),
    ("FROM golang:1.22-alpine\nARG CGO_ENABLED=0\nRUN apk add gcc && go build -o /app .\n", False),
    ("FROM golang:1.22-alpine\nARG CGO_ENABLED\nRUN apk add gcc && go build -o /app .\n", None),
    ("FROM golang:1.22-alpine\nRUN apk add gcc && export CGO_ENABLED=0 && go build -o /app .\n", False),
    ("FROM golang:1.22-alpine\nRUN apk add gcc && go env -w CGO_ENABLED=0\nRUN go build -o /app .\n", False),
    ("FROM golang:1.22-alpine\nRUN apk add gcc && go env -w CGO_ENABLED=0 && CGO_ENABLED=1 go build -o /a .\n",
     True),
    ("FROM golang:1.19-alpine\nRUN go build -o /app .\n", True),  # before 1.20: on without gcc
    ("FROM golang:1.22-alpine\nRUN apk add gcc && GOARCH=arm64 go build -o /app .\n", None),  # cross
    ("FROM golang:1.22-alpine\nRUN apk add gcc && xx-go build -o /app .\n", None),
    ("FROM golang:1.22-alpine\nRUN apk add gcc && env CGO_ENABLED=0 go build -o /app .\n", False),
])
def test_cgo(text, cgo):
    assert go(text).cgo is cgo


def test_static_link_flags_and_tags():
    flags = go("FROM golang:1.22-alpine\nRUN apk add gcc\n"
               "RUN go build -ldflags '-linkmode external -extldflags \"-static\"' -o /app .\n")
    assert flags.cgo is True and flags.static is True and flags.libc == "static"
    tags = go("FROM golang:1.22-alpine\nRUN apk add gcc\nRUN go build -tags netgo,osusergo -o /app .\n")
    assert tags.static is True
    one_tag = go("FROM golang:1.22-alpine\nRUN apk add gcc\nRUN go build -tags netgo -o /app .\n")
    assert one_tag.static is False and one_tag.libc == "musl"


def test_go_output_paths():
    assert go("FROM golang:1.22\nWORKDIR /src\nRUN go build -o bin/app ./cmd/app\n").paths == ("/src/bin/app",)
    assert go("FROM golang:1.22\nWORKDIR /src\nRUN cd cmd && go build -o ../app .\n").paths == ("/src/app",)
    named = go("FROM golang:1.22\nWORKDIR /src\nRUN go build ./cmd/server\n")
    assert named.paths == ("/src/server",) and named.exact
    unnamed = go("FROM golang:1.22\nWORKDIR /src\nRUN go build\n")
    assert unnamed.paths == ("/src",) and not unnamed.exact
    assert go("FROM golang:1.22\nRUN go install example.com/x@latest\n").paths == ("/go/bin",)
    assert go("FROM golang:1.22\nENV GOBIN=/out\nRUN go install ./...\n").paths == ("/out",)
    assert go("FROM golang:1.22\nWORKDIR /src\nRUN go build -o $OUT .\n").paths == ("/src",)


def test_rust_outputs():
    alpine = [o for o in outputs("FROM rust:1.80-alpine\nWORKDIR /r\nRUN cargo build --release\n")][0]
    assert alpine.static is True and alpine.paths == ("/r/target/release",)
    apk = outputs("FROM alpine:3.20\nRUN apk add cargo\nWORKDIR /r\nRUN cargo build --release\n")[0]
    assert apk.static is False and apk.libc == "musl"
    gnu = outputs("FROM rust:1.80\nWORKDIR /r\nRUN cargo build --release --target x86_64-unknown-linux-gnu\n")[0]
    assert gnu.libc == "glibc" and gnu.needs_libgcc and gnu.paths == ("/r/target/x86_64-unknown-linux-gnu/release",)
    musl = outputs("FROM rust:1.80\nWORKDIR /r\nRUN cargo build -r --target x86_64-unknown-linux-musl\n")[0]
    assert musl.static is True
    crt = outputs('FROM rust:1.80\nENV RUSTFLAGS="-C target-feature=+crt-static"\nRUN cargo build\n')[0]
    assert crt.static is True


def test_c_python_node_java_dotnet_outputs():
    c = outputs("FROM gcc:14\nWORKDIR /s\nRUN g++ -O2 -o hello main.cpp\n")[0]
    assert (c.kind, c.paths, c.static, c.needs_libgcc) == ("c-binary", ("/s/hello",), False, True)
    assert outputs("FROM gcc:14\nRUN gcc -static -o /hello main.c\n")[0].static is True
    assert outputs("FROM gcc:14\nRUN make\n")[0].opaque
    assert outputs("FROM gcc:14\nRUN gcc -c main.c -o main.o\n") == []
    venv = outputs("FROM python:3.12-slim\nRUN python -m venv /venv\n")[0]
    assert (venv.kind, venv.paths, venv.interpreter_version) == ("python-env", ("/venv",), "3.12")
    pinned = outputs("FROM python:3.12-slim\nRUN python3.11 -m venv /v\n")[0]
    assert pinned.interpreter_version == "3.11"
    target = outputs("FROM python:3.11\nWORKDIR /app\nRUN pip install --target=deps -r r.txt\n")[0]
    assert target.paths == ("/app/deps",)
    user = outputs("FROM python:3.11\nRUN pip install --user flask\n")[0]
    assert user.paths == ("/root/.local",)
    assert outputs("FROM python:3.11\nRUN pip install flask\n") == []
    node = outputs("FROM node:20-alpine\nWORKDIR /app\nRUN apk add python3 make g++\nRUN npm ci\n")[0]
    assert (node.kind, node.paths, node.interpreter_version, node.native_addons) == \
        ("node-modules", ("/app/node_modules",), "20", True)
    plain = outputs("FROM node:20\nWORKDIR /app\nRUN npm ci\n")[0]
    assert plain.native_addons is None
    jar = outputs("FROM maven:3.9-eclipse-temurin-21\nWORKDIR /b\nRUN mvn -B package -Dmaven.compiler.release=17\n")[0]
    assert (jar.kind, jar.paths, jar.sdk_version, jar.target_level) == ("jar", ("/b/target",), "21", "17")
    gradle = outputs("FROM gradle:jdk17\nWORKDIR /b\nRUN gradle bootJar\n")[0]
    assert gradle.paths == ("/b/build/libs",) and gradle.sdk_version == "17"
    dotnet = outputs("FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /s\nRUN dotnet publish -c Release -o /app\n")[0]
    assert (dotnet.kind, dotnet.paths, dotnet.self_contained) == ("dotnet-publish", ("/app",), None)


def test_cross_build_facts():
    head = "FROM --platform=$BUILDPLATFORM golang:1.22 AS b\n"
    assert go(head + "RUN go build -o /a .\n").targets_target is False
    assert go(head + "ARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build -o /a .\n").targets_target is True
    assert go(head + "ARG TARGETOS TARGETARCH\nENV GOOS=$TARGETOS GOARCH=$TARGETARCH\nRUN go build -o /a .\n") \
        .targets_target is True
    # declared only before the first FROM: empty in the stage
    assert go("ARG TARGETARCH\n" + head + "RUN GOARCH=$TARGETARCH go build -o /a .\n").targets_target is False
    assert go(head + "ARG TARGETARCH=amd64\nRUN GOARCH=$TARGETARCH go build -o /a .\n").targets_target is False
    assert go(head + "RUN xx-go build -o /a .\n").targets_target is True
    assert go(head + "RUN GOARCH=$ARCH go build -o /a .\n").targets_target is None
    assert go("FROM golang:1.22\nRUN go build -o /a .\n").targets_target is None  # not a cross stage


def test_artifacts_carry_outputs_and_relay():
    m = model_of("FROM golang:1.22 AS build\nWORKDIR /src\nRUN CGO_ENABLED=0 go build -o /out/app .\n"
                 "FROM build AS again\n"
                 "FROM alpine:3.20 AS mid\nCOPY --from=again /out /stage\n"
                 "FROM scratch\nCOPY --from=mid /stage/app /app\nCOPY --from=build /src/README.md /\n"
                 "ENTRYPOINT [\"/app\"]\n")
    arts = artifacts_of(m)
    assert [(a.instruction.start_line, a.source, [o.kind for o in a.outputs], a.runs_it) for a in arts] == \
        [(8, "/stage/app", ["go-binary"], True)]
    assert arts[0].outputs[0].cgo is False and arts[0].outputs[0].via
    assert artifacts_of(m) is arts  # computed once per model


def test_unnamed_go_output_counts_only_when_run():
    text = ("FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build\n"
            "FROM scratch\nCOPY --from=build /src/server /server\nCOPY --from=build /src/config.yaml /c.yaml\n"
            "ENTRYPOINT [\"/server\"]\n")
    arts = artifacts_of(model_of(text))
    assert [(a.source, bool(a.outputs)) for a in arts] == [("/src/server", True)]


def test_site_packages_copy_is_a_python_env():
    m = model_of("FROM python:3.12 AS b\nRUN pip install flask\n"
                 "FROM gcr.io/distroless/python3-debian12\n"
                 "COPY --from=b /usr/local/lib/python3.12/site-packages /site\n")
    (art,) = artifacts_of(m)
    assert art.outputs[0].kind == "python-env" and art.outputs[0].interpreter_version == "3.12"


def test_effective_programs():
    m = model_of("FROM alpine:3.20\nENV PATH=/app/bin:$PATH\nWORKDIR /w\n"
                 "HEALTHCHECK CMD wget -q localhost\nCMD [\"./run\", \"x\"]\n")
    progs = {p.role: p for p in effective_programs(m)}
    assert progs["cmd"].paths == ("/w/run",)
    assert progs["healthcheck"].name == "wget" and progs["healthcheck"].paths[0] == "/app/bin/wget"
    scratch = model_of("FROM scratch\nENTRYPOINT [\"app\"]\n")
    (p,) = effective_programs(scratch)
    assert "/usr/bin/app" in p.paths and p.path_known


def test_version_lt():
    assert version_lt("1.19", "1.20") is True and version_lt("1.20.3", "1.20") is False
    assert version_lt(None, "1") is None and version_lt("2.36", "2.41") is True
