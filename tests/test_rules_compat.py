"""DSL501-DSL508 beyond the fixtures: each trap has a twin that fires, messages stay short,
DSL505's fix is safe only where issue 14 says, DSL507 never carries a fix."""
import pytest

from conftest import lint_text


def ids(text, **kw):
    return sorted(f"{f.rule_id}:{f.line}" for f in lint_text(text, **kw).findings if f.rule_id.startswith("DSL5"))


def findings(text, rule_id):
    return [f for f in lint_text(text).findings if f.rule_id == rule_id]


GO_ALPINE = ("FROM golang:1.22-alpine AS build\nRUN apk add --no-cache gcc musl-dev\nWORKDIR /src\nCOPY . .\n"
             "RUN {build}\nFROM scratch\nCOPY --from=build /out/app /app\nUSER 1\nENTRYPOINT [\"/app\"]\n")


@pytest.mark.parametrize("build, fires", [
    ("go build -o /out/app .", True),
    ("CGO_ENABLED=0 go build -o /out/app .", False),
    ("go build -tags netgo,osusergo -o /out/app .", False),
    ("go build -tags netgo -o /out/app .", True),
    ("go build -ldflags '-extldflags \"-static\"' -o /out/app .", False),
    ("CGO_ENABLED=$CGO go build -o /out/app .", False),
    ("./build.sh", False),
])
def test_dsl501_cgo_variants(build, fires):
    assert ids(GO_ALPINE.format(build=build)) == (["DSL501:7"] if fires else [])


def test_dsl501_copied_path_must_be_the_output():
    text = GO_ALPINE.format(build="go build -o /out/app . && cp /etc/os-release /out/info")
    assert ids(text.replace("COPY --from=build /out/app /app", "COPY --from=build /out/info /info")) == []
    assert ids(text.replace("COPY --from=build /out/app /app", "COPY --from=build /out /app")) == ["DSL501:7"]


def test_dsl501_runtime_with_libc_or_copied_libc_is_silent():
    text = GO_ALPINE.format(build="go build -o /out/app .")
    assert "DSL501:7" not in ids(text.replace("FROM scratch", "FROM alpine:3.20"))
    assert ids(text.replace("USER 1", "COPY --from=build /lib/ld-musl-x86_64.so.1 /lib/\nUSER 1")) == []


def test_dsl502_rust_alpine_static_vs_apk_cargo():
    base = ("FROM {builder} AS b\n{install}WORKDIR /s\nRUN cargo build --release\n"
            "FROM gcr.io/distroless/cc-debian12\nCOPY --from=b /s/target/release/app /app\nENTRYPOINT [\"/app\"]\n")
    assert ids(base.format(builder="rust:1.80-alpine", install="")) == []
    assert ids(base.format(builder="alpine:3.20", install="RUN apk add cargo\n")) == ["DSL502:6"]


def test_dsl502_node_addons_need_the_gyp_signal():
    text = ("FROM node:22-alpine AS deps\n{install}WORKDIR /app\nRUN npm ci\n"
            "FROM gcr.io/distroless/nodejs22-debian13\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\n"
            "CMD [\"server.js\"]\n")
    assert ids(text.format(install="RUN apk add --no-cache python3 make g++\n")) == ["DSL502:7"]
    assert ids(text.format(install="")) == []


def test_dsl504_same_version_silent_other_fires():
    text = ("FROM python:3.12-slim AS b\nRUN python -m venv /venv\nFROM {runtime}\nCOPY --from=b /venv /venv\n"
            "USER 1\nCMD [\"/venv/bin/python\", \"-m\", \"app\"]\n")
    assert ids(text.format(runtime="python:3.12-slim")) == []
    assert ids(text.format(runtime="python:3.11-slim")) == ["DSL504:4"]


def apply(text, finding):
    from dockerslim_lint.dockerfile.parser import parse
    from dockerslim_lint.fix.edits import apply as apply_edits

    assert parse(text.encode()).lines
    return apply_edits(text, finding.fix.edits)


@pytest.mark.parametrize("cmd, fixed", [
    ('CMD ["node", "server.js"]', 'CMD ["server.js"]'),
    ('CMD ["node", "--enable-source-maps", "dist/main.js"]', 'CMD ["--enable-source-maps", "dist/main.js"]'),
    ("CMD node server.js", 'CMD ["server.js"]'),
])
def test_dsl505_safe_fix_drops_the_interpreter(cmd, fixed):
    text = f"FROM gcr.io/distroless/nodejs22-debian13\nCOPY . /app\nWORKDIR /app\n{cmd}\n"
    (finding,) = findings(text, "DSL505")
    assert finding.fix is not None and finding.fix.safe
    assert apply(text, finding).splitlines()[-1] == fixed
    assert ids(apply(text, finding)) == []  # a second run is clean


def test_dsl505_java_drops_java_and_jar_together():
    text = 'FROM gcr.io/distroless/java21-debian13\nCOPY app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n'
    (finding,) = findings(text, "DSL505")
    assert apply(text, finding).splitlines()[-1] == 'CMD ["/app.jar"]'


@pytest.mark.parametrize("cmd", [
    'CMD ["npm", "start"]', 'CMD ["sh", "-c", "node server.js"]', 'CMD ["bash", "start.sh"]',
    'CMD ["/venv/bin/python", "app.py"]',
])
def test_dsl505_no_fix_where_not_mechanical(cmd):
    image = "python3-debian13" if "python" in cmd else "nodejs22-debian13"
    text = f"FROM gcr.io/distroless/{image}\nCOPY . /app\n{cmd}\n"
    (finding,) = findings(text, "DSL505")
    assert finding.fix is None and "corrected_cmd" not in finding.extra


def test_dsl505_java_options_before_jar_no_fix():
    text = 'FROM gcr.io/distroless/java21-debian13\nCMD ["java", "-Xmx512m", "-jar", "/app.jar"]\n'
    (finding,) = findings(text, "DSL505")
    assert finding.fix is None


def test_dsl505_silent_when_runtime_sets_entrypoint_or_script_argument():
    assert ids('FROM gcr.io/distroless/nodejs22-debian13\nCMD ["/app/server.mjs"]\n') == []
    assert ids('FROM gcr.io/distroless/nodejs22-debian13\nENTRYPOINT ["/nodejs/bin/node"]\nCMD ["x.js"]\n') == []
    assert ids('FROM node:22-slim\nCMD ["node", "server.js"]\n') == []  # entrypoint is a script, not node


def test_dsl506_scratch_programs():
    head = "FROM scratch\nCOPY --from=busybox:1.36 /bin/busybox /bin/busybox\nUSER 1\n"
    assert ids("FROM scratch\nUSER 1\nENTRYPOINT [\"sh\", \"-c\", \"exec /app\"]\n") == ["DSL506:3"]
    assert ids(head + 'ENTRYPOINT ["busybox", "httpd"]\n') == []
    assert ids("FROM scratch\nCOPY app /usr/bin/\nUSER 1\nENTRYPOINT [\"app\"]\n") == []
    assert ids("FROM scratch\nUSER 1\nENTRYPOINT [\"/app/server\"]\n") == []  # outside the bin folders


def test_dsl507_twin_of_release_trap_and_never_a_fix():
    text = ("FROM eclipse-temurin:21-jdk AS b\nWORKDIR /s\nRUN javac {flag}-d /out Main.java\n"
            "FROM eclipse-temurin:17-jre\nCOPY --from=b /out /app\nUSER 1\nCMD [\"java\", \"-cp\", \"/app\", \"Main\"]\n")
    assert ids(text.format(flag="--release 17 ")) == []
    (finding,) = findings(text.format(flag=""), "DSL507")
    assert "likely" in finding.message and finding.fix is None


def test_dsl508_target_from_variables_in_scope():
    text = ("FROM --platform=$BUILDPLATFORM golang:1.22 AS b\n{args}WORKDIR /s\nRUN CGO_ENABLED=0 {env}go build -o /a .\n"
            "FROM gcr.io/distroless/static-debian13\nCOPY --from=b /a /a\nENTRYPOINT [\"/a\"]\n")
    assert ids(text.format(args="ARG TARGETARCH\n", env="GOARCH=$TARGETARCH ")) == []
    assert ids(text.format(args="ARG TARGETARCH=amd64\n", env="GOARCH=$TARGETARCH ")) == ["DSL508:4"]
    assert ids(text.format(args="", env="GOARCH=$ARCH ")) == []  # another variable: unknown
    assert ids(text.format(args="ARG TARGETARCH\n", env="")) == ["DSL508:4"]  # merely present
    # nothing copied into the runtime: silent
    assert ids(text.format(args="", env="").replace("COPY --from=b /a /a\n", "")) == []


def test_messages_are_short_and_name_the_fix():
    import glob
    import os

    from conftest import FIXTURES

    seen = set()
    for path in glob.glob(os.path.join(FIXTURES, "rules", "DSL50*", "Dockerfile")):
        with open(path, "rb") as f:
            for finding in lint_text(f.read()).findings:
                if finding.rule_id.startswith("DSL5"):
                    seen.add(finding.rule_id)
                    assert len(finding.message) <= 120, finding.message
                    assert "`" in finding.message, finding.message
    assert seen >= {"DSL501", "DSL502", "DSL504", "DSL505", "DSL506", "DSL507", "DSL508"}


def test_webassembly_is_not_a_native_program():
    assert ids("FROM scratch\nCOPY --from=build /app.wasm /app.wasm\nENTRYPOINT [\"app.wasm\"]\n") == []
    text = ("FROM --platform=$BUILDPLATFORM rust:1.80 AS b\nWORKDIR /s\nRUN cargo build --release --target wasm32-wasip1\n"
            "FROM scratch\nCOPY --from=b /s/target/wasm32-wasip1/release/app.wasm /app.wasm\n"
            "ENTRYPOINT [\"/app.wasm\"]\n")
    assert ids(text) == []
    assert ids(text.replace(" --target wasm32-wasip1", "").replace("wasm32-wasip1/", "")) == ["DSL508:3"]


def test_dsl508_silent_when_the_run_branches_on_target_or_the_runtime_is_on_the_build_platform():
    branching = ("FROM --platform=$BUILDPLATFORM rust:1.80 AS b\nARG TARGETPLATFORM\nWORKDIR /s\n"
                 "RUN if [ \"$TARGETPLATFORM\" = linux/arm64 ]; then cargo build -r --target aarch64-unknown-linux-gnu "
                 "&& cp target/aarch64-unknown-linux-gnu/release/app target/release/app; else cargo build -r; fi\n"
                 "FROM gcr.io/distroless/cc-debian13\nCOPY --from=b /s/target/release/app /app\nENTRYPOINT [\"/app\"]\n")
    assert ids(branching) == []
    tool = ("FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS base\n"
            "FROM base AS build\nRUN go build -o /out/tool ./cmd/tool\n"
            "FROM base AS lint\nCOPY --from=build /out/tool /usr/bin/tool\nRUN tool run\n")
    assert ids(tool) == []


ALPINE_WITH_PROGRAMS = {"alpine-busybox-test": {
    "names": ["alpine"], "kind": "slim-runtime", "shell": "/bin/sh", "package_managers": ["apk"],
    "libc": "musl", "cmd": ["/bin/sh"], "distro": "alpine",
    "path_env": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "programs": ["/bin/busybox", "/bin/sh", "/bin/ash", "/bin/ls", "/usr/bin/wget", "/sbin/apk"]}}


def program_findings(text):
    """DSL506 on a catalog whose Alpine lists its busybox programs (a user `images:` entry)."""
    from dockerslim_lint.dockerfile.parser import parse
    from dockerslim_lint.images.catalog import load_catalog
    from dockerslim_lint.model.stages import build_model
    from dockerslim_lint.rules.compat import program_not_in_image

    model = build_model(parse(text.encode()), catalog=load_catalog(ALPINE_WITH_PROGRAMS))
    return [(f.line, f.message) for f in program_not_in_image.check(model, None)]


def test_dsl506_bash_on_alpine_unless_installed():
    base = "FROM alpine:3.20\n{run}COPY start.sh /start.sh\nENTRYPOINT [\"bash\", \"/start.sh\"]\n"
    ((line, message),) = program_findings(base.format(run=""))
    assert line == 3 and "`bash`" in message and "apk add --no-cache bash" in message
    assert program_findings(base.format(run="RUN apk add --no-cache bash\n")) == []
    assert program_findings(base.format(run="RUN apk add --no-cache tzdata ca-certificates\n")) != []
    assert program_findings(base.format(run="RUN apk add --no-cache tini\n")) == []  # may bring anything: unknown
    assert program_findings(base.format(run="RUN ./install.sh\n")) == []  # a script: unknown


def test_dsl506_shell_form_on_alpine_judges_the_first_word():
    assert [line for line, _ in program_findings("FROM alpine:3.20\nCMD bash -c 'echo hi'\n")] == [2]
    assert program_findings("FROM alpine:3.20\nCMD wget -qO- http://x\n") == []
    assert program_findings('FROM alpine:3.20\nHEALTHCHECK CMD ["wget", "-q", "http://x"]\nCMD ["ls"]\n') == []


def test_dsl501_debian_golang_needs_the_compiler_fact():
    """golang:1.22 (Debian) ships gcc: cgo is on by default. The compiler's presence is an image
    fact (`programs`, else the catalog's `c_compiler`); with it the classic case fires."""
    from dockerslim_lint.dockerfile.parser import parse
    from dockerslim_lint.images.catalog import default_catalog, load_catalog
    from dockerslim_lint.model.stages import build_model
    from dockerslim_lint.rules.compat import cgo_binary_on_libc_free_base

    text = ("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n"
            "FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n")
    golang = default_catalog().facts("golang:1.22")
    assert golang.programs is None and golang.c_compiler is True  # the bundled catalog's sourced fact
    assert ids(text) == ["DSL501:6"]
    unknown = {"golang-unknown-test": {
        "names": ["golang"], "kind": "toolchain", "shell": "/bin/sh", "libc": "glibc", "runtime": "go",
        "tags": [{"match": r"(?P<version>1\.\d+)(?:\.\d+)?(?:-.*)?"}]}}
    model = build_model(parse(text.encode()), catalog=load_catalog(unknown))
    assert list(cgo_binary_on_libc_free_base.check(model, None)) == []  # compiler unknown: silent
    with_gcc = {"golang-with-gcc-test": {
        "names": ["golang"], "kind": "toolchain", "shell": "/bin/sh", "libc": "glibc", "runtime": "go",
        "programs": ["/usr/bin/gcc", "/usr/bin/cc", "/usr/local/go/bin/go", "/bin/sh"],
        "tags": [{"match": r"(?P<version>1\.\d+)(?:\.\d+)?(?:-.*)?"}]}}
    model = build_model(parse(text.encode()), catalog=load_catalog(with_gcc))
    assert [f.line for f in cgo_binary_on_libc_free_base.check(model, None)] == [6]
    off = text.replace("RUN go build", "RUN CGO_ENABLED=0 go build")
    model = build_model(parse(off.encode()), catalog=load_catalog(with_gcc))
    assert list(cgo_binary_on_libc_free_base.check(model, None)) == []


def test_dsl508_message_names_an_out_of_scope_target_variable():
    text = ("FROM --platform=$BUILDPLATFORM golang:1.22 AS b\nARG TARGETARCH=amd64\n"
            "RUN CGO_ENABLED=0 GOARCH=${TARGETARCH} go build -o /a .\n"
            "FROM gcr.io/distroless/static-debian13\nCOPY --from=b /a /a\nENTRYPOINT [\"/a\"]\n")
    (finding,) = findings(text, "DSL508")
    assert finding.line == 3 and "`ARG TARGETARCH` with no default" in finding.message
