"""Image references, image facts, package sizes and suggestion targets (linter/images.py)."""

import pytest

from dockerslim_lint.images.catalog import (
    UNKNOWN,
    Catalog,
    ImageFacts,
    ImageRef,
    default_catalog,
    load_catalog,
)


@pytest.fixture(scope="module")
def cat():
    return default_catalog()


def facts(cat, text):
    return cat.facts(ImageRef.parse(text))


# ---------------------------------------------------------------- parsing and normalisation

@pytest.mark.parametrize("text", [
    "alpine", "library/alpine", "docker.io/alpine", "docker.io/library/alpine",
    "index.docker.io/library/alpine", "registry-1.docker.io/library/alpine",
    "registry.hub.docker.com/library/alpine", "mirror.gcr.io/library/alpine",
    "public.ecr.aws/docker/library/alpine", "amd64/alpine", "arm32v5/alpine", "arm32v6/alpine",
    "arm32v7/alpine", "arm64v8/alpine", "i386/alpine", "ppc64le/alpine", "s390x/alpine",
    "riscv64/alpine", "mips64le/alpine", "windows-amd64/alpine", "DOCKER.IO/library/alpine",
])
def test_names_of_the_same_image_normalise_to_one(text):
    ref = ImageRef.parse(text)
    assert ref.registry is None
    assert ref.repository == "alpine"
    assert ref.name == "alpine"
    assert not ref.unresolved


def test_arch_namespace_sets_platform_unless_given():
    assert ImageRef.parse("arm64v8/alpine:3.20").platform == "linux/arm64/v8"
    assert ImageRef.parse("arm64v8/alpine", platform="linux/amd64").platform == "linux/amd64"
    assert ImageRef.parse("alpine").platform is None


@pytest.mark.parametrize("text, registry, repository, tag, digest", [
    ("golang:1.22", None, "golang", "1.22", None),
    ("opensuse/leap:15.6", None, "opensuse/leap", "15.6", None),
    ("localhost:5000/team/app:1.0", "localhost:5000", "team/app", "1.0", None),
    ("localhost/app", "localhost", "app", None, None),
    ("myregistry.example.com:443/a/b/c:v2", "myregistry.example.com:443", "a/b/c", "v2", None),
    ("gcr.io/distroless/static-debian13:nonroot", "gcr.io", "distroless/static-debian13", "nonroot", None),
    ("ghcr.io/oracle/oraclelinux:9-slim", "ghcr.io", "oracle/oraclelinux", "9-slim", None),
    ("quay.io/centos/centos:stream9", "quay.io", "centos/centos", "stream9", None),
    ("registry.access.redhat.com/ubi9/ubi-minimal", "registry.access.redhat.com", "ubi9/ubi-minimal", None, None),
    ("mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled", "mcr.microsoft.com", "dotnet/aspnet", "8.0-noble-chiseled", None),
    ("public.ecr.aws/amazonlinux/amazonlinux:2023", "public.ecr.aws", "amazonlinux/amazonlinux", "2023", None),
    ("alpine@sha256:" + "a" * 64, None, "alpine", None, "sha256:" + "a" * 64),
    ("python:3.12-slim@sha256:" + "b" * 64, None, "python", "3.12-slim", "sha256:" + "b" * 64),
    ("someuser/golang", None, "someuser/golang", None, None),
    ("scratch", None, "scratch", None, None),
])
def test_parse_components(text, registry, repository, tag, digest):
    ref = ImageRef.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)
    assert ref.raw == text


def test_lookup_tag_defaults_to_latest_but_tag_stays_none():
    ref = ImageRef.parse("debian")
    assert ref.tag is None and ref.lookup_tag == "latest"


def test_scratch():
    assert ImageRef.parse("scratch").is_scratch
    assert not ImageRef.parse("docker.io/someone/scratch").is_scratch


@pytest.mark.parametrize("text", ["$BASE", "${BASE}:1.0", "golang:${GO_VERSION}", "$REGISTRY/app", "python:3.${MINOR}-slim"])
def test_variables_make_unresolved(text):
    ref = ImageRef.parse(text)
    assert ref.unresolved


@pytest.mark.parametrize("text", [
    "", "   ", "Alpine", "UPPER/case", "a//b", "alpine:", "alpine:bad tag", "alpine@sha256:xyz",
    ":tag", "/alpine", "alpine/", "foo bar", "-x", "registry.example.com/", None, 42, b"bytes",
    "alpine:" + "x" * 200, "a" * 5000, "\x00", "ex ample.com/a",
])
def test_garbage_never_raises_and_has_no_repository(text):
    ref = ImageRef.parse(text)
    assert isinstance(ref, ImageRef)
    if text not in (42,):
        assert ref.repository == "" or ref.unresolved


def test_canonical_round_trip():
    assert ImageRef.parse("docker.io/library/python:3.12-slim").canonical == "python:3.12-slim"
    assert ImageRef.parse("gcr.io/distroless/base-debian13").canonical == "gcr.io/distroless/base-debian13"


# ---------------------------------------------------------------- facts: every family

@pytest.mark.parametrize("text, family, kind", [
    ("scratch", "scratch", "scratch"),
    ("alpine:3.20", "alpine", "slim-runtime"),
    ("busybox", "busybox", "slim-runtime"),
    ("debian:bookworm", "debian", "full-os"),
    ("debian:bookworm-slim", "debian", "full-os"),
    ("debian:trixie-slim", "debian", "full-os"),
    ("ubuntu:24.04", "ubuntu", "full-os"),
    ("centos:7", "centos", "full-os"),
    ("quay.io/centos/centos:stream9", "centos", "full-os"),
    ("fedora:40", "fedora", "full-os"),
    ("rockylinux:9", "rockylinux", "full-os"),
    ("rockylinux:9-minimal", "rockylinux", "slim-runtime"),
    ("almalinux:9", "almalinux", "full-os"),
    ("almalinux:9-minimal", "almalinux", "slim-runtime"),
    ("almalinux/9-minimal", "almalinux-minimal", "slim-runtime"),
    ("amazonlinux:2023", "amazonlinux", "full-os"),
    ("opensuse/leap:15.6", "opensuse", "full-os"),
    ("opensuse/tumbleweed", "opensuse", "full-os"),
    ("oraclelinux:9", "oraclelinux", "full-os"),
    ("oraclelinux:9-slim", "oraclelinux", "full-os"),
    ("ghcr.io/oracle/oraclelinux:9-slim", "oraclelinux", "full-os"),
    ("archlinux", "archlinux", "full-os"),
    ("registry.access.redhat.com/ubi9/ubi", "ubi", "full-os"),
    ("registry.access.redhat.com/ubi9", "ubi", "full-os"),
    ("registry.access.redhat.com/ubi8/ubi-minimal", "ubi-minimal", "slim-runtime"),
    ("registry.access.redhat.com/ubi10/ubi-minimal", "ubi-minimal", "slim-runtime"),
    ("registry.access.redhat.com/ubi9/ubi-micro", "ubi-micro", "minimal"),
    ("redhat/ubi9-minimal", "ubi-minimal", "slim-runtime"),
    ("golang:1.22", "golang", "toolchain"),
    ("golang:1.22-alpine", "golang", "toolchain"),
    ("rust:1.80", "rust", "toolchain"),
    ("rust:1-slim", "rust", "toolchain"),
    ("rust:alpine", "rust", "toolchain"),
    ("gcc:14", "gcc", "toolchain"),
    ("maven:3.9-eclipse-temurin-17", "maven", "toolchain"),
    ("gradle:jdk21", "gradle", "toolchain"),
    ("openjdk:17-jdk-slim", "openjdk", "toolchain"),
    ("openjdk:11-jre-slim", "openjdk", "slim-runtime"),
    ("java:8", "java", "toolchain"),
    ("eclipse-temurin:21", "eclipse-temurin", "toolchain"),
    ("eclipse-temurin:21-jdk", "eclipse-temurin", "toolchain"),
    ("eclipse-temurin:21-jre", "eclipse-temurin", "slim-runtime"),
    ("eclipse-temurin:21-jre-alpine", "eclipse-temurin", "slim-runtime"),
    ("amazoncorretto:21", "amazoncorretto", "toolchain"),
    ("amazoncorretto:21-al2023-headless", "amazoncorretto", "slim-runtime"),
    ("node:20", "node", "toolchain"),
    ("node:20-slim", "node", "slim-runtime"),
    ("node:20-alpine", "node", "slim-runtime"),
    ("python:3.12", "python", "toolchain"),
    ("python:3.12-slim", "python", "slim-runtime"),
    ("python:3.12-alpine", "python", "slim-runtime"),
    ("ruby:3.3", "ruby", "toolchain"),
    ("ruby:3.3-slim", "ruby", "slim-runtime"),
    ("php:8.3-cli", "php", "toolchain"),
    ("php:8.3-fpm-alpine", "php", "slim-runtime"),
    ("buildpack-deps:bookworm", "buildpack-deps", "toolchain"),
    ("buildpack-deps:bookworm-curl", "buildpack-deps", "full-os"),
    ("buildpack-deps:bookworm-scm", "buildpack-deps", "full-os"),
    ("nginx:1.27", "nginx", "slim-runtime"),
    ("httpd:2.4", "httpd", "slim-runtime"),
    ("gcr.io/distroless/static-debian12", "distroless-static", "minimal"),
    ("gcr.io/distroless/static", "distroless-static", "minimal"),
    ("gcr.io/distroless/base-debian13", "distroless-base", "minimal"),
    ("gcr.io/distroless/base-nossl-debian13", "distroless-base-nossl", "minimal"),
    ("gcr.io/distroless/cc-debian13", "distroless-cc", "minimal"),
    ("gcr.io/distroless/python3-debian12", "distroless-python3", "minimal"),
    ("gcr.io/distroless/nodejs22-debian13", "distroless-nodejs", "minimal"),
    ("gcr.io/distroless/nodejs20-debian12", "distroless-nodejs", "minimal"),
    ("gcr.io/distroless/java21-debian13", "distroless-java", "minimal"),
    ("cgr.dev/chainguard/static", "chainguard-static", "minimal"),
    ("cgr.dev/chainguard/glibc-dynamic", "chainguard-glibc-dynamic", "minimal"),
    ("cgr.dev/chainguard/go", "chainguard-go", "toolchain"),
    ("cgr.dev/chainguard/python", "chainguard-python", "minimal"),
    ("cgr.dev/chainguard/node", "chainguard-node", "minimal"),
    ("cgr.dev/chainguard/jre", "chainguard-jre", "minimal"),
    ("chainguard/static", "chainguard-static", "minimal"),
    ("mcr.microsoft.com/dotnet/runtime-deps:8.0", "dotnet-runtime-deps", "slim-runtime"),
    ("mcr.microsoft.com/dotnet/runtime-deps:8.0-noble-chiseled", "dotnet-runtime-deps", "minimal"),
    ("mcr.microsoft.com/dotnet/runtime:8.0", "dotnet-runtime", "slim-runtime"),
    ("mcr.microsoft.com/dotnet/aspnet:8.0", "dotnet-aspnet", "slim-runtime"),
    ("mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled", "dotnet-aspnet", "minimal"),
    ("mcr.microsoft.com/dotnet/runtime:9.0-noble-chiseled-extra", "dotnet-runtime", "minimal"),
    ("mcr.microsoft.com/dotnet/sdk:8.0", "dotnet-sdk", "toolchain"),
    ("dhi.io/python:3.13", "dhi", "minimal"),
])
def test_family_and_kind(cat, text, family, kind):
    f = facts(cat, text)
    assert f is not None, text
    assert (f.family, f.kind) == (family, kind)


def test_docker_hub_spellings_find_the_same_facts(cat):
    base = facts(cat, "python:3.12-slim")
    for text in ("docker.io/library/python:3.12-slim", "mirror.gcr.io/library/python:3.12-slim",
                 "public.ecr.aws/docker/library/python:3.12-slim", "arm64v8/python:3.12-slim"):
        assert facts(cat, text) == base


@pytest.mark.parametrize("text, runtime, version", [
    ("golang:1.22", "go", "1.22"),
    ("golang:1.22.5-bookworm", "go", "1.22"),
    ("golang:alpine", "go", "1.27"),  # floating: dated fact (official-images, 2026-08-19)
    ("golang:1", "go", "1.27"),
    ("golang", "go", "1.27"),
    ("ruby:3", "ruby", "3.4"),
    ("ruby", "ruby", "4.0"),
    ("eclipse-temurin:latest", "java", "25"),
    ("python:3.12-slim", "python", "3.12"),
    ("python:3.12.4-slim-bookworm", "python", "3.12"),
    ("python:3", "python", None),  # moved to 3.15 after the dated facts: left unknown
    ("python:latest", "python", None),
    ("rust:1", "rust", None),
    ("node:20-alpine", "node", "20"),
    ("node:20.11.1-bookworm-slim", "node", "20"),
    ("node:iron", "node", "20"),
    ("node:lts", "node", None),  # moved from 24 to 26 after the dated facts: left unknown
    ("node:current", "node", None),
    ("node:krypton", "node", "24"),
    ("eclipse-temurin:21-jdk", "java", "21"),
    ("eclipse-temurin:17.0.11_9-jre-jammy", "java", "17"),
    ("eclipse-temurin:8u412-b08-jre", "java", "8"),
    ("maven:3.9-eclipse-temurin-17", "java", "17"),
    ("maven:3-amazoncorretto-21-alpine", "java", "21"),
    ("gradle:jdk21", "java", "21"),
    ("gradle:8.7.0-jdk17-jammy", "java", "17"),
    ("amazoncorretto:21", "java", "21"),
    ("mcr.microsoft.com/dotnet/sdk:8.0", "dotnet", "8.0"),
    ("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", "dotnet", "10.0"),
    ("gcr.io/distroless/python3-debian13", "python", "3.13"),
    ("gcr.io/distroless/python3-debian12", "python", "3.11"),
    ("gcr.io/distroless/python3", "python", "3.13"),
    ("gcr.io/distroless/nodejs22-debian13", "node", "22"),
    ("gcr.io/distroless/java21-debian13", "java", "21"),
    ("rust:1.80-slim", "rust", "1.80"),
    ("ruby:3.3-alpine", "ruby", "3.3"),
    ("php:8.3-apache", "php", "8.3"),
    ("dhi.io/node:22-dev", "node", "22"),
])
def test_runtime_and_version_from_the_tag(cat, text, runtime, version):
    f = facts(cat, text)
    assert (f.runtime, f.runtime_version) == (runtime, version)


def test_os_images_have_no_runtime(cat):
    for text in ("ubuntu", "debian:bookworm-slim", "alpine", "mcr.microsoft.com/dotnet/runtime-deps:8.0"):
        f = facts(cat, text)
        assert f.runtime is None and f.runtime_version is None


def test_distroless_tags(cat):
    latest = facts(cat, "gcr.io/distroless/static-debian13")
    assert latest.default_user == "root" and latest.shell is None and latest.has_shell is False
    assert latest.package_managers == () and not latest.debug and latest.libc is None
    nonroot = facts(cat, "gcr.io/distroless/static-debian13:nonroot")
    assert nonroot.default_user == "65532" and nonroot.shell is None and nonroot.runs_as_root is False
    debug = facts(cat, "gcr.io/distroless/static-debian13:debug")
    assert debug.shell == "/busybox/sh" and debug.debug and debug.default_user == "root"
    dn = facts(cat, "gcr.io/distroless/base-debian12:debug-nonroot")
    assert dn.shell == "/busybox/sh" and dn.debug and dn.default_user == "65532"
    arch = facts(cat, "gcr.io/distroless/cc-debian13:nonroot-arm64")
    assert arch.default_user == "65532" and not arch.debug
    odd = facts(cat, "gcr.io/distroless/static-debian13:some-old-tag")
    assert odd.default_user is None and "default_user" in odd.unknown
    assert facts(cat, "gcr.io/distroless/static-debian13:latest").runs_as_root is True


def test_distroless_runtime_entrypoints(cat):
    assert facts(cat, "gcr.io/distroless/nodejs22-debian13").entrypoint == ("/nodejs/bin/node",)
    assert facts(cat, "gcr.io/distroless/python3-debian13").entrypoint == ("/usr/bin/python3.13",)
    assert facts(cat, "gcr.io/distroless/python3-debian12").entrypoint == ("/usr/bin/python3.11",)
    assert facts(cat, "gcr.io/distroless/java21-debian13").entrypoint[0] == "/usr/bin/java"
    assert facts(cat, "gcr.io/distroless/static-debian13").entrypoint is None
    assert facts(cat, "gcr.io/distroless/base-debian13").libc == "glibc"


def test_chainguard(cat):
    static = facts(cat, "cgr.dev/chainguard/static:latest")
    assert static.default_user == "65532" and static.shell is None and not static.debug
    dev = facts(cat, "cgr.dev/chainguard/python:latest-dev")
    assert dev.debug and dev.shell == "/bin/sh" and "apk" in dev.package_managers
    assert facts(cat, "cgr.dev/chainguard/node:latest").default_user is None  # not verified: unknown


def test_dotnet_chiseled(cat):
    f = facts(cat, "mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled")
    assert f.default_user == "1654" and f.shell is None and f.package_managers == () and f.kind == "minimal"
    plain = facts(cat, "mcr.microsoft.com/dotnet/aspnet:8.0")
    assert plain.default_user == "root" and plain.shell == "/bin/sh" and plain.kind == "slim-runtime"
    alp = facts(cat, "mcr.microsoft.com/dotnet/runtime:8.0-alpine")
    assert alp.libc == "musl" and alp.package_managers == ("apk",)
    chis = facts(cat, "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled")
    assert chis.size_mb is None and chis.size_compressed_mb == pytest.approx(52.81)


def test_ubi_micro_shell_is_unknown(cat):
    f = facts(cat, "registry.access.redhat.com/ubi9/ubi-micro")
    assert f.shell == UNKNOWN and f.has_shell is None and "shell" in f.unknown
    assert f.package_managers == () and f.has_package_manager is False


def test_shells_package_managers_and_libc(cat):
    alpine = facts(cat, "alpine")
    assert alpine.shell == "/bin/sh" and alpine.package_managers == ("apk",) and alpine.libc == "musl"
    deb = facts(cat, "debian:bookworm-slim")
    assert deb.package_managers == ("apt", "dpkg") and deb.libc == "glibc" and deb.default_user == "root"
    py = facts(cat, "python:3.12-slim")
    assert "pip" in py.package_managers and py.cmd == ("python3",)
    node = facts(cat, "node:20")
    assert "npm" in node.package_managers and node.cmd == ("node",)
    assert facts(cat, "oraclelinux:9-slim").package_managers == ("microdnf", "rpm")
    assert facts(cat, "amazonlinux:2").package_managers == ("yum", "rpm")
    assert facts(cat, "scratch").shell is None and facts(cat, "scratch").default_user == "root"
    assert facts(cat, "golang:1.22-alpine").libc == "musl"
    openjdk = facts(cat, "openjdk:21")
    assert openjdk.has_package_manager is None  # depends on the base: unknown


def test_contents_are_described(cat):
    assert "Go toolchain" in facts(cat, "golang:1.22").contents
    assert facts(cat, "gcr.io/distroless/static-debian13").contents


def test_sizes_are_sourced(cat):
    for text, size in [("golang:1.27", 885.16), ("golang:1.27-alpine", 252.74), ("python:3.13", 1110),
                       ("python:3.13-slim", 118.06), ("python:3.13-alpine", 45.58),
                       ("debian:bookworm-slim", 74.83), ("ubuntu:24.04", 78.14), ("alpine", 8.42),
                       ("busybox", 4.45), ("node:22", 1220), ("node:22-slim", 231.41)]:
        f = facts(cat, text)
        assert f.size_mb == pytest.approx(size), text
        assert f.size_note, text
    # unsourced stays unknown rather than invented
    assert facts(cat, "ubuntu:22.04").size_mb is None
    assert facts(cat, "cgr.dev/chainguard/static").size_mb is None
    for text in ("gcr.io/distroless/static-debian13", "gcr.io/distroless/base-debian13",
                 "gcr.io/distroless/cc-debian13", "gcr.io/distroless/python3-debian13"):
        f = facts(cat, text)
        assert 0 < f.size_mb < 100 and "debpkg" in f.size_note


def test_every_size_figure_in_the_data_carries_a_note():
    from dockerslim_lint.images.catalog import _bundled_data
    families = _bundled_data()["families"]
    for fid, fam in families.items():
        entries = [fam] + [o for item in fam.get("tags", []) for o in (item if isinstance(item, list) else [item])]
        for entry in entries:
            for key in ("size_mb", "size_compressed_mb"):
                if entry.get(key):
                    assert entry.get("size_note"), (fid, entry)


def test_distroless_sizes_grow_with_contents(cat):
    sizes = [facts(cat, f"gcr.io/distroless/{n}-debian13").size_mb for n in ("static", "base-nossl", "base", "cc", "python3")]
    assert sizes == sorted(sizes)


@pytest.mark.parametrize("text", [
    "mycompany/golang", "mycorp/python:3.12", "registry.mycorp.example/base/python:3.12",
    "ghcr.io/someone/ubuntu", "$BASE", "${REGISTRY}/golang:1.22", "docker.io/bitnami/python:3.12",
    "unknown-private-base:1.0", "", "Not A Ref",
])
def test_unknown_and_derived_images_have_no_facts(cat, text):
    assert cat.facts(ImageRef.parse(text)) is None


def test_facts_accepts_text_and_none(cat):
    assert cat.facts("golang:1.22").family == "golang"
    assert cat.facts(None) is None


def test_facts_are_frozen(cat):
    f = facts(cat, "alpine")
    assert isinstance(f, ImageFacts)
    with pytest.raises(Exception):
        f.kind = "toolchain"


def test_lookup_is_fast(cat):
    refs = [ImageRef.parse(t) for t in ("golang:1.22", "python:3.12-slim", "gcr.io/distroless/static-debian13:nonroot",
                                        "mycorp/app:1", "node:20-alpine", "registry.access.redhat.com/ubi9/ubi-minimal")]
    fresh = load_catalog()
    # No timing assertion (bench/bench.py measures speed): distinct tags resolve each time,
    # and a repeated reference is answered from the cache (the very same object).
    uncached = [fresh.facts(ImageRef.parse(f"python:3.{i % 40}-slim-{i}")) for i in range(500)]
    assert all(f is not None and f.family == "python" for f in uncached)
    for r in refs:
        assert cat.facts(r) is cat.facts(r)


def test_default_catalog_is_cached():
    assert default_catalog() is default_catalog()


# ---------------------------------------------------------------- package sizes

def test_package_sizes_apt(cat):
    go_rec = cat.package_size_mb("apt", "golang-go", recommends=True)
    go = cat.package_size_mb("apt", "golang-go")
    assert go == pytest.approx(464.3, abs=0.2)
    assert go_rec == pytest.approx(790.1, abs=0.2)
    assert cat.package_size_mb("apt-get", "golang-go=2:1.19~1") == go
    assert cat.package_size_mb("apt", "golang-go:amd64") == go
    for pkg in ("build-essential", "gcc", "g++", "default-jdk", "nodejs", "npm", "python3-dev",
                "python3", "git", "curl", "wget", "make"):
        assert cat.package_size_mb("apt", pkg) > 0, pkg
        assert cat.package_size_mb("apt", pkg, recommends=True) >= cat.package_size_mb("apt", pkg)
    assert cat.package_size_mb("apt", "no-such-package") is None
    assert cat.package_size_mb("yum", "gcc") is None
    assert cat.package_size_mb("apt", "bash") == 0  # already in the base


def test_seed_estimate_lands_near_the_real_image(cat):
    # The seed: FROM ubuntu, apt-get install -y golang-go (with recommends); the real image is 861 MB.
    for base in ("ubuntu", "ubuntu:24.04"):
        estimate = facts(cat, base).size_mb + cat.package_size_mb("apt", "golang-go", recommends=True)
        assert abs(estimate - 861) / 861 < 0.05, (base, estimate)


def test_package_sizes_apk(cat):
    assert cat.package_size_mb("apk", "gcc") == pytest.approx(188, abs=1)
    assert cat.package_size_mb("apk", "build-base") is None  # not sourced: left out


def test_union_of_packages_counts_shared_dependencies_once(cat):
    total, unknown = cat.packages_size_mb("apt", ["build-essential", "gcc", "g++"])
    assert unknown == ()
    assert total == pytest.approx(cat.package_size_mb("apt", "build-essential"), abs=0.2)
    total, unknown = cat.packages_size_mb("apt", ["git", "made-up-pkg"])
    assert unknown == ("made-up-pkg",)
    assert total == cat.package_size_mb("apt", "git")
    assert cat.packages_size_mb("pacman", ["gcc"]) == (0.0, ("gcc",))
    assert cat.package_source("apt")["date"]


# ---------------------------------------------------------------- extend / override

def test_extend_adds_a_private_base():
    c = load_catalog({"mycorp-python": {
        "names": ["registry.mycorp.example/base/python"],
        "kind": "slim-runtime", "shell": "/bin/sh", "package_managers": ["apt", "pip"],
        "default_user": 10001, "runtime": "python",
        "tags": [{"match": r"(?P<version>3\.\d+).*"}],
    }})
    f = c.facts("registry.mycorp.example/base/python:3.12-v4")
    assert f.family == "mycorp-python" and f.runtime_version == "3.12" and f.default_user == "10001"
    assert f.extra.get("user_entry") is True
    assert default_catalog().facts("registry.mycorp.example/base/python:3.12") is None  # shared default untouched


def test_user_entries_win_over_bundled_ones():
    c = load_catalog()
    c.extend({"families": {"our-golang": {"names": ["docker.io/library/golang"], "kind": "slim-runtime",
                                          "size_mb": 1, "size_note": "ours"}}})
    assert c.facts("golang:1.22").family == "our-golang"
    c.extend({"golang": {"names": ["golang"], "kind": "toolchain", "tag": "1\\.2.*"}})
    assert c.facts("golang:1.22").family == "golang"  # newest entry claiming the name wins...
    assert c.facts("golang:1.18").family == "our-golang"  # ...only for the tags it matches


def test_user_pattern_beats_bundled_exact_name():
    c = load_catalog({"our-debians": {"name_patterns": ["debian"], "kind": "minimal", "tag": "ours-.*"}})
    assert c.facts("debian:ours-1").family == "our-debians"
    assert c.facts("debian:bookworm").family == "debian"


def test_extend_replaces_family_with_same_id_and_list_form():
    c = load_catalog([{"id": "alpine", "names": ["alpine"], "kind": "minimal", "shell": None}])
    f = c.facts("alpine:3.20")
    assert f.kind == "minimal" and f.shell is None and f.size_mb is None


def test_copy_is_independent():
    c = default_catalog().copy()
    c.extend({"x": {"names": ["mycorp/x"], "kind": "minimal"}})
    assert c.facts("mycorp/x") is not None and default_catalog().facts("mycorp/x") is None


def test_extend_packages():
    c = load_catalog({"packages": {"apt": {"closures": {"mytool": {"depends": ["mytool"]}},
                                           "installed_kib": {"mytool": 1000}}}})
    assert c.package_size_mb("apt", "mytool") == pytest.approx(1.0, abs=0.05)
    assert c.package_size_mb("apt", "golang-go") == default_catalog().package_size_mb("apt", "golang-go")


@pytest.mark.parametrize("entry, message", [
    ({"bad": {"kind": "minimal"}}, "needs names"),
    ({"bad": {"names": ["x/y"], "kind": "tiny"}}, "kind must be one of"),
    ({"bad": {"names": ["x/y"]}}, "kind is required"),
    ({"bad": {"names": ["x/y"], "kind": "minimal", "shel": "/bin/sh"}}, "unknown field 'shel'"),
    ({"bad": {"names": ["x/y"], "kind": "minimal", "shell": "sh"}}, "absolute path"),
    ({"bad": {"names": ["x/y"], "kind": "minimal", "size_mb": "big"}}, "size_mb"),
    ({"bad": {"names": ["x/y"], "kind": "minimal", "runtime_version": 3.10}}, "quote it"),
    ({"bad": {"names": ["x/y"], "kind": "minimal", "libc": "bionic"}}, "libc"),
    ({"bad": {"names": ["x/y:1.0"], "kind": "minimal"}}, "not an image name"),
    ({"bad": {"names": ["x/y"], "name_patterns": ["("], "kind": "minimal"}}, "not a valid regular expression"),
    ({"bad": {"names": ["x/y"], "kind": "minimal", "tags": [{"match": "[", "kind": "minimal"}]}}, "tags[0]"),
    ({"bad": {"names": ["x/y"], "kind": "minimal", "tags": [{"kind": "minimal"}]}}, "needs `match`"),
    ({"bad": {"names": ["x/y"], "kind": "minimal", "entrypoint": [1, 2]}}, "exec form"),
    ({"bad": "not a mapping"}, "must be a mapping"),
    ({"families": ["x"]}, "families"),
    ({"packages": {"apt": {"closures": {"p": {"depends": ["q"]}}, "installed_kib": {}}}}, "without installed_kib"),
    ("just text", "must be a mapping"),
])
def test_extend_rejects_bad_entries_clearly(entry, message):
    c = load_catalog()
    with pytest.raises(ValueError) as info:
        c.extend(entry)
    assert message in str(info.value)
    assert c.facts("golang:1.22").family == "golang"  # a rejected entry changes nothing


def test_catalog_from_yaml_text():
    c = Catalog.from_yaml("families:\n  tiny:\n    names: [tiny]\n    kind: minimal\n    shell: null\n")
    assert c.facts("tiny").kind == "minimal"


# ---------------------------------------------------------------- suggestion targets

def test_replacement_go(cat):
    static = cat.replacement("distroless", runtime="go", linkage="static")
    assert static.image == "gcr.io/distroless/static-debian13:nonroot" and static.size_mb < 5
    dynamic = cat.replacement("distroless", runtime="go")
    assert dynamic.image == "gcr.io/distroless/base-debian13:nonroot"
    assert "CGO_ENABLED=0" in dynamic.note
    assert cat.replacement(runtime="golang", linkage="dynamic").image == dynamic.image


def test_replacement_rust_and_c(cat):
    assert cat.replacement(runtime="rust").image == "gcr.io/distroless/cc-debian13:nonroot"
    assert cat.replacement(runtime="rust", linkage="static").image == "gcr.io/distroless/static-debian13:nonroot"
    assert cat.replacement(runtime="c").image == "gcr.io/distroless/base-debian13:nonroot"
    assert cat.replacement(runtime="c++").image == "gcr.io/distroless/cc-debian13:nonroot"
    assert cat.replacement(runtime="c", linkage="musl") is None  # no musl runtime in distroless


def test_replacement_python(cat):
    r = cat.replacement(runtime="python", version="3.13")
    assert r.image == "gcr.io/distroless/python3-debian13:nonroot" and r.exact and not r.fallback
    assert r.entrypoint == ("/usr/bin/python3.13",) and r.default_user == "65532"
    other = cat.replacement(runtime="python", version="3.12.4")
    assert other.image == "python:3.12-slim" and other.fallback and other.exact
    assert "3.13" in other.note and other.size_mb == pytest.approx(118.06)


def test_replacement_node_nearest(cat):
    r = cat.replacement(runtime="node", version="22")
    assert r.image == "gcr.io/distroless/nodejs22-debian13:nonroot" and r.exact
    near = cat.replacement(runtime="nodejs", version="20.11.1")
    assert near.image == "gcr.io/distroless/nodejs22-debian13:nonroot" and near.exact is False
    assert "nearest" in near.note and near.requested_version == "20"
    assert cat.replacement(runtime="node", version="25").image.startswith("gcr.io/distroless/nodejs26")
    unknown = cat.replacement(runtime="node")
    assert unknown.exact is None and "not known" in unknown.note


def test_replacement_java(cat):
    assert cat.replacement(runtime="java", version="21").image == "gcr.io/distroless/java21-debian13:nonroot"
    assert cat.replacement(runtime="java", version="1.8").image == "gcr.io/distroless/java17-debian13:nonroot"
    r = cat.replacement(runtime="kotlin", version="11")
    assert r.exact is False and r.version == "17"


def test_replacement_dotnet(cat):
    web = cat.replacement(runtime="dotnet", version="8.0")
    assert web.image == "mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled"
    assert web.default_user == "1654"
    assert cat.replacement(runtime="dotnet", version="8", flavor="console").image == \
        "mcr.microsoft.com/dotnet/runtime:8.0-noble-chiseled"
    assert cat.replacement(runtime=".net", version="10.0", flavor="self-contained").image == \
        "mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled"
    assert cat.replacement(runtime="dotnet", version="6.0") is None
    assert cat.replacement("chainguard", runtime="dotnet", version="8.0").image.endswith("aspnet:8.0-noble-chiseled")


def test_replacement_unknown_runtime_is_a_guess(cat):
    r = cat.replacement()
    assert r.image == "gcr.io/distroless/base-debian13:nonroot" and r.guess
    assert cat.replacement(runtime="erlang") is None


def test_replacement_chainguard(cat):
    assert "chainguard" in cat.replacement_families() and "distroless" in cat.replacement_families()
    r = cat.replacement("chainguard", runtime="python", version="3.12")
    assert r.image == "cgr.dev/chainguard/python:latest" and r.exact is None and "digest" in r.note
    assert cat.replacement("chainguard", runtime="go", linkage="static").image == "cgr.dev/chainguard/static:latest"
    assert cat.replacement("nosuchfamily", runtime="go") is None


def test_replacement_images_are_known_minimal_images(cat):
    for kwargs in ({"runtime": "go", "linkage": "static"}, {"runtime": "go"}, {"runtime": "rust"},
                   {"runtime": "python", "version": "3.13"}, {"runtime": "node", "version": "24"},
                   {"runtime": "java", "version": "25"}, {"runtime": "dotnet", "version": "9.0"}):
        r = cat.replacement(**kwargs)
        assert r.facts is not None and r.facts.is_minimal and r.facts.has_shell is False, kwargs
        assert r.facts.runs_as_root is False, kwargs


# ---------------------------------------------------------------- operating system facts (schema)

def test_os_facts_are_none_when_not_known():
    c = load_catalog({"bare": {"names": ["example.com/bare"], "kind": "minimal"}})
    f = c.facts("example.com/bare:1")
    assert (f.distro, f.distro_release, f.glibc_version, f.programs, f.python_path, f.workdir,
            f.path_env) == (None,) * 7
    assert f.has_program("/bin/sh") is None and f.has_program("sh") is None


@pytest.mark.parametrize("distro, release, glibc", [
    ("debian", "11", "2.31"), ("debian", "12", "2.36"), ("debian", "13", "2.41"),
    ("debian", "bookworm", "2.36"), ("debian", "trixie", "2.41"), ("debian", "12.5", "2.36"),
    ("Debian", 13, "2.41"),
    ("debian", "42", None), ("plan9", "4", None), (None, "12", None), ("debian", None, None),
])
def test_glibc_version_of(cat, distro, release, glibc):
    assert cat.glibc_version_of(distro, release) == glibc


def test_distro_release_of_codenames_and_point_releases(cat):
    assert cat.distro_release_of("debian", "trixie") == "13"
    assert cat.distro_release_of("debian", "12.11") == "12"
    assert cat.distro_release_of("debian", "hurd") is None


def test_glibc_version_follows_the_distribution_release_only_for_glibc_images(cat):
    assert facts(cat, "gcr.io/distroless/base-debian12").glibc_version == "2.36"
    assert facts(cat, "gcr.io/distroless/cc-debian13:nonroot").glibc_version == "2.41"
    static = facts(cat, "gcr.io/distroless/static-debian13")
    assert (static.distro, static.distro_release, static.glibc_version) == ("debian", "13", None)


def _os_catalog(**fields):
    entry = {"names": ["example.com/os"], "kind": "minimal", "libc": "glibc"}
    entry.update(fields)
    return load_catalog({
        "program_sets": {"tools": {"programs": ["/bin/sh", "/usr/bin/env"], "source": "test", "date": "2026-11-30"},
                         "more": {"programs": ["@tools", "/usr/local/bin/app"]}},
        "families": {"os": entry},
    })


def test_programs_expand_sets_and_merged_usr():
    c = _os_catalog(distro="debian", distro_release="bookworm", programs=["@more", "/sbin/init"])
    f = c.facts("example.com/os")
    assert f.distro_release == "12"  # the codename as its release number
    assert f.glibc_version == "2.36"
    assert isinstance(f.programs, frozenset)
    # Debian 12 is merged-/usr: /bin/sh and /usr/bin/sh are one file, as are /sbin and /usr/sbin
    assert {"/bin/sh", "/usr/bin/sh", "/usr/bin/env", "/bin/env", "/usr/local/bin/app",
            "/sbin/init", "/usr/sbin/init"} <= f.programs
    assert "/usr/bin/init" not in f.programs  # /usr/sbin is not /usr/bin
    assert c.program_set("tools") == frozenset({"/bin/sh", "/usr/bin/env"})
    assert c.program_set("nope") is None


def test_programs_not_merged_without_a_merged_usr_release():
    c = _os_catalog(distro="debian", distro_release="11", programs=["/bin/sh"])
    assert c.facts("example.com/os").programs == frozenset({"/bin/sh"})
    c = _os_catalog(programs=[])
    assert c.facts("example.com/os").programs == frozenset()


def test_has_program_looks_up_bare_names_in_path():
    c = _os_catalog(programs=["/usr/bin/env", "/usr/local/bin/python3"], path_env="/usr/local/bin:/usr/bin")
    f = c.facts("example.com/os")
    assert f.has_program("python3") is True
    assert f.has_program("curl") is False
    assert f.has_program("/usr/bin/env") is True
    assert f.has_program("env", path_env="/usr/sbin") is False  # the Dockerfile's own ENV PATH
    assert f.has_program("env", path_env="/opt/bin") is None  # a folder the list does not cover
    assert f.has_program("/opt/tool/run") is None
    assert f.has_program("/usr/local/bin/pip") is False  # a standard folder: the list is complete
    assert f.has_program("./run.sh") is None
    g = _os_catalog(programs=["/bin/sh"]).facts("example.com/os")
    assert g.has_program("sh") is None  # PATH unknown
    assert g.has_program("/bin/sh") is True


def test_explicit_glibc_version_and_unknown_win():
    c = _os_catalog(distro="debian", distro_release="12", glibc_version="2.28")
    assert c.facts("example.com/os").glibc_version == "2.28"
    c = _os_catalog(distro="debian", distro_release="12", glibc_version="unknown")
    f = c.facts("example.com/os")
    assert f.glibc_version is None and "glibc_version" in f.unknown


def test_release_named_group_sets_distro_release():
    c = load_catalog({"acme": {"names": ["example.com/acme"], "kind": "slim-runtime", "libc": "glibc",
                               "distro": "debian",
                               "tags": [{"match": r".*-(?P<release>bookworm|trixie)"}]}})
    assert c.facts("example.com/acme:1.0-trixie").glibc_version == "2.41"
    assert c.facts("example.com/acme:1.0-bookworm").distro_release == "12"
    assert c.facts("example.com/acme:1.0").distro_release is None


def test_user_distributions_extend_and_share():
    c = load_catalog({"distributions": {
        "acmeos": {"releases": {"1": {"glibc": "2.39", "codename": "anvil"}}},
        "acmeos-lite": {"same_as": "acmeos"},
        "debian": {"releases": {"14": {"codename": "forky", "glibc": "2.42"}}},
    }})
    assert c.glibc_version_of("acmeos-lite", "anvil") == "2.39"
    assert c.glibc_version_of("debian", "forky") == "2.42"
    assert c.glibc_version_of("debian", "bookworm") == "2.36"  # bundled releases stay
    assert default_catalog().glibc_version_of("debian", "forky") is None


@pytest.mark.parametrize("entry, message", [
    ({"families": {"bad": {"names": ["x/y"], "kind": "minimal", "programs": ["bin/sh"]}}}, "absolute path"),
    ({"families": {"bad": {"names": ["x/y"], "kind": "minimal", "programs": ["@nope"]}}}, "no program set named '@nope'"),
    ({"families": {"bad": {"names": ["x/y"], "kind": "minimal", "glibc_version": "2"}}}, "glibc_version"),
    ({"families": {"bad": {"names": ["x/y"], "kind": "minimal", "glibc_version": 2.36}}}, "quote it"),
    ({"families": {"bad": {"names": ["x/y"], "kind": "minimal", "path_env": "bin:/usr/bin"}}}, "path_env"),
    ({"families": {"bad": {"names": ["x/y"], "kind": "minimal", "workdir": "app"}}}, "workdir"),
    ({"families": {"bad": {"names": ["x/y"], "kind": "minimal", "python_path": "python3"}}}, "python_path"),
    ({"families": {"bad": {"names": ["x/y"], "kind": "minimal", "distro": "Debian OS"}}}, "distro"),
    ({"distributions": {"acme": {"releases": {"1": {"glibc": "new"}}}}}, "distributions.acme.releases.1"),
    ({"distributions": {"acme": {"releses": {}}}}, "unknown field 'releses'"),
    ({"program_sets": {"s": {"programs": ["@s2"]}}}, "no program set named '@s2'"),
    ({"program_sets": {"s": ["/bin/sh"]}}, "program_sets.s"),
])
def test_os_fields_are_validated(entry, message):
    c = load_catalog()
    with pytest.raises(ValueError) as info:
        c.extend(entry)
    assert message in str(info.value)
    assert c.glibc_version_of("debian", "12") == "2.36"


# ---------------------------------------------------------------- which release a tag is built on

@pytest.mark.parametrize("text, distro, release, glibc", [
    # explicit suffixes
    ("golang:1.22-bookworm", "debian", "12", "2.36"),
    ("python:3.12-slim-trixie", "debian", "13", "2.41"),
    ("python:3.13-slim-bookworm", "debian", "12", "2.36"),
    ("node:18-bullseye-slim", "debian", "11", "2.31"),
    ("rust:1.80-slim-bookworm", "debian", "12", "2.36"),
    ("eclipse-temurin:17-jdk-jammy", "ubuntu", "22.04", "2.35"),
    ("eclipse-temurin:21-jre-noble", "ubuntu", "24.04", "2.39"),
    ("python:3.11-alpine3.19", "alpine", "3.19", None),
    ("golang:1.22-alpine", "alpine", None, None),
    # unsuffixed tags: the release they were (last) built on, from the official-images history
    ("golang:1.23", "debian", "12", "2.36"),  # frozen: last built 2025-08-10, on bookworm
    ("golang:1.24", "debian", "13", "2.41"),  # moved to trixie 2025-08-12, then frozen
    ("golang:1.24.3", "debian", "12", "2.36"),  # a patch tag from before the move
    ("golang:1.24.9", "debian", "13", "2.41"),
    ("golang:1.19", "debian", "12", "2.36"),
    ("golang:1.16", "debian", "11", "2.31"),
    ("golang:1.27", "debian", "13", "2.41"),
    ("golang:1.27.3", "debian", "13", "2.41"),  # a later patch of a line built on trixie
    ("golang", "debian", "13", "2.41"),
    ("python:3.8", "debian", "12", "2.36"),
    ("python:3.12-slim", "debian", "13", "2.41"),
    ("python:3", "debian", "13", "2.41"),
    ("node:20", "debian", "12", "2.36"),
    ("node:22-slim", "debian", "12", "2.36"),  # Node 22 and 24 stayed on bookworm
    ("node:16", "debian", "10", "2.28"),
    ("node:26", "debian", "13", "2.41"),
    ("rust:1.75", "debian", "12", "2.36"),
    ("rust:1", "debian", "13", "2.41"),
    ("ruby:3.3", "debian", "13", "2.41"),
    ("eclipse-temurin:21-jre", "ubuntu", "26.04", "2.43"),
    ("eclipse-temurin:19", "ubuntu", "22.04", "2.35"),
])
def test_release_of_tags(cat, text, distro, release, glibc):
    f = facts(cat, text)
    assert (f.distro, f.distro_release, f.glibc_version) == (distro, release, glibc), text


@pytest.mark.parametrize("text", ["golang:1.28", "node:lts", "node:current", "node:latest", "golang:1.24.99",
                                  "php:8.3", "python:3.16"])
def test_release_is_unknown_without_a_dated_fact(cat, text):
    assert facts(cat, text).distro_release is None


def test_exact_tags_and_version_lines_in_user_entries():
    c = load_catalog({"acme": {"names": ["example.com/acme"], "kind": "slim-runtime", "libc": "glibc",
                               "distro": "debian", "tags": [
                                   {"version_lines": {"": ["2.1"], "-slim": ["2.1", "2.2"]}, "distro_release": "12"},
                                   {"exact_tags": ["stable"], "distro_release": "13"}]}})
    assert c.facts("example.com/acme:2.1.7").distro_release == "12"
    assert c.facts("example.com/acme:2.2-slim").distro_release == "12"
    assert c.facts("example.com/acme:2.2").distro_release is None
    assert c.facts("example.com/acme:2.10").distro_release is None
    assert c.facts("example.com/acme:stable").glibc_version == "2.41"
    with pytest.raises(ValueError, match="version_lines"):
        load_catalog({"bad": {"names": ["x/y"], "kind": "minimal", "tags": [{"version_lines": {"": [2.1]}}]}})
    with pytest.raises(ValueError, match="exact_tags"):
        load_catalog({"bad": {"names": ["x/y"], "kind": "minimal", "tags": [{"exact_tags": "1.0"}]}})


def test_bundled_exact_tags_and_version_lines_are_well_formed():
    from dockerslim_lint.images import catalog as images
    for fam in images.Catalog(images._bundled_data())._families.values():
        for o in fam.overlays:
            if o.exact is not None:
                assert isinstance(o.exact, list) and all(isinstance(t, str) and t for t in o.exact), fam.id
            if o.lines is not None:
                assert all(isinstance(k, str) and all(isinstance(v, str) for v in ls) for k, ls in o.lines.items()), fam.id


# ---------------------------------------------------------------- minimal images: user, WORKDIR, PATH, programs

@pytest.mark.parametrize("text, user, workdir, entrypoint", [
    ("gcr.io/distroless/static-debian13", "root", "/", None),
    ("gcr.io/distroless/static-debian13:nonroot", "65532", "/home/nonroot", None),
    # the build files set ENTRYPOINT ["/busybox/sh"] on :debug; not recorded yet (docs/catalog.md)
    ("gcr.io/distroless/static-debian13:debug", "root", "/", None),
    ("gcr.io/distroless/base-debian12:debug-nonroot", "65532", "/home/nonroot", None),
    ("gcr.io/distroless/cc-debian13:debug", "root", "/", None),
    ("gcr.io/distroless/python3-debian13:nonroot", "65532", "/home/nonroot", ("/usr/bin/python3.13",)),
    ("gcr.io/distroless/python3-debian13:debug", "root", "/", ("/usr/bin/python3.13",)),
    ("gcr.io/distroless/nodejs24-debian13:debug", "root", "/", ("/nodejs/bin/node",)),
    ("gcr.io/distroless/java21-debian13:nonroot", "65532", "/home/nonroot", ("/usr/bin/java", "-jar")),
])
def test_distroless_user_workdir_entrypoint(cat, text, user, workdir, entrypoint):
    f = facts(cat, text)
    assert (f.default_user, f.workdir, f.entrypoint) == (user, workdir, entrypoint)
    assert f.path_env.startswith("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    assert f.path_env.endswith(":/busybox") == f.debug


def test_distroless_unknown_tag_has_unknown_user_and_workdir(cat):
    f = facts(cat, "gcr.io/distroless/static-debian13:v1")
    assert (f.default_user, f.workdir, f.path_env) == (None, None, None)


@pytest.mark.parametrize("text, present, absent", [
    ("gcr.io/distroless/static-debian13", [], ["sh", "/bin/sh", "curl", "wget", "/usr/bin/env"]),
    ("gcr.io/distroless/base-debian13:nonroot", [], ["sh", "bash", "ldd"]),
    ("gcr.io/distroless/static-debian13:debug", ["/busybox/sh", "sh", "wget", "/busybox/wget"], ["curl", "bash"]),
    ("gcr.io/distroless/python3-debian13", ["python3", "python", "/usr/bin/python3.13", "/bin/python3", "ldd"],
     ["sh", "pip", "curl", "/usr/local/bin/python3"]),
    ("gcr.io/distroless/nodejs22-debian13", ["/nodejs/bin/node"], ["node", "npm", "/nodejs/bin/npm", "sh"]),
    ("gcr.io/distroless/java21-debian13", ["java", "/usr/bin/java"], ["sh", "curl"]),
    ("scratch", [], ["sh", "/bin/sh", "curl"]),
])
def test_distroless_programs(cat, text, present, absent):
    f = facts(cat, text)
    for program in present:
        assert f.has_program(program) is True, (text, program)
    for program in absent:
        assert f.has_program(program) is False, (text, program)


def test_distroless_programs_unknown_where_not_sourced(cat):
    assert facts(cat, "gcr.io/distroless/python3-debian12").programs is None
    java = facts(cat, "gcr.io/distroless/java21-debian13")
    assert java.has_program("/usr/lib/jvm/temurin-21-jre-amd64/bin/keytool") is None  # JRE folder not listed


def test_distroless_python_paths(cat):
    f = facts(cat, "gcr.io/distroless/python3-debian13")
    assert f.python_path == "/usr/bin/python3" and f.has_program(f.python_path)
    assert f.runtime_version == "3.13"


def test_os_facts_from_a_config_file(tmp_path):
    from dockerslim_lint import config as config_module
    path = tmp_path / ".dockerslim-lint.yaml"
    path.write_text("""images:
  program_sets:
    acme-tools: {programs: [/usr/bin/tini]}
  acme-runtime:
    names: [registry.example.com/platform/runtime]
    kind: minimal
    libc: glibc
    distro: acmeos
    distro_release: anvil
    programs: ["/usr/local/bin/app", "@acme-tools"]
    workdir: /srv
    path_env: "/usr/local/bin:/usr/bin:/bin"
  distributions:
    acmeos:
      releases:
        "1": {codename: anvil, glibc: "2.39"}
""")
    f = config_module.load(str(path)).catalog().facts("registry.example.com/platform/runtime:1")
    assert (f.distro_release, f.glibc_version, f.workdir) == ("1", "2.39", "/srv")
    assert f.has_program("tini") is True and f.has_program("sh") is False


def test_catalog_data_and_docs_cite_no_file_users_lack():
    import pathlib
    from dockerslim_lint.images import catalog as images
    docs = pathlib.Path(images._data_path("catalog.yaml")).parents[2] / "docs" / "catalog.md"
    for text in (images._bundled_text(), docs.read_text(encoding="utf-8")):
        for word in ("IMAGE-FACTS", "shared/spec", "RULES.md"):
            assert word not in text


@pytest.mark.parametrize("text, distro, release, glibc", [
    ("debian", "debian", "13", "2.41"),
    ("debian:stable-slim", "debian", "13", "2.41"),
    ("debian:oldstable", "debian", "12", "2.36"),
    ("debian:12.5-slim", "debian", "12", "2.36"),
    ("debian:bullseye", "debian", "11", "2.31"),
    ("debian:sid", "debian", None, None),
    ("ubuntu", "ubuntu", "26.04", "2.43"),
    ("ubuntu:22.04", "ubuntu", "22.04", "2.35"),
    ("ubuntu:noble-20240101", "ubuntu", "24.04", "2.39"),
    ("ubuntu:18.04", "ubuntu", "18.04", "2.27"),
    ("ubuntu:rolling", "ubuntu", None, None),
    ("registry.access.redhat.com/ubi9/ubi-minimal", "ubi", "9", "2.34"),
    ("registry.access.redhat.com/ubi8", "ubi", "8", "2.28"),
    ("redhat/ubi9-micro", "ubi", "9", "2.34"),
    ("centos:7", "centos", "7", "2.17"),
    ("quay.io/centos/centos:stream9", "centos", "9", "2.34"),
    ("rockylinux:9-minimal", "rockylinux", "9", "2.34"),
    ("oraclelinux:8-slim", "oraclelinux", "8", "2.28"),
    ("amazonlinux:2", "amazonlinux", "2", "2.26"),
    ("amazonlinux", "amazonlinux", "2023", "2.34"),
    ("mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled", "ubuntu", "24.04", "2.39"),
    ("mcr.microsoft.com/dotnet/runtime:9.0-bookworm-slim", "debian", "12", "2.36"),
    ("alpine:3.20", None, None, None),
])
def test_release_of_base_images(cat, text, distro, release, glibc):
    f = facts(cat, text)
    assert (f.distro, f.distro_release, f.glibc_version) == (distro, release, glibc), text


def test_ubi7_has_yum_not_dnf(cat):
    assert facts(cat, "registry.access.redhat.com/ubi7").package_managers == ("yum", "rpm")
    assert facts(cat, "registry.access.redhat.com/ubi7/ubi:7.9").package_managers == ("yum", "rpm")
    assert "dnf" in facts(cat, "registry.access.redhat.com/ubi9").package_managers


@pytest.mark.parametrize("text", ["debian:trixie-slim", "debian:bookworm", "debian"])
def test_debian_programs(cat, text):
    f = facts(cat, text)
    for program in ("sh", "bash", "/bin/sh", "/usr/bin/sh", "/bin/bash", "env", "tar", "gzip", "grep", "sed",
                    "awk", "which", "perl", "apt-get", "dpkg", "ldd", "id", "sleep"):
        assert f.has_program(program) is True, (text, program)
    for program in ("curl", "wget", "ps", "less", "python3", "git", "/usr/local/bin/node"):
        assert f.has_program(program) is False, (text, program)


def test_program_sets_carry_source_and_date():
    from dockerslim_lint.images import catalog as images
    data = images._bundled_data()
    for name, body in data["program_sets"].items():
        assert body.get("source") and body.get("date"), name
    for name, body in data["distributions"].items():
        if "same_as" in body:
            continue
        assert body.get("source") or all(r.get("source") or r.get("note") for r in body["releases"].values()), name


@pytest.mark.parametrize("text, user, entrypoint, cmd, programs", [
    # ENTRYPOINT ["/usr/bin/dotnet"], CMD ["--info"] in their Dockerfiles: recorded as unknown for now
    ("mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled", "1654", None, None, {"/usr/bin/dotnet"}),
    ("mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled-extra", "1654", None, None, {"/usr/bin/dotnet"}),
    ("mcr.microsoft.com/dotnet/runtime-deps:8.0-noble-chiseled", "1654", None, None, set()),
    ("cgr.dev/chainguard/static", "65532", None, None, set()),
])
def test_chiseled_and_chainguard_defaults(cat, text, user, entrypoint, cmd, programs):
    f = facts(cat, text)
    assert (f.default_user, f.entrypoint, f.cmd) == (user, entrypoint, cmd)
    if "dotnet/aspnet" in text or "dotnet/runtime:" in text:
        assert "entrypoint" in f.unknown and "cmd" in f.unknown
    assert f.programs == frozenset(programs)
    assert f.has_program("/bin/sh") is False


def test_programs_unknown_where_not_sourced(cat):
    for text in ("alpine:3.20", "python:3.12-slim", "node:22-alpine", "cgr.dev/chainguard/static:latest-dev",
                 "registry.access.redhat.com/ubi9/ubi-micro", "ubuntu:24.04", "debian:bullseye"):
        assert facts(cat, text).programs is None, text


@pytest.mark.parametrize("text, python_path, workdir, path_start", [
    ("python:3.12-slim", "/usr/local/bin/python3", "/", "/usr/local/bin:"),
    ("python:3.11-alpine3.19", "/usr/local/bin/python3", "/", "/usr/local/bin:"),
    ("rust:1.80-slim", None, None, "/usr/local/cargo/bin:"),
    ("eclipse-temurin:21-jre", None, None, "/opt/java/openjdk/bin:"),
    ("gcr.io/distroless/python3-debian13", "/usr/bin/python3", "/", "/usr/local/sbin:"),
])
def test_language_image_paths(cat, text, python_path, workdir, path_start):
    f = facts(cat, text)
    assert (f.python_path, f.workdir) == (python_path, workdir)
    assert f.path_env.startswith(path_start) and f.path_env.endswith("/usr/bin:/sbin:/bin")


def test_distro_python3(cat):
    assert cat.distro_python3("debian", "12") == ("3.11", "/usr/bin/python3")
    assert cat.distro_python3("debian", "trixie") == ("3.13", "/usr/bin/python3")
    assert cat.distro_python3("debian", "11") == ("3.9", "/usr/bin/python3")
    assert cat.distro_python3("alpine", "3.20") is None  # not sourced
    assert cat.distro_python3("ubuntu", "24.04") is None  # not sourced
    with pytest.raises(ValueError, match="python3"):
        load_catalog({"distributions": {"acme": {"releases": {"1": {"python3": "three"}}}}})
