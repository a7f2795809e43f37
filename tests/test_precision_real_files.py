"""Precision defects found by auditing findings on real Dockerfiles (issue 13). Each case is
written here from the shape seen in real files; no real file is copied."""
import pytest

from conftest import ids_lines, lint_text
from dockerslim_lint.dockerfile.commands import _package_base, analyse, is_build_tool_package, rpm_name


def rules_at(text, *rule_ids):
    return [x for x in ids_lines(lint_text(text)) if x.split(":")[0] in rule_ids]


# -- DSL303: a named apk virtual package without a leading dot ------------------------------

@pytest.mark.parametrize("run", [
    "apk add --no-cache -t build-deps gcc musl-dev make && make && apk del build-deps",
    "apk add --no-cache --virtual build-deps gcc && make && apk del --no-network build-deps",
    "apk --no-cache add --virtual=build-deps gcc && make && apk del build-deps",
    "apk add --no-cache -t .build-deps gcc && make && apk del .build-deps",
])
def test_dsl303_apk_virtual_group_removed_in_the_same_run(run):
    text = f"FROM alpine:3.20\nRUN {run}\nUSER 1000\nCMD [\"/app\"]\n"
    assert rules_at(text, "DSL303") == []


def test_dsl303_apk_virtual_group_removed_later_still_ships():
    text = ("FROM alpine:3.20\nRUN apk add --no-cache -t build-deps gcc\nRUN apk del build-deps\n"
            "USER 1000\nCMD [\"/app\"]\n")
    assert rules_at(text, "DSL303") == ["DSL303:2"]


# -- DSL101/DSL102: asking a tool for its version is not a build ------------------------------

@pytest.mark.parametrize("script", ["rustc --version", "javac -version", "go version", "gcc --version",
                                    "make -v", "cargo --version && rustc -V", "gcc -dumpversion",
                                    "javac -version 2>&1", "ninja --version", "dotnet --info"])
def test_version_queries_are_not_builds(script):
    assert analyse(script).build_commands == []


@pytest.mark.parametrize("script,build", [("gcc -v -o app app.c", "gcc"), ("make", "make"),
                                          ("go build -v ./...", "go build"),
                                          ("cargo build --release -v", "cargo build")])
def test_builds_with_verbose_flags_stay_builds(script, build):
    assert analyse(script).build_commands == [build]


def test_dsl101_does_not_cite_a_version_query():
    text = ("FROM rust:1.80\nRUN rustc --version && cargo --version\nCOPY target/release/app /app\n"
            "CMD [\"/app\"]\n")
    assert rules_at(text, "DSL101") == []
    text = ("FROM rust:1.80\nRUN rustc --version\nCOPY . .\nRUN cargo build --release\n"
            "CMD [\"/app\"]\n")
    (f,) = [f for f in lint_text(text).findings if f.rule_id == "DSL101"]
    assert "cargo build" in f.message and "rustc" not in f.message


# -- version-suffixed RPM names -----------------------------------------------------------------

@pytest.mark.parametrize("name,base", [("make-3.82-24.el7", "make"), ("gcc-4.8.5-39.el7", "gcc"),
                                       ("gcc-c++-4.8.5-39.el7.x86_64", "gcc-c++"),
                                       ("curl-7.29.0-59.el7_9.1", "curl"), ("python3-3.6.8-18.el7", "python3"),
                                       ("openjdk-17-jdk", "openjdk-17-jdk"), ("gcc-12", "gcc-12"),
                                       ("java-11-openjdk-devel", "java-11-openjdk-devel"),
                                       ("libgcc-s1", "libgcc-s1")])
def test_rpm_names_lose_version_and_release(name, base):
    assert rpm_name(name) == base and _package_base(name) == base


def test_version_suffixed_rpm_names_are_build_tools():
    assert is_build_tool_package("make-3.82-24.el7") and is_build_tool_package("gcc-4.8.5-39.el7")
    text = ("FROM centos:7\nRUN yum install -y make-3.82-24.el7 curl-7.29.0-59.el7_9.1 && yum clean all\n"
            "USER 1000\nCMD [\"/app\"]\n")
    (f,) = [f for f in lint_text(text).findings if f.rule_id == "DSL303"]
    assert "`make`" in f.message and "`curl`" in f.message
    removed = analyse("yum install -y make-3.82-24.el7 && make && yum remove -y make")
    assert removed.net_installed() == []


# -- DSL307 -------------------------------------------------------------------------------------

def test_dsl307_on_nginx_names_the_unprivileged_image():
    (f,) = [f for f in lint_text("FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n").findings
            if f.rule_id == "DSL307"]
    assert f.message == ("the image runs as root: no USER and `nginx:1.27` defaults to root "
                         "(nginxinc/nginx-unprivileged does not)")
    (f,) = [f for f in lint_text("FROM ubuntu:24.04\nCMD [\"/app\"]\n").findings if f.rule_id == "DSL307"]
    assert "does not)" not in f.message


@pytest.mark.parametrize("text", [
    "FROM scratch\nCOPY data/ /data/\n",  # a data-only image: nothing runs
    "FROM scratch\nCOPY data/ /data/\nUSER root\n",
    "FROM alpine:3.20 AS build\nRUN true\nFROM scratch\nCOPY --from=build /etc/ssl /etc/ssl\n",
])
def test_dsl307_silent_on_an_image_that_runs_nothing(text):
    assert rules_at(text, "DSL307") == []


def test_dsl307_still_reported_when_the_base_runs_something():
    assert rules_at("FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n", "DSL307") == ["DSL307:1"]
    assert rules_at("FROM alpine:3.20\nCOPY data/ /data/\n", "DSL307") == ["DSL307:1"]  # runs /bin/sh
