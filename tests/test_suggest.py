"""Runtime detection and the suggestion table (RULES.md "Suggestions")."""
import pytest

from dockerslim_lint.images.catalog import default_catalog
from dockerslim_lint.engine.linter import Context, Options
from dockerslim_lint.model.stages import build_model
from dockerslim_lint.dockerfile.parser import parse
from dockerslim_lint.model.runtime import Runtime, detect
from dockerslim_lint.model.suggest import choose, estimate_current, fmt_mb, suggestion_of


def model(text, **kw):
    return build_model(parse(text.encode()), catalog=default_catalog(), **kw)


def proposal(text, family="distroless"):
    return suggestion_of(model(text), Context(default_catalog(), Options(suggestions=family)))


@pytest.mark.parametrize("text, language, version, static", [
    ("FROM golang:1.22\nRUN CGO_ENABLED=0 go build -o /app .\n", "go", "1.22", True),
    ("FROM golang:1.22\nENV CGO_ENABLED=0\nRUN go build -o /app .\n", "go", "1.22", True),
    ("FROM golang:1.22\nRUN go build -o /app .\n", "go", "1.22", False),
    # -extldflags -static is static only under external linking (unknown): glibc, which runs both.
    ("FROM golang:1.22\nRUN go build -ldflags '-extldflags \"-static\"' -o /app .\n", "go", "1.22", False),
    ("FROM golang:1.22\nRUN go build -tags netgo,osusergo -o /app .\n", "go", "1.22", True),
    ("FROM rust:1.80\nRUN cargo build --release\n", "rust", None, False),
    ("FROM rust:1.80\nRUN cargo build --release --target x86_64-unknown-linux-musl\n", "rust", None, True),
    ("FROM python:3.12\nRUN pip install -r requirements.txt\n", "python", "3.12", None),
    ("FROM node:20\nRUN npm ci && npm run build\n", "node", "20", None),
    ("FROM eclipse-temurin:21-jdk\nRUN ./mvnw package\n", "java", "21", None),
    ("FROM maven:3.9-eclipse-temurin-17 AS b\nRUN mvn package\nFROM eclipse-temurin:17-jre\n"
     "COPY --from=b /app.jar /app.jar\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n", "java", "17", None),
    ("FROM python:3.13-slim\nCOPY app.py /\nCMD [\"python\", \"/app.py\"]\n", "python", "3.13", None),
])
def test_runtime_detection(text, language, version, static):
    rt = detect(model(text))
    assert rt.language == language
    assert rt.version == version
    if static is not None:
        assert rt.static is static


def test_dotnet_modes():
    base = "FROM mcr.microsoft.com/dotnet/sdk:8.0\n"
    assert detect(model(base + "RUN dotnet publish -c Release -o /out\n")).dotnet_mode == "framework"
    assert detect(model(base + "RUN dotnet publish -r linux-x64 --self-contained -o /out\n")).dotnet_mode == "self-contained"
    assert detect(model(base + "RUN dotnet publish -p:PublishAot=true -o /out\n")).dotnet_mode == "aot"


@pytest.mark.parametrize("runtime, image", [
    (Runtime("go", static=True), "gcr.io/distroless/static-debian13:nonroot"),
    (Runtime("go", static=False, libc="glibc"), "gcr.io/distroless/base-debian13:nonroot"),
    (Runtime("c", static=False, libc="glibc"), "gcr.io/distroless/base-debian13:nonroot"),
    (Runtime("c", static=False, libc="glibc", needs_libgcc=True), "gcr.io/distroless/cc-debian13:nonroot"),
    (Runtime("rust", static=False, libc="glibc", needs_libgcc=True), "gcr.io/distroless/cc-debian13:nonroot"),
    (Runtime("rust", static=True, libc="musl"), "gcr.io/distroless/static-debian13:nonroot"),
    (Runtime("python", "3.13"), "gcr.io/distroless/python3-debian13:nonroot"),
    (Runtime("python", "3.11"), "python:3.11-slim"),
    (Runtime("node", "22"), "gcr.io/distroless/nodejs22-debian13:nonroot"),
    (Runtime("node", "26"), "gcr.io/distroless/nodejs26-debian13:nonroot"),
    (Runtime("node", "20"), "node:20-slim"),
    (Runtime("node", "25"), "node:25-slim"),
    (Runtime("node", "12"), "node:12-slim"),
    (Runtime("java", "21"), "gcr.io/distroless/java21-debian13:nonroot"),
    (Runtime("java", "11"), "gcr.io/distroless/java17-debian13:nonroot"),
    (Runtime("java", "23"), "gcr.io/distroless/java25-debian13:nonroot"),
    (Runtime("dotnet", "8.0", dotnet_mode="framework", web=True), "mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled"),
    (Runtime("dotnet", "8.0", dotnet_mode="framework"), "mcr.microsoft.com/dotnet/runtime:8.0-noble-chiseled"),
    (Runtime("dotnet", "9.0", dotnet_mode="aot"), "mcr.microsoft.com/dotnet/runtime-deps:9.0-noble-chiseled"),
    (Runtime(), None),
    (Runtime("python"), None),
    (Runtime("dotnet", None, dotnet_mode="framework"), None),
])
def test_suggestion_table(runtime, image):
    assert choose(runtime, "distroless")[0] == image


def test_reasons_say_why_or_why_none():
    assert "could not be identified" in choose(Runtime(), "distroless")[1]
    assert "nearest" in choose(Runtime("java", "11"), "distroless")[1]
    assert "22, 24 and 26" in choose(Runtime("node", "20"), "distroless")[1]
    assert "3.13" in choose(Runtime("python", "3.12"), "distroless")[1]
    assert "CGO_ENABLED=0" in choose(Runtime("go", static=False, libc="glibc"), "distroless")[1]


def test_chainguard_family():
    assert choose(Runtime("go", static=True), "chainguard")[0] == "cgr.dev/chainguard/static:latest"
    # chainguard's free :latest follows the newest Python line: not known to run 3.12.
    assert choose(Runtime("python", "3.12"), "chainguard")[0] is None
    # .NET is chiseled whatever the family.
    assert "noble-chiseled" in choose(Runtime("dotnet", "8.0", dotnet_mode="framework"), "chainguard")[0]


def test_fmt_mb():
    assert fmt_mb(861.2) == "about 861 MB"
    assert fmt_mb(1.83) == "about 1.8 MB"
    assert fmt_mb(1100) == "about 1.1 GB"


def test_seed_estimate_near_real_size():
    with open("fixtures/seed/single-stage/Dockerfile", "rb") as f:
        m = build_model(parse(f.read()), catalog=default_catalog())
    size, words = estimate_current(m, default_catalog())
    # The real image is 861 MB (docker images); the estimate counts ubuntu + golang-go.
    assert 700 <= size <= 1000, (size, words)
    assert "golang-go" in words


def test_seed_proposal_sizes():
    with open("fixtures/seed/single-stage/Dockerfile", encoding="utf-8") as f:
        p = proposal(f.read())
    assert p.image == "gcr.io/distroless/static-debian13:nonroot"
    assert p.image_size_mb is not None and p.image_size_mb < 10
    assert p.saving_mb > 600
    assert p.text == ("build in a separate stage and ship gcr.io/distroless/static-debian13:nonroot "
                      "(static binary: Go built with CGO_ENABLED=0): "
                      f"{fmt_mb(p.current_size_mb)} -> {fmt_mb(p.image_size_mb, about=False)}")
    assert p.as_dict()["image"] == p.image and p.as_dict()["reason"] == p.reason


def test_fix_safe_only_when_swapping_base_alone_works():
    # No RUN, exec-form ENTRYPOINT of our own, the user set by the file: swapping debian for static works.
    p = proposal("FROM golang:1.22 AS b\nRUN CGO_ENABLED=0 go build -o /app .\n"
                 "FROM debian:bookworm-slim\nCOPY --from=b /app /app\nUSER 65532\nENTRYPOINT [\"/app\"]\n")
    assert p.fix_safe and p.replaces == "debian:bookworm-slim" and p.replace_line == 3
    # The same without USER: :nonroot would change the user from root to 65532.
    p = proposal("FROM golang:1.22 AS b\nRUN CGO_ENABLED=0 go build -o /app .\n"
                 "FROM debian:bookworm-slim\nCOPY --from=b /app /app\nENTRYPOINT [\"/app\"]\n")
    assert p.image == "gcr.io/distroless/static-debian13:nonroot" and not p.fix_safe
    # A RUN in the runtime stage: not safe.
    p = proposal("FROM debian:bookworm-slim\nRUN mkdir /data\nCOPY app /app\nENTRYPOINT [\"/app\"]\n")
    assert not p.fix_safe
    # Shell-form CMD would need a shell: not safe.
    p = proposal("FROM debian:bookworm-slim\nCOPY app /app\nCMD /app --serve\n")
    assert not p.fix_safe
    # Python: our ENTRYPOINT runs python by name, which distroless python3 has.
    p = proposal("FROM python:3.13-slim\nCOPY app.py /app.py\nUSER 65532\nENTRYPOINT [\"python\", \"/app.py\"]\n")
    assert p.image == "gcr.io/distroless/python3-debian13:nonroot" and p.fix_safe
    # Without USER, :nonroot changes the user: not safe.
    p = proposal("FROM python:3.13-slim\nCOPY app.py /app.py\nENTRYPOINT [\"python\", \"/app.py\"]\n")
    assert p.image == "gcr.io/distroless/python3-debian13:nonroot" and not p.fix_safe
    # Python relying on CMD ["python", ...]: distroless's ENTRYPOINT would run `python python`.
    p = proposal("FROM python:3.13-slim\nCOPY app.py /app.py\nCMD [\"python\", \"/app.py\"]\n")
    assert not p.fix_safe


# -- messages and the one suggestion per file (issue 11 step 1, issue 13 purge item) ------------

from conftest import lint_text  # noqa: E402

SUGGESTING = ("DSL101", "DSL102", "DSL201", "DSL202", "DSL203")


@pytest.mark.parametrize("text, rule_id, words", [
    ("FROM golang:1.22\nRUN CGO_ENABLED=0 go build -o /app .\nENTRYPOINT [\"/app\"]\n", "DSL101",
     ("golang:1.22", "`go build`", "line 2")),
    ("FROM debian:12\nRUN apt-get update && apt-get install -y gcc make && make && "
     "apt-get purge -y gcc make && rm -rf /var/lib/apt/lists/*\nCMD [\"/usr/local/bin/x\"]\n", "DSL101",
     ("debian:12", "`make`", "purged in the same RUN")),
    ("FROM debian:12\nRUN apt-get update && apt-get install -y libssl-dev && "
     "apt-get purge -y libssl-dev && rm -rf /var/lib/apt/lists/*\n", "DSL101",
     ("libssl-dev", ", purged in the same RUN")),
    ("FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM b\nRUN go build -o /app2 .\n", "DSL102",
     ("stage 'b'", "`go build`", "line 2")),
    ("FROM golang:1.22 AS b\nRUN echo\nFROM b\nRUN go build -o /app2 .\n", "DSL102",
     ("the target stage", "`go build`", "line 4")),
])
def test_build_messages_give_evidence_in_one_short_sentence(text, rule_id, words):
    found = [f for f in lint_text(text.encode()).findings if f.rule_id == rule_id]
    assert len(found) == 1
    message = found[0].message
    assert len(message) <= 120 and message.count(". ") == 0, message
    for w in words:
        assert w in message, (w, message)
    # The suggestion is not in the message: reporters print suggestion.text once per file.
    assert "distroless" not in message and "ship X" not in message


def test_findings_of_a_file_share_one_suggestion_object():
    text = b"FROM ubuntu\nRUN apt-get update && apt-get install -y golang-go\nRUN CGO_ENABLED=0 go build -o /a .\n" \
           b"ENTRYPOINT [\"/a\"]\n"
    found = [f for f in lint_text(text).findings if f.rule_id in SUGGESTING]
    assert {f.rule_id for f in found} == {"DSL101", "DSL202"}
    assert found[0].suggestion is found[1].suggestion
    assert found[0].suggestion.action == "build in a separate stage and ship"
    for f in found:
        assert "distroless" not in f.message and len(f.message) <= 120


@pytest.mark.parametrize("text, action", [
    ("FROM golang:1.22 AS b\nRUN CGO_ENABLED=0 go build -o /a .\nFROM b\nRUN CGO_ENABLED=0 go build -o /c .\n"
     "ENTRYPOINT [\"/c\"]\n", "move the build out of the runtime stages and ship"),
    ("FROM golang:1.22 AS b\nRUN CGO_ENABLED=0 go build -o /a .\nFROM debian:12\nCOPY --from=b /a /a\n"
     "ENTRYPOINT [\"/a\"]\n", "ship"),
])
def test_action_follows_the_file(text, action):
    found = [f for f in lint_text(text.encode()).findings if f.rule_id in SUGGESTING]
    assert found and all(f.suggestion.action == action for f in found)
    assert all(f.suggestion.text.startswith(action + " ") for f in found)


def test_no_image_text_is_one_clause():
    found = [f for f in lint_text(b"FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y gcc "
                                  b"&& rm -rf /var/lib/apt/lists/*\n").findings if f.rule_id == "DSL101"]
    s = found[0].suggestion
    assert s.image is None and s.reason and not s.fix_safe
    assert s.text == "no image suggested: " + s.reason
    assert s.as_dict()["image"] is None and s.as_dict()["reason"] == s.reason


def test_estimate_does_not_count_packages_purged_in_the_same_run():
    kept = model("FROM debian:12\nRUN apt-get update && apt-get install -y build-essential\n")
    purged = model("FROM debian:12\nRUN apt-get update && apt-get install -y build-essential && make "
                   "&& apt-get purge -y build-essential\n")
    size_kept, words_kept = estimate_current(kept, default_catalog())
    size_purged, words_purged = estimate_current(purged, default_catalog())
    assert "build-essential" in words_kept and "build-essential" not in words_purged
    assert size_purged < size_kept


def test_relative_paths_need_the_bases_workdir():
    # The classpath is relative to WORKDIR "/"; distroless :nonroot would move it: no image.
    text = ("FROM maven:3.9-eclipse-temurin-17 AS b\nRUN mvn package\n"
            "FROM eclipse-temurin:17-jre\nCOPY --from=b /src/target/lib /app/lib\n"
            "ENTRYPOINT [\"java\", \"-cp\", \"app/lib/*\", \"com.example.Main\"]\n")
    p = proposal(text)
    assert p.image is None and "relative" in p.reason
    # The same with the WORKDIR set by the file: the swap keeps it.
    p = proposal(text.replace("FROM eclipse-temurin:17-jre\n", "FROM eclipse-temurin:17-jre\nWORKDIR /\n"))
    assert p.image == "gcr.io/distroless/java17-debian13:nonroot"


def test_maybe_static_go_gets_glibc_not_static():
    text = ("FROM golang:1.24-bookworm AS b\nRUN go build -ldflags '-extldflags \"-static\"' -o /app .\n"
            "FROM debian:12-slim\nCOPY --from=b /app /app\nENTRYPOINT [\"/app\"]\n")
    assert proposal(text).image == "gcr.io/distroless/base-debian13:nonroot"
    assert proposal(text.replace("go build", "CGO_ENABLED=0 go build")).image == \
        "gcr.io/distroless/static-debian13:nonroot"


def test_files_under_root_need_root():
    # Runs as root from /root (0700): distroless :nonroot runs as 65532 and cannot reach it.
    text = ("FROM golang:1.24-bookworm AS b\nRUN CGO_ENABLED=0 go build -o /app .\n"
            "FROM debian:bookworm-slim\nWORKDIR /root/\nCOPY --from=b /app .\nCMD [\"./app\"]\n")
    p = proposal(text)
    assert p.image is None and "/root" in p.reason
    p = proposal(text.replace("WORKDIR /root/", "WORKDIR /srv"))
    assert p.image is None or p.image.startswith("gcr.io/distroless/static")


@pytest.mark.parametrize("text", [
    "FROM python:3-alpine\nRUN apk add --no-cache --virtual .b build-base lapack-dev libffi-dev openssl-dev "
    "&& pip install --no-cache-dir numpy && apk del .b\n",
    "FROM debian:sid-slim\nRUN apt-get update && apt-get install -y libasound2-dev "
    "libgstreamer-plugins-base1.0-dev libgstreamer1.0-dev && rm -rf /var/lib/apt/lists/*\n",
    "FROM registry.example.com/some/very/long/path/to/a/golang-based/toolchain-image:1.25-bookworm\n"
    "RUN go build -o /app .\n",
    "FROM golang:1.25@sha256:31c1e53dfc1cc2d269deec9c83f58729fa3c53dc9a576f6426109d1e319e9e9a\nCMD [\"/app\"]\n",
])
def test_messages_stay_short_with_long_names(text):
    for f in lint_text(text.encode()).findings:
        if f.rule_id in SUGGESTING:
            assert len(f.message) <= 120, f.message
