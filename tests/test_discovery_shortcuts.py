"""Shortcuts of file discovery and config lookup: the same answers as the plain calls."""
import fnmatch
import os

import pytest

from dockerslim_lint import config as cfg
from dockerslim_lint import files
from dockerslim_lint.files import DOCKERFILE_PATTERNS, _key, _keys, expand_paths, is_dockerfile_name


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """Folders, a symlinked folder, a symlinked file, a dangling link, a link loop."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "a" / "Dockerfile.dev").write_text("FROM scratch\n")
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "a" / "linked").symlink_to(tmp_path / "real")
    (tmp_path / "a" / "up").symlink_to("..")
    (tmp_path / "a" / "b" / "Containerfile").symlink_to("../Dockerfile.dev")
    (tmp_path / "a" / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    monkeypatch.chdir(tmp_path / "a")
    return tmp_path


def test_keys_are_real_paths(tree):
    spellings = [
        "b/Dockerfile", "./b/Dockerfile", "b/../b/Dockerfile", "b//Dockerfile", "b/./Dockerfile",
        "linked/Dockerfile", "./linked/../Dockerfile.dev", "up/a/b/Dockerfile", "up/real/Dockerfile",
        "b/Containerfile", "dangling", "dangling/Dockerfile", "missing/Dockerfile", "Dockerfile.dev",
        "../a/b/Dockerfile", "..", ".", "b/", "b/.", str(tree / "a" / "linked" / "Dockerfile"),
        str(tree / "loop1" / "Dockerfile"), "/", "//", "up/up/up/a/b/Dockerfile",
    ]
    key_of = _keys()
    for _ in range(2):  # computed, then from what was kept
        for path in spellings:
            assert key_of(path) == os.path.realpath(path) == _key(path), path


def test_the_same_file_twice_is_linted_once(tree, monkeypatch):
    paths = ["b/Dockerfile", "linked/Dockerfile", "./b/Dockerfile", str(tree / "real"), "up/a/b", ".", "b"]
    found = list(expand_paths(paths))
    assert [item for kind, item in found if kind == "file"] == [
        "b/Dockerfile", "linked/Dockerfile", "up/a/b/Containerfile"]  # ./Dockerfile.dev: the same file
    monkeypatch.setattr(files, "_keys", lambda: _key)  # realpath for every path
    assert list(expand_paths(paths)) == found


@pytest.mark.parametrize("name", [
    "Dockerfile", "dockerfile", "Dockerfile.dev", "Dockerfile-prod", "api.Dockerfile", "x.dockerfile",
    "Containerfile", "Containerfile.arm", "Dockerfile.dockerignore", "DOCKERFILE", "Dockerfile.", "Dockerfile-",
    ".Dockerfile", "Dockerfilex", "my-Dockerfile", "Containerfiles", "Dockerfile\n", "a\nDockerfile",
    "Dockerfile.x\ny", "", "*.Dockerfile", "[x].dockerfile",
])
def test_dockerfile_names_as_fnmatch(name):
    expected = not name.endswith(".dockerignore") and any(
        fnmatch.fnmatchcase(name, p) for p in DOCKERFILE_PATTERNS)
    assert is_dockerfile_name(name) == expected


def test_config_found_with_and_without_a_listing(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc" / "deep").mkdir(parents=True)
    (tmp_path / "svc" / ".dockerslim-lint.yml").write_text("ignore: [DSL402]\n")
    (tmp_path / "other").mkdir()
    file = str(tmp_path / "svc" / "deep" / "Dockerfile")
    assert cfg.Resolver({"DSL402"}).for_path(file).path == str(tmp_path / "svc" / ".dockerslim-lint.yml")
    assert cfg.Resolver({"DSL402"}).for_path(str(tmp_path / "other" / "Dockerfile")) is cfg.NO_CONFIG

    def unlistable(folder):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cfg.os, "listdir", unlistable)  # a folder that can be searched, not listed
    assert cfg.Resolver({"DSL402"}).for_path(file).path == str(tmp_path / "svc" / ".dockerslim-lint.yml")
    assert cfg.Resolver({"DSL402"}).for_path(str(tmp_path / "other" / "Dockerfile")) is cfg.NO_CONFIG


def test_a_listed_name_is_still_checked(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".dockerslim-lint.yaml").mkdir()  # a folder of that name is no config
    (tmp_path / "pyproject.toml").write_text("[tool.dockerslim-lint]\nignore = [\"DSL402\"]\n")
    found = cfg.Resolver({"DSL402"}).for_path(str(tmp_path / "Dockerfile"))
    assert found.path == str(tmp_path / "pyproject.toml")


def test_listing_is_case_insensitive():
    assert cfg._may_hold(frozenset({"pyproject.toml"}), "pyproject.toml")
    assert cfg._may_hold(cfg._listing_names(["PyProject.TOML"]), "pyproject.toml")
    assert not cfg._may_hold(frozenset({"setup.cfg"}), "pyproject.toml")
    assert cfg._may_hold(None, ".git")
