"""Shortcuts of the advice layer (model.artifacts, model.needs, model.runtime) give what the
general code gives: the same build outputs, needs and advice, on generated Dockerfiles."""
import random

import pytest

from dockerslim_lint.dockerfile.parser import parse
from dockerslim_lint.images.catalog import default_catalog
from dockerslim_lint.model import artifacts, runtime
from dockerslim_lint.model.stages import build_model

# Command names: every one _outputs_of_command reads, near misses, and everyday commands.
_NAMES = ["go", "xx-go", "cargo", "xx-cargo", "gcc", "cc", "g++", "c++", "clang", "clang++", "musl-gcc",
          "gcc-12", "g++-13", "clang-17", "clang++-17", "xx-clang", "xx-c++", "aarch64-linux-gnu-gcc",
          "x86_64-linux-musl-g++", "make", "gmake", "ninja", "cmake", "./configure", "/src/configure",
          "python", "python3", "python3.12", "/usr/bin/python3", "/opt/venv/bin/python", "pip", "pip3",
          "pip3.11", "/opt/venv/bin/pip", "virtualenv", "uv", "npm", "pnpm", "yarn", "mvn", "mvnw", "./mvnw",
          "gradle", "gradlew", "./gradlew", "javac", "dotnet", "apt-get", "apk", "echo", "chmod", "cp",
          "pipx", "pythonic", "gccgo", "clang-format", "go-bindata", "npx", "node", "java", "xx-apk", "curl"]
_ARGS = ["build", "install", "-o", "/app", "out/bin", ".", "./...", "./cmd/server", "-m", "venv", "pip",
         "virtualenv", "/opt/venv", ".venv", "--target", "/deps", "--prefix=/install", "--user", "-r",
         "requirements.txt", "ci", "i", "publish", "-c", "Release", "--release", "package", "bootJar",
         "-ldflags", "-static", "--build", "sync", "-p", "3.12", "x86_64-unknown-linux-musl", "main.c",
         "-tags", "netgo,osusergo", "$OUT", "CGO_ENABLED=0", "--self-contained", "-f", "net8.0"]
_VERBS = ["build", "install", "-m venv", "-m pip install", "pip install", "venv", "sync", "publish", "ci",
          "package", "bootJar", "--build ."]
_BASES = ["golang:1.22", "golang:1.22-alpine", "rust:1.79", "python:3.12-slim", "node:20", "gcc:13",
          "maven:3.9-eclipse-temurin-21", "mcr.microsoft.com/dotnet/sdk:8.0", "ubuntu:24.04", "alpine:3.20"]


def _dockerfiles(seed, count):
    rng = random.Random(seed)
    for _ in range(count):
        lines = []
        for stage in range(rng.randint(1, 3)):
            lines.append(f"FROM --platform=$BUILDPLATFORM {rng.choice(_BASES)} AS s{stage}"
                         if rng.random() < 0.2 else f"FROM {rng.choice(_BASES)} AS s{stage}")
            if rng.random() < 0.5:
                lines.append(f"WORKDIR /{rng.choice(['src', 'app', 'build'])}")
            if rng.random() < 0.3:
                lines.append(f"ENV {rng.choice(['CGO_ENABLED=0', 'GOBIN=/out', 'CC=clang', 'HOME=/home/u'])}")
            for _ in range(rng.randint(1, 4)):
                commands = []
                for _ in range(rng.randint(1, 3)):
                    words = [rng.choice(_NAMES)] + [rng.choice(_ARGS) for _ in range(rng.randint(0, 5))]
                    if rng.random() < 0.6:
                        words.insert(1, rng.choice(_VERBS))
                    if rng.random() < 0.2:
                        words = [rng.choice(["cd /src", "export GOOS=linux", "go env -w CGO_ENABLED=0"])]
                    commands.append(" ".join(words))
                lines.append("RUN " + " && ".join(commands))
            if stage:
                lines.append(f"COPY --from=s{stage - 1} /app /opt/venv /usr/local/bin/")
        lines.append(f"CMD [\"{rng.choice(['/app', 'python', 'node', 'java', 'server'])}\"]")
        yield "\n".join(lines) + "\n"


def _outputs(text):
    model = build_model(parse(text.encode()), catalog=default_catalog())
    try:
        return _projected(model)
    except Exception as exc:  # (a rule reading it reports an internal error: the same one)
        return repr(exc)


def _projected(model):
    return [[(o.kind, o.paths, o.exact, o.instruction.start_line, o.command, o.libc, o.cgo, o.static,
              o.interpreter_version, o.interpreter_path, o.targets_target, o.cross_evidence, o.opaque)
             for o in artifacts.build_outputs(model, stage)] for stage in model.stages]


def test_may_build_skips_only_commands_that_build_nothing(monkeypatch):
    texts = list(_dockerfiles(16, 400))
    fast = [_outputs(t) for t in texts]
    monkeypatch.setattr(artifacts, "_may_build", lambda cmd: True)
    general = [_outputs(t) for t in texts]
    assert sum(len(o) for f in fast for o in f) > 400  # the generator does reach the builds
    for text, a, b in zip(texts, fast, general):
        assert a == b, text


@pytest.mark.parametrize("text", ["netgo osusergo", "osusergo\nnetgo", "-tags netgo -X a.osusergo", "netgo",
                                  "a netgox osusergo", "x" * 500, "-tags 'osusergo,netgo'\n-o /a"])
def test_static_flags_shortcut_is_the_pattern(text):
    assert runtime._static_flags(text) is (runtime._STATIC_FLAGS.search(text) is not None)


def test_short_reference_skips_only_references_without_a_digest():
    import re

    from dockerslim_lint.engine.findings import short_reference

    def general(text, limit=60):
        text = re.sub(r"(@sha\d+:[0-9a-fA-F]{12})[0-9a-fA-F]+", r"\1…", text)
        return text if len(text) <= limit else text[:(limit - 1) // 2] + "…" + text[-(limit - 1 - (limit - 1) // 2):]

    rng = random.Random(5)
    pieces = ["python", ":3.12", "@sha256:", "@sha512:", "@sha", "0123456789abcdef" * 5, "ABCDEF", "/", "-slim", "é"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert short_reference(text) == general(text), text


_COMMANDS = ['CMD ["bash"]', 'CMD ["python3", "-i"]', "CMD sh -l", 'ENTRYPOINT ["tini", "--"]\nCMD ["node"]',
             'CMD ["/app/server", "--port", "80"]', "CMD ./start.sh", 'ENTRYPOINT ["gosu", "app", "python", "a.py"]',
             "", 'CMD ["sh", "-c", "exec app"]', 'ENTRYPOINT ["dumb-init"]', "CMD [", 'CMD ["irb"]']


@pytest.mark.parametrize("base", ["python:3.12-slim", "ubuntu:24.04", "scratch", "unknown.example/img:1",
                                  "gcr.io/distroless/nodejs22-debian12", "node:20"])
def test_program_run_is_what_the_needs_say(base):
    from dockerslim_lint.model.needs import needs_of, program_run

    for command in _COMMANDS:
        model = build_model(parse(f"FROM {base}\nRUN echo hi\n{command}\n".encode()), catalog=default_catalog())
        needs = needs_of(model)
        assert program_run(model) == (needs.runs_program, needs.runs_what), command


@pytest.mark.parametrize("base", ["php:8.3-apache", "ruby:3.3", "ubuntu:24.04", "python:3.12-slim", "eclipse-temurin:21",
                                  "unknown.example/img:1", "golang:1.22", "mcr.microsoft.com/dotnet/aspnet:8.0"])
def test_early_reasons_are_the_full_needs_reasons(base):
    """When the first needs decide that no image is suggested, the full needs give the same reason."""
    from dockerslim_lint.engine.linter import Context, Options
    from dockerslim_lint.model import suggest
    from dockerslim_lint.model.needs import needs_of

    context = Context(default_catalog(), Options())
    runs = ["RUN echo hi", "RUN apt-get install -y php8.2-cli ruby-dev", "RUN gem install rails",
            "RUN pip install flask", "RUN go build -o /app .", "RUN mvn package"]
    for command in _COMMANDS + ['CMD ["php", "index.php"]', 'CMD ["rails", "s"]', 'CMD ["java", "-jar", "a.jar"]']:
        for run in runs:
            model = build_model(parse(f"FROM {base}\n{run}\n{command}\n".encode()), catalog=default_catalog())
            early = suggest._decided_early(model)
            if early is not None:
                runtime = suggest.detect(model)
                assert suggest._choose_for(model, needs_of(model), runtime, context) == (None, early, False), \
                    (base, run, command)
