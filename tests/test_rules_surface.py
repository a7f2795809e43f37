"""DSL301-DSL307: shells, package managers, build tools, debug images, root — and shell-form
instructions where no shell exists. Only these rules' findings are compared here."""
import os
import textwrap

import pytest

from conftest import FIXTURES, lint_text

SURFACE = ("DSL301", "DSL302", "DSL303", "DSL304", "DSL305", "DSL306", "DSL307")

GO_BUILD = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app .
"""


def found(text, ids=SURFACE, **options):
    result = lint_text(textwrap.dedent(text), **options)
    assert not result.errors, result.errors
    return sorted(f"{f.rule_id}:{f.line}" for f in result.findings if f.rule_id in ids)


def messages(text, rule_id, **options):
    result = lint_text(textwrap.dedent(text), **options)
    return [f.message for f in result.findings if f.rule_id == rule_id]


# -- DSL301 / DSL302 ------------------------------------------------------------------

def test_full_os_base_brings_shell_and_package_manager_once():
    assert found("""\
        FROM ubuntu:24.04
        RUN apt-get update && apt-get install -y --no-install-recommends bash && rm -rf /var/lib/apt/lists/*
        RUN apt-get update && apt-get install -y --no-install-recommends zsh && rm -rf /var/lib/apt/lists/*
        USER 1000
        CMD ["bash"]
        """, ("DSL301", "DSL302")) == ["DSL301:1", "DSL302:1"]


def test_message_says_where_the_shell_comes_from():
    (msg,) = messages("FROM alpine:3.20\nUSER 1000\nCMD [\"/bin/true\"]\n", "DSL301")
    assert "alpine:3.20" in msg and "/bin/sh" in msg


def test_distroless_multi_stage_nonroot_is_clean():
    assert found(GO_BUILD + """\

        FROM gcr.io/distroless/static-debian12:nonroot
        COPY --from=build /app /app
        ENTRYPOINT ["/app"]
        """) == []


def test_busybox_copied_onto_distroless_is_reported_on_the_copy():
    text = GO_BUILD + """\

        FROM gcr.io/distroless/static-debian12:nonroot
        COPY --from=busybox:1.36 /bin/busybox /bin/sh
        COPY --from=build /app /app
        RUN ls /app
        CMD /app --serve
        """
    assert found(text) == ["DSL301:7"]
    (msg,) = messages(text, "DSL301")
    assert "busybox" in msg


def test_busybox_tree_from_debug_image_makes_busybox_shell_available():
    assert found("""\
        FROM gcr.io/distroless/static-debian12:nonroot
        COPY --from=gcr.io/distroless/base-debian12:debug /busybox /busybox
        SHELL ["/busybox/sh", "-c"]
        RUN ls /
        ENTRYPOINT ["/app"]
        """) == ["DSL301:2"]


def test_shell_copied_from_a_stage_directory():
    assert found("""\
        FROM alpine:3.20 AS tools
        RUN echo hi

        FROM scratch
        COPY --from=tools / /
        USER 1000
        CMD /bin/true
        """, ("DSL301", "DSL305", "DSL306")) == ["DSL301:5"]


def test_shell_form_run_on_unknown_base_proves_the_base_has_a_shell():
    # The RUN works, so /bin/sh exists: it came with the base, and DSL301 says so on the FROM.
    text = """\
        FROM registry.example.com/team/base:1
        RUN apk add --no-cache bash
        """
    assert found(text, ("DSL301", "DSL302")) == ["DSL301:1", "DSL302:1"]
    (shell,) = messages(text, "DSL301")
    assert shell == ("shell `/bin/sh` ships with the base `registry.example.com/team/base:1` "
                     "(shell-form RUN on line 2)")
    (manager,) = messages(text, "DSL302")
    assert manager == ("package manager `apk` ships with the base `registry.example.com/team/base:1` "
                       "(`apk` on line 2)")


def test_exec_form_run_on_unknown_base_proves_no_shell():
    assert found("""\
        FROM registry.example.com/team/base:1
        RUN ["/usr/bin/apk", "add", "--no-cache", "ca-certificates"]
        """, ("DSL301",)) == []


def test_shell_added_before_the_run_is_the_origin():
    assert found("""\
        FROM registry.example.com/team/base:1
        COPY --from=busybox:1.36 /bin/busybox /bin/sh
        RUN echo hi
        """, ("DSL301",)) == ["DSL301:2"]


def test_shell_removed_after_the_run_is_not_reported():
    assert found("""\
        FROM registry.example.com/team/base:1
        RUN rm /bin/sh
        """, ("DSL301",)) == []


def test_unknown_base_alone_is_silent():
    assert found("""\
        FROM registry.example.com/team/base:1
        COPY app /app
        CMD /app
        """) == []


def test_package_manager_run_on_unknown_base_is_reported_on_the_run():
    assert found("""\
        FROM registry.example.com/team/python:3
        COPY . /app
        RUN pip install --no-cache-dir -r /app/requirements.txt
        """, ("DSL302",)) == ["DSL302:3"]


def test_build_stage_package_manager_is_not_reported():
    assert found("""\
        FROM registry.example.com/team/python:3 AS deps
        RUN pip install --no-cache-dir --target /deps requests

        FROM gcr.io/distroless/python3-debian12:nonroot
        COPY --from=deps /deps /deps
        ENTRYPOINT ["python3", "-m", "app"]
        """, ("DSL302",)) == []


def test_package_manager_removed_in_runtime_is_not_reported():
    assert found("""\
        FROM alpine:3.20
        RUN apk add --no-cache ca-certificates && apk del apk-tools
        USER 1000
        ENTRYPOINT ["/app"]
        """, ("DSL302",)) == []


# -- DSL303 ----------------------------------------------------------------------------

def test_build_tools_in_runtime_stage():
    assert found("""\
        FROM debian:bookworm-slim
        RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev curl \\
            && rm -rf /var/lib/apt/lists/*
        USER 1000
        """, ("DSL303",)) == ["DSL303:2"]


def test_build_tools_removed_in_the_same_run_are_not_reported():
    assert found("""\
        FROM debian:bookworm-slim
        COPY hello.c /src/
        RUN apt-get update \\
         && apt-get install -y --no-install-recommends gcc libc6-dev \\
         && gcc -O2 -o /usr/local/bin/hello /src/hello.c \\
         && apt-get purge -y --auto-remove gcc libc6-dev \\
         && rm -rf /var/lib/apt/lists/*
        USER 1000
        CMD ["/usr/local/bin/hello"]
        """, ("DSL303", "DSL101")) == ["DSL101:1"]


def test_apk_virtual_group_deleted_in_the_same_run():
    assert found("""\
        FROM python:3.12-alpine
        COPY requirements.txt .
        RUN apk add --no-cache --virtual .build-deps gcc musl-dev \\
         && pip install --no-cache-dir -r requirements.txt \\
         && apk del .build-deps
        USER 1000
        """, ("DSL303",)) == []


def test_official_image_apt_mark_auto_idiom_counts_as_removal():
    assert found("""\
        FROM debian:bookworm-slim
        RUN set -eux; \\
            savedAptMark="$(apt-mark showmanual)"; \\
            apt-get update; \\
            apt-get install -y --no-install-recommends gcc make wget; \\
            wget -O /tmp/x.tgz https://example.com/x.tgz; \\
            apt-mark auto '.*' > /dev/null; \\
            [ -z "$savedAptMark" ] || apt-mark manual $savedAptMark; \\
            apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \\
            rm -rf /var/lib/apt/lists/*
        USER 1000
        """, ("DSL303",)) == []


def test_build_tools_only_in_build_stage_are_not_reported():
    assert found("""\
        FROM golang:1.22-alpine AS build
        RUN apk add git gcc musl-dev
        WORKDIR /src
        COPY . .
        RUN CGO_ENABLED=0 go build -o /app .

        FROM gcr.io/distroless/static-debian12:nonroot
        COPY --from=build /app /app
        ENTRYPOINT ["/app"]
        """) == []


def test_script_runs_are_not_judged():
    assert found("""\
        FROM debian:bookworm-slim
        COPY install.sh /tmp/
        RUN apt-get update && apt-get install -y gcc && /tmp/install.sh
        USER 1000
        """, ("DSL303",)) == []


# -- DSL304 ----------------------------------------------------------------------------

def test_debug_image_with_busybox_shell_and_run():
    assert found("""\
        FROM gcr.io/distroless/base-debian12:debug-nonroot
        SHELL ["/busybox/sh", "-c"]
        COPY app /app
        RUN ls /app
        ENTRYPOINT ["/app"]
        """) == ["DSL301:1", "DSL304:1"]


def test_debug_image_without_shell_instruction_cannot_run():
    assert found("""\
        FROM gcr.io/distroless/base-debian12:debug
        COPY app /app
        RUN ls /app
        ENTRYPOINT ["/app"]
        """) == ["DSL301:1", "DSL304:1", "DSL306:3", "DSL307:1"]


# -- DSL305 ----------------------------------------------------------------------------

def test_scratch_shell_form_cmd():
    assert found("""\
        FROM scratch
        COPY app /app
        CMD /app --serve
        """) == ["DSL305:3", "DSL307:1"]


def test_scratch_exec_form_entrypoint_only_runs_as_root():
    assert found(GO_BUILD + """\

        FROM scratch
        COPY --from=build /app /app
        ENTRYPOINT ["/app"]
        """) == ["DSL307:6"]


def test_shell_form_cmd_after_exec_form_entrypoint_is_fine():
    assert found(GO_BUILD + """\

        FROM gcr.io/distroless/static-debian12:nonroot
        COPY --from=build /app /app
        ENTRYPOINT ["/app"]
        CMD --port 8080
        """) == []


def test_shell_form_entrypoint_on_distroless():
    assert found(GO_BUILD + """\

        FROM gcr.io/distroless/static-debian12:nonroot
        COPY --from=build /app /app
        ENTRYPOINT /app --port 8080
        """) == ["DSL305:8"]


def test_inherited_shell_form_cmd_cleared_by_entrypoint():
    assert found("""\
        FROM gcr.io/distroless/static-debian12:nonroot AS base
        CMD /app

        FROM base
        COPY app /app
        ENTRYPOINT ["/app"]
        """) == []


def test_healthcheck_shell_form_on_distroless():
    assert found("""\
        FROM gcr.io/distroless/static-debian12:nonroot
        COPY app /app
        HEALTHCHECK --interval=30s CMD /app -health
        ENTRYPOINT ["/app"]
        """) == ["DSL305:3"]


def test_healthcheck_exec_form_and_none_are_fine():
    assert found("""\
        FROM gcr.io/distroless/static-debian12:nonroot
        COPY app /app
        HEALTHCHECK CMD ["/app", "-health"]
        ENTRYPOINT ["/app"]
        """) == []
    assert found("""\
        FROM gcr.io/distroless/static-debian12:nonroot
        HEALTHCHECK NONE
        ENTRYPOINT ["/app"]
        """) == []


def test_shell_form_cmd_with_shell_copied_in_is_fine():
    assert found("""\
        FROM scratch
        COPY --from=busybox:1.36 /bin/busybox /bin/sh
        COPY app /app
        USER 1000
        CMD /app --serve
        """) == ["DSL301:2"]


def test_rootfs_archive_on_scratch_is_unknown():
    assert found("""\
        FROM scratch
        ADD alpine-minirootfs-3.20.0-x86_64.tar.gz /
        RUN apk add --no-cache curl
        CMD /bin/sh
        """, ("DSL305", "DSL306")) == []


def test_debug_image_shell_form_cmd_needs_busybox_shell():
    assert found("""\
        FROM gcr.io/distroless/base-debian12:debug-nonroot
        COPY app /app
        CMD /app
        """, ("DSL305",)) == ["DSL305:3"]
    assert found("""\
        FROM gcr.io/distroless/base-debian12:debug-nonroot
        SHELL ["/busybox/sh", "-c"]
        COPY app /app
        CMD /app
        """, ("DSL305",)) == []


# -- DSL306 ----------------------------------------------------------------------------

def test_run_on_distroless_fails():
    assert found("""\
        FROM gcr.io/distroless/static-debian12:nonroot
        COPY app /app
        RUN chmod +x /app
        ENTRYPOINT ["/app"]
        """) == ["DSL306:3"]


def test_run_on_scratch_build_stage_fails_too():
    assert found("""\
        FROM scratch AS assets
        COPY assets/ /assets/
        RUN ls /assets

        FROM gcr.io/distroless/static-debian12:nonroot
        COPY --from=assets /assets /assets
        ENTRYPOINT ["/app"]
        """, ("DSL306",)) == ["DSL306:3"]


def test_run_in_unneeded_stage_is_not_judged():
    assert found("""\
        FROM scratch AS unused
        RUN ls

        FROM gcr.io/distroless/static-debian12:nonroot
        ENTRYPOINT ["/app"]
        """, ("DSL306",)) == []


def test_exec_form_run_is_not_judged_and_makes_later_state_unknown():
    assert found("""\
        FROM scratch
        COPY --from=busybox:1.36 /bin/busybox /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"]
        RUN ls /
        USER 1000
        ENTRYPOINT ["/bin/ls"]
        """, ("DSL305", "DSL306")) == []


def test_heredoc_run_needs_the_shell():
    assert found("""\
        # syntax=docker/dockerfile:1
        FROM gcr.io/distroless/static-debian12:nonroot
        RUN <<EOF
        echo hi
        EOF
        ENTRYPOINT ["/app"]
        """, ("DSL306",)) == ["DSL306:3"]


def test_run_with_shell_that_the_base_may_have_is_unknown():
    # alpine has /bin/sh; whether it has bash is not known from facts: silent.
    assert found("""\
        FROM alpine:3.20
        SHELL ["/bin/bash", "-c"]
        RUN echo hi
        """, ("DSL306",)) == []


# -- DSL307 ----------------------------------------------------------------------------

def test_user_set_in_parent_stage_is_inherited():
    assert found("""\
        FROM python:3.12-slim AS base
        RUN useradd --system app
        USER app

        FROM base
        COPY app.py /app/app.py
        CMD ["python", "/app/app.py"]
        """, ("DSL307",)) == []


def test_user_0_0_last_is_reported_on_the_user_line():
    assert found("""\
        FROM gcr.io/distroless/static-debian12:nonroot
        COPY app /app
        USER 0:0
        ENTRYPOINT ["/app"]
        """, ("DSL307",)) == ["DSL307:3"]


@pytest.mark.parametrize("user", ["root", "0", "root:root", "0:1000", "root:staff"])
def test_root_spellings(user):
    assert found(f"FROM alpine:3.20\nUSER 1000\nUSER {user}\n", ("DSL307",)) == ["DSL307:3"]


def test_non_root_user_after_root():
    assert found("FROM alpine:3.20\nUSER root\nRUN true\nUSER app\n", ("DSL307",)) == []


def test_nonroot_and_chiseled_bases_without_user():
    assert found("""\
        FROM gcr.io/distroless/static-debian12:nonroot
        ENTRYPOINT ["/app"]
        """, ("DSL307",)) == []
    assert found("""\
        FROM mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled
        COPY out/ /app/
        ENTRYPOINT ["dotnet", "/app/App.dll"]
        """, ("DSL307",)) == []


def test_root_on_full_os_points_at_target_from():
    assert found("""\
        FROM alpine:3.20 AS base
        RUN true

        FROM base
        COPY app /app
        """, ("DSL307",)) == ["DSL307:4"]


def test_user_from_variable():
    assert found("FROM alpine:3.20\nARG UID=1000\nUSER ${UID}\n", ("DSL307",)) == []
    assert found("FROM alpine:3.20\nARG UID=0\nUSER $UID\n", ("DSL307",)) == ["DSL307:3"]
    assert found("FROM alpine:3.20\nARG UID\nUSER $UID\n", ("DSL307",)) == []


def test_unknown_base_default_user_is_silent():
    assert found("FROM registry.example.com/team/base:1\nCOPY app /app\n", ("DSL307",)) == []


def test_target_selects_a_stage_that_is_not_last():
    with open(os.path.join(FIXTURES, "rules", "DSL3xx-target-not-last", "Dockerfile"), encoding="utf-8") as f:
        text = f.read()
    assert found(text, SURFACE + ("DSL401", "DSL402"), target="prod") == []
    # Without --target the last stage ships, and its findings appear.
    assert found(text, ("DSL303", "DSL307")) == ["DSL303:11", "DSL307:10"]


def test_rules_have_security_severity_where_they_are_about_attack_surface(rules):
    by_id = {r.ID: r for r in rules}
    for rule_id in ("DSL301", "DSL302", "DSL303", "DSL304", "DSL307"):
        assert by_id[rule_id].SECURITY_SEVERITY
    for rule_id in ("DSL305", "DSL306"):
        assert by_id[rule_id].SECURITY_SEVERITY is None


def test_root_filesystem_copied_from_a_stage_is_unknown():
    # The .NET chiseled images assemble /rootfs in a stage and copy it onto scratch:
    # whether it holds a shell is not known, so shell-form instructions are not judged.
    assert found("""\
        FROM ubuntu:24.04 AS chisel
        RUN mkdir -p /rootfs/etc

        FROM scratch
        COPY --from=chisel /rootfs /
        USER 1654
        CMD /app
        """, ("DSL301", "DSL305")) == []


def test_file_copied_from_a_stage_onto_scratch_does_not_bring_a_shell():
    assert found(GO_BUILD + """\

        FROM scratch
        COPY --from=build /app /usr/local/bin/app
        USER 65532
        CMD app --serve
        """) == ["DSL305:9"]


@pytest.mark.parametrize("copy,expected", [
    ("COPY --from=build /out /", []),  # a directory assembled as a root file system, maybe
    ("COPY --from=build /out/ /", []),
    ("COPY --from=build /go/bin/app /", ["DSL305:9"]),  # plainly a binary
    ("COPY --from=build /app /usr/local/bin/", ["DSL305:9"]),
])
def test_copies_from_a_stage_onto_scratch(copy, expected):
    assert found(GO_BUILD + f"""\

        FROM scratch
        {copy}
        USER 65532
        CMD app --serve
        """, ("DSL305", "DSL306")) == expected


def test_windows_bases_are_not_judged_by_linux_facts():
    assert found("""\
        FROM mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022
        COPY out/ /app/
        ENTRYPOINT ["dotnet", "/app/App.dll"]
        """) == []


def test_run_whose_mount_supplies_the_shell_is_not_judged():
    assert found("""\
        FROM gcr.io/distroless/static-debian12:nonroot
        RUN --mount=from=busybox:1.36,src=/bin,dst=/bin mkdir -p /tmp/x
        ENTRYPOINT ["/app"]
        """, ("DSL306",)) == []
    assert found("""\
        FROM gcr.io/distroless/static-debian12:nonroot
        RUN --mount=type=bind,from=busybox:1.36,source=/bin/busybox,target=/bin/sh mkdir -p /tmp/y
        ENTRYPOINT ["/app"]
        """, ("DSL306",)) == []
    assert found("""\
        FROM gcr.io/distroless/static-debian12:nonroot
        RUN --mount=type=cache,target=/root/.cache mkdir -p /tmp/x
        ENTRYPOINT ["/app"]
        """, ("DSL306",)) == ["DSL306:2"]


def test_runs_in_another_shell_language_are_not_read_as_sh():
    assert found("""\
        FROM registry.example.com/team/base:1
        SHELL ["pwsh", "-Command"]
        RUN pip install requests; apt-get install -y gcc
        """, SURFACE + ("DSL401", "DSL402")) == []
