"""The model: stage references as BuildKit resolves them, runtime/needed/build stages,
ARG substitution, effective USER/CMD/ENTRYPOINT/SHELL."""
import pytest

from dockerslim_lint.images.catalog import default_catalog
from dockerslim_lint.model.stages import ModelError, build_model
from dockerslim_lint.dockerfile.parser import parse


def model(text, **kw):
    return build_model(parse(text.encode()), catalog=default_catalog(), **kw)


def labels(stages):
    return [s.label for s in stages]


def test_as_names_are_lowercased_and_from_resolves_them():
    m = model("FROM golang:1.22 AS Build\nRUN go build\nFROM build\nCMD [\"x\"]\n")
    assert m.stages[0].name == "build"
    assert m.stages[1].parent is m.stages[0]
    assert labels(m.runtime_stages) == ["build", "1"]
    assert m.runtime_base.repository == "golang"


def test_from_a_number_is_an_image_not_a_stage():
    m = model("FROM alpine AS a\nFROM 0\n")
    assert m.stages[1].parent is None
    assert m.stages[1].image.repository == "0"
    assert labels(m.runtime_stages) == ["1"]


def test_copy_from_index_and_name():
    m = model("FROM golang AS build\nRUN go build\nFROM alpine AS other\n"
              "FROM scratch\nCOPY --from=0 /a /a\nCOPY --from=Other /b /b\n")
    assert labels(m.target.reads_from) == ["build", "other"]
    assert labels(m.needed_stages) == ["build", "other", "2"]
    assert labels(m.build_stages) == ["build", "other"]
    assert labels(m.runtime_stages) == ["2"]


def test_mount_from_takes_names_only():
    m = model("FROM alpine AS tools\nFROM debian\nRUN --mount=from=tools,target=/t true\n"
              "RUN --mount=type=bind,from=0,target=/x true\n")
    assert labels(m.target.reads_from) == ["tools"]


def test_needed_is_transitive_and_unused_stages_are_not_needed():
    m = model("FROM a AS one\nFROM b AS two\nCOPY --from=one /x /x\nFROM c AS unused\n"
              "FROM scratch\nCOPY --from=two /x /x\n")
    assert labels(m.needed_stages) == ["one", "two", "3"]
    assert "unused" not in labels(m.build_stages)


def test_target_selects_a_stage_that_is_not_last():
    text = "FROM golang AS build\nRUN go build\nFROM scratch AS final\nCOPY --from=build /a /a\n"
    m = model(text, target="BUILD")
    assert m.target.name == "build" and labels(m.runtime_stages) == ["build"]
    assert labels(m.needed_stages) == ["build"]
    with pytest.raises(ModelError) as exc:
        model(text, target="nope")
    assert "build, final" in str(exc.value)


def test_arg_substitution_in_from_and_build_arg_override():
    text = "ARG REG=docker.io\nARG TAG=1.22\nFROM ${REG}/library/golang:${TAG:-1} AS b\nFROM $REG/library/alpine\n"
    m = model(text)
    assert m.stages[0].base_text == "docker.io/library/golang:1.22"
    assert m.stages[0].image.repository == "golang"
    m = model(text, build_args={"TAG": "1.23"})
    assert m.stages[0].image.tag == "1.23"


def test_arg_without_default_is_unresolved():
    m = model("ARG BASE\nFROM $BASE\n")
    assert m.stages[0].base_unresolved and m.base_facts is None
    m = model("ARG BASE\nFROM $BASE\n", build_args={"BASE": "alpine:3.20"})
    assert m.base_facts is not None


def test_args_declared_after_from_do_not_reach_from():
    m = model("FROM alpine\nARG V=3\nFROM alpine:$V\n")
    assert m.stages[1].base_unresolved


def test_effective_user_inherited_and_variables():
    m = model("FROM alpine AS base\nUSER app\nFROM base\nRUN true\n")
    assert m.effective_user[0] == "app"
    m = model("FROM alpine\nARG UID=1000\nUSER ${UID}:${UID}\n")
    assert m.effective_user[0] == "1000:1000"
    m = model("FROM alpine\nUSER $NOPE\n")
    assert m.effective_user[0] is None
    m = model("FROM scratch\nCOPY a /a\n")
    assert m.effective_user == ("root", None)


def test_entrypoint_clears_inherited_cmd_only():
    m = model('FROM alpine AS a\nCMD ["x"]\nFROM a\nENTRYPOINT ["/app"]\n')
    entrypoint, cmd, known = m.effective_entrypoint_cmd
    assert entrypoint.args == ("/app",) and cmd is None and known
    m = model('FROM alpine\nCMD ["x"]\nENTRYPOINT ["/app"]\n')
    assert m.effective_entrypoint_cmd[1].args == ("x",)


def test_shell_inherited_through_from_stage():
    m = model('FROM alpine AS a\nSHELL ["/bin/bash", "-c"]\nFROM a\nRUN echo\n')
    run = m.target.instructions[0]
    assert m.shell_at(m.target, run) == ("/bin/bash", "-c")
    assert m.effective_shell.args == ("/bin/bash", "-c")


def test_onbuild_triggers_are_not_steps():
    m = model("FROM alpine\nONBUILD RUN go build\n")
    assert [i.keyword for i in m.target.instructions] == []


def test_env_carries_into_child_stage_but_arg_does_not():
    m = model("FROM alpine AS a\nENV A=1\nARG B=2\nFROM a\nRUN true\n")
    assert m.target.variables.get("A") == "1" and "B" not in m.target.variables


def test_package_list_through_variables_is_expanded():
    m = model("FROM debian\nARG PKGS=\"gcc make\"\nRUN apt-get install -y $PKGS\n")
    ins = m.target.instructions[-1]
    assert m.target.run(ins).installed() == ["gcc", "make"]
