"""DSL401-DSL402: package caches and recommended packages left in shipped layers."""
import textwrap

import pytest

from conftest import lint_text

HYGIENE = ("DSL401", "DSL402")


def found(text, ids=HYGIENE, **options):
    result = lint_text(textwrap.dedent(text), **options)
    assert not result.errors, result.errors
    return sorted(f"{f.rule_id}:{f.line}" for f in result.findings if f.rule_id in ids)


def run_in(base, run, ids=HYGIENE):
    """Findings for one RUN (line 2) in a single runtime stage on `base`."""
    return found(f"FROM {base}\nRUN {run}\nUSER 1000\n", ids)


# -- DSL401: apt ------------------------------------------------------------------------

@pytest.mark.parametrize("run", [
    "apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
    "apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists",
    "apt-get update && apt-get install -y --no-install-recommends curl && apt-get dist-clean",
    "apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean && rm -rf /var/lib/apt/lists/* /tmp/*",
    "--mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked "
    "apt-get update && apt-get install -y --no-install-recommends curl",
    "--mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y --no-install-recommends curl",
    "--mount=type=tmpfs,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends curl",
    "apt-get update && apt-get install -y --no-install-recommends curl && find /var/lib/apt/lists -type f -delete",
])
def test_apt_clean(run):
    assert run_in("debian:bookworm-slim", run) == []


@pytest.mark.parametrize("run", [
    "apt-get update && apt-get install -y --no-install-recommends curl",
    "apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean",
    "apt update && apt install -y --no-install-recommends curl",
    "apt-get update",
    "apt-get update && apt-get upgrade -y",
])
def test_apt_leaves_lists(run):
    assert run_in("debian:bookworm-slim", run) == ["DSL401:2"]


def test_separate_apt_update_layer():
    assert found("""\
        FROM debian:bookworm-slim
        RUN apt-get update
        RUN apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
        USER 1000
        """) == ["DSL401:2"]


def test_build_stage_installs_are_exempt():
    assert found("""\
        FROM debian:bookworm AS certs
        RUN apt-get update && apt-get install -y ca-certificates

        FROM alpine:3.20 AS tools
        RUN apk add curl && curl -fsSLo /tool https://example.com/tool

        FROM python:3.12 AS deps
        RUN pip install --target /deps requests

        FROM node:22 AS web
        RUN npm install -g pnpm

        FROM gcr.io/distroless/python3-debian12:nonroot
        COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
        COPY --from=tools /tool /tool
        COPY --from=deps /deps /deps
        COPY --from=web /usr/local/lib/node_modules/pnpm /pnpm
        ENTRYPOINT ["python3", "-m", "app"]
        """) == []


# -- DSL401: apk, pip, dnf, npm ---------------------------------------------------------

@pytest.mark.parametrize("run,expected", [
    ("apk add curl", ["DSL401:2"]),
    ("apk add --update curl", ["DSL401:2"]),
    ("apk update && apk add --no-cache curl", ["DSL401:2"]),
    ("apk add --no-cache curl", []),
    ("apk --no-cache add curl", []),
    ("apk add --no-network /tmp/pkg.apk", []),
    ("apk add curl && rm -rf /var/cache/apk/*", []),
    ("apk update && apk add curl && rm -rf /var/cache/apk/*", []),
    ("--mount=type=cache,target=/var/cache/apk apk add curl", []),
    ("--mount=type=cache,target=/etc/apk/cache apk add curl", []),
])
def test_apk(run, expected):
    assert run_in("alpine:3.20", run) == expected


@pytest.mark.parametrize("run,expected", [
    ("pip install requests", ["DSL401:2"]),
    ("pip install --upgrade pip && pip install --no-cache-dir requests", ["DSL401:2"]),
    ("python -m pip install -r requirements.txt", ["DSL401:2"]),
    ("pip install --no-cache-dir requests", []),
    ("pip3 --no-cache-dir install requests", []),
    ("pip install --no-cache requests", []),
    ("PIP_NO_CACHE_DIR=1 pip install requests", []),
    ("pip install requests && rm -rf /root/.cache/pip", []),
    ("pip install requests && rm -rf ~/.cache", []),
    ("pip install requests && pip cache purge", []),
    ("--mount=type=cache,target=/root/.cache/pip pip install requests", []),
    ("--mount=type=cache,target=/root/.cache pip install requests", []),
    ("pip install --no-index --find-links=/wheels /wheels/*.whl", []),
])
def test_pip(run, expected):
    assert run_in("python:3.12-slim", run) == expected


def test_pip_env_and_arg_disable_the_cache():
    for setting in ("ENV PIP_NO_CACHE_DIR=1", "ENV PIP_NO_CACHE_DIR=off", "ARG PIP_NO_CACHE_DIR=1"):
        assert found(f"FROM python:3.12-slim\n{setting}\nRUN pip install requests\nUSER 1000\n") == []


def test_pip_cache_dir_on_a_cache_mount():
    assert found("""\
        FROM python:3.12-slim
        ENV PIP_CACHE_DIR=/pip-cache
        RUN --mount=type=cache,target=/pip-cache pip install requests
        USER 1000
        """) == []


@pytest.mark.parametrize("run,expected", [
    ("dnf install -y httpd", ["DSL401:2"]),
    ("dnf install -y httpd && dnf clean all", []),
    ("yum install -y httpd && yum clean all", []),
    ("yum install -y httpd && rm -rf /var/cache/yum", []),
    ("microdnf install -y httpd && microdnf clean all", []),
    ("microdnf install -y httpd", ["DSL401:2"]),
    ("dnf install -y httpd && rm -rf /var/cache/dnf/*", []),
    ("--mount=type=cache,target=/var/cache/dnf dnf install -y httpd", []),
])
def test_dnf_yum_microdnf(run, expected):
    assert run_in("fedora:40", run) == expected


@pytest.mark.parametrize("run,expected", [
    ("npm ci --omit=dev", ["DSL401:2"]),
    ("npm install", ["DSL401:2"]),
    ("npm install -g pm2", ["DSL401:2"]),
    ("npm ci --omit=dev && npm cache clean --force", []),
    ("npm ci && npm cache clear --force", []),
    ("npm ci && rm -rf /root/.npm", []),
    ("npm ci && rm -rf ~/.npm", []),
    ("--mount=type=cache,target=/root/.npm npm ci", []),
    ("npm run start", []),
    ("npm ci --cache /tmp/npm-cache && rm -rf /tmp/npm-cache", []),
    ("--mount=type=cache,target=/tmp/npm-cache npm ci --cache=/tmp/npm-cache", []),
    ("npm ci --cache /tmp/npm-cache", ["DSL401:2"]),
])
def test_npm(run, expected):
    assert run_in("node:22-slim", run) == expected


def test_one_finding_per_run_listing_every_cache():
    result = lint_text("FROM python:3.12-slim\n"
                       "RUN apt-get update && apt-get install -y --no-install-recommends gcc && pip install x\n")
    (finding,) = [f for f in result.findings if f.rule_id == "DSL401"]
    assert "apt" in finding.message and "pip" in finding.message


def test_script_run_is_not_judged():
    assert run_in("debian:bookworm-slim", "apt-get update && ./cleanup.sh") == []


def test_cache_rules_apply_to_inherited_runtime_stages():
    assert found("""\
        FROM alpine:3.20 AS base
        RUN apk add curl

        FROM base
        COPY app /app
        USER 1000
        """) == ["DSL401:2"]


# -- DSL402 ------------------------------------------------------------------------------

@pytest.mark.parametrize("run,expected", [
    ("apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*", ["DSL402:2"]),
    ("apt-get update && apt install -y curl && rm -rf /var/lib/apt/lists/*", ["DSL402:2"]),
    ("apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*", []),
    ("apt-get update && apt-get -o APT::Install-Recommends=false install -y curl && rm -rf /var/lib/apt/lists/*", []),
    ("apt-get update && apt-get install -y -o APT::Install-Recommends=0 curl && rm -rf /var/lib/apt/lists/*", []),
    ("apt-get update && apt-get install -y -f && rm -rf /var/lib/apt/lists/*", []),
    ("apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*", []),
])
def test_recommends(run, expected):
    assert run_in("debian:bookworm-slim", run) == expected


def test_apt_config_written_earlier_disables_recommends():
    assert found("""\
        FROM debian:bookworm-slim
        RUN echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/99no-recommends
        RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
        USER 1000
        """) == []


def test_apt_config_copied_in_is_not_judged():
    assert found("""\
        FROM debian:bookworm-slim
        COPY 99norecommends /etc/apt/apt.conf.d/
        RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
        USER 1000
        """) == []


def test_apt_config_in_a_build_stage_does_not_count_for_runtime():
    assert found("""\
        FROM debian:bookworm-slim AS build
        RUN echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/99no-recommends

        FROM debian:bookworm-slim
        RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
        USER 1000
        """) == ["DSL402:5"]


def test_recommends_in_build_stage_is_exempt():
    assert found("""\
        FROM debian:bookworm AS build
        RUN apt-get update && apt-get install -y curl

        FROM scratch
        COPY --from=build /usr/bin/curl /curl
        ENTRYPOINT ["/curl"]
        """) == []


def test_recommends_with_packages_in_a_shell_variable():
    assert run_in("debian:bookworm-slim",
                  "deps='curl git'; apt-get update && apt-get install -y $deps && rm -rf /var/lib/apt/lists/*") \
        == ["DSL402:2"]


@pytest.mark.parametrize("setting", [
    "RUN pip config set global.no-cache-dir false",
    "RUN printf '[global]\\nno-cache-dir = true\\n' > /etc/pip.conf",
    "COPY pip.conf /etc/pip.conf",
    "ENV PIP_CONFIG_FILE=/app/pip.conf",
])
def test_pip_configuration_turning_the_cache_off(setting):
    assert found(f"FROM python:3.12-slim\n{setting}\nRUN pip install requests\nUSER 1000\n") == []


def test_an_earlier_clean_pip_install_does_not_configure_later_ones():
    assert found("FROM python:3.12-slim\nRUN pip install --no-cache-dir a\nRUN pip install b\nUSER 1000\n") \
        == ["DSL401:3"]


@pytest.mark.parametrize("run,expected", [
    ("apt-get update && apt-get install -y $buildDeps && make && apt-get purge -y --auto-remove $buildDeps"
     " && rm -rf /var/lib/apt/lists/*", []),
    ("apt-get update && apt-get install -y gcc make && make && apt-get purge -y --auto-remove gcc make"
     " && rm -rf /var/lib/apt/lists/*", []),
    ("apt-get update && apt-get install -y gcc make && make && apt-get purge -y gcc make"
     " && rm -rf /var/lib/apt/lists/*", ["DSL402:2"]),  # recommends stay without --auto-remove
    ("apt-get update && apt-get install -y gcc curl && make && apt-get purge -y --auto-remove gcc"
     " && rm -rf /var/lib/apt/lists/*", ["DSL402:2"]),  # curl stays, with its recommends
])
def test_recommends_purged_again_in_the_same_run(run, expected):
    assert run_in("debian:bookworm-slim", run, ("DSL402",)) == expected


# -- issue 13: cleanups found on real files ------------------------------------------------

@pytest.mark.parametrize("cleanup", [
    "rm /var/lib/apt/lists/*_*",
    "rm -rf /var/lib/apt/lists/* /tmp/*",
    "rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb",
    "rm -rf /var/lib/apt/lists/*_* /var/cache/apt/*.bin",
    "rm -rf /var/lib/apt/lists/*.*",
])
def test_dsl401_glob_cleanups_clear_the_apt_lists(cleanup):
    text = ("FROM debian:bookworm-slim\n"
            f"RUN apt-get update && apt-get install -y --no-install-recommends curl && {cleanup}\nUSER 1000\n")
    assert "DSL401" not in {f.rule_id for f in lint_text(text).findings}


def test_dsl401_a_glob_elsewhere_does_not_clear_the_lists():
    text = ("FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /tmp/*_*\n"
            "USER 1000\n")
    assert [f.line for f in lint_text(text).findings if f.rule_id == "DSL401"] == [2]
