"""Shortcuts of file discovery and config lookup: the same answers as the plain calls."""
import fnmatch
import os
import stat

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


def _walked_with_os_walk(paths):
    """What files._expand_paths gave before it walked with os.scandir itself: os.walk, names
    sorted, SKIP_DIRS and virtualenvs pruned, each file's key its realpath."""
    for path in paths:
        try:
            st = os.stat(path)
        except OSError as exc:
            yield "error", f"{path}: {files._os_error(exc)}", None
            continue
        if not stat.S_ISDIR(st.st_mode):
            yield "file", path, None
            continue
        found = reported = False
        walk_errors = []
        for root, dirs, names in os.walk(path, onerror=walk_errors.append):
            for exc in walk_errors:
                reported = True
                yield "error", f"{exc.filename or root}: {files._os_error(exc)}", None
            del walk_errors[:]
            dirs[:] = sorted(d for d in dirs if d not in files.SKIP_DIRS
                             and not os.path.exists(os.path.join(root, d, "pyvenv.cfg")))
            for name in sorted(names):
                if is_dockerfile_name(name):
                    found = True
                    yield "file", os.path.join(root, name), os.path.realpath(os.path.join(root, name))
        for exc in walk_errors:
            reported = True
            yield "error", f"{exc.filename or path}: {files._os_error(exc)}", None
        if not found and not reported:
            yield "error", (f"{path}: no Dockerfiles found in this directory (looked for "
                            f"{', '.join(DOCKERFILE_PATTERNS)})"), None


def test_the_walk_is_os_walk(tree, monkeypatch):
    (tree / "a" / "b" / "venv").mkdir()
    (tree / "a" / "b" / "venv" / "pyvenv.cfg").write_text("")
    (tree / "a" / "b" / "venv" / "Dockerfile").write_text("FROM scratch\n")
    (tree / "a" / "node_modules").mkdir()
    (tree / "a" / "node_modules" / "Dockerfile").write_text("FROM scratch\n")
    (tree / "a" / "z" / "y").mkdir(parents=True)
    (tree / "a" / "z" / "y" / "x.Dockerfile").write_text("FROM scratch\n")
    (tree / "a" / "z" / "Dockerfile").mkdir()  # a folder with a Dockerfile's name
    (tree / "a" / "z" / "README").write_text("")
    (tree / "a" / "locked" / "in").mkdir(parents=True)
    (tree / "a" / "locked" / "in" / "Dockerfile").write_text("FROM scratch\n")
    (tree / "empty").mkdir()
    for venv in ("venv2", "lockedvenv", "dirvenv", "notvenv"):  # pyvenv.cfg: a file, a folder, a dangling link
        (tree / "a" / venv).mkdir()
        (tree / "a" / venv / "Dockerfile").write_text("FROM scratch\n")
    (tree / "a" / "venv2" / "pyvenv.cfg").write_text("")
    (tree / "a" / "lockedvenv" / "pyvenv.cfg").write_text("")
    (tree / "a" / "dirvenv" / "pyvenv.cfg").mkdir()
    (tree / "a" / "notvenv" / "pyvenv.cfg").symlink_to(tree / "nowhere")
    real_scandir = os.scandir

    def scandir(path="."):  # a folder that cannot be listed (root ignores permissions)
        if os.path.basename(os.fspath(path).rstrip("/")) in ("locked", "lockedvenv"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    for paths in (["."], [".."], [str(tree)], ["./"], ["b", "z/", "up", "linked", "locked", "missing"], ["venv2"],
                  [str(tree / "empty")], ["Dockerfile.dev", "."]):
        key_of = _keys()
        assert list(files._expand_paths(paths, key_of)) == list(_walked_with_os_walk(paths)), paths


def test_config_per_spelling_of_the_folder(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc" / "deep").mkdir(parents=True)
    (tmp_path / "svc" / ".dockerslim-lint.yml").write_text("ignore: [DSL402]\n")
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path / "svc")
    resolver, plain = cfg.Resolver({"DSL402"}), cfg.Resolver({"DSL402"})
    spellings = ["Dockerfile", "./Dockerfile", "deep/Dockerfile", "deep/../Dockerfile", "../other/Dockerfile",
                 "deep/..", "deep/.", "deep/", "..", ".", "../other/x/..", str(tmp_path / "other" / "Dockerfile"),
                 "-", "../Dockerfile", "deep//Dockerfile"]
    for _ in range(2):  # looked up, then from what was kept
        for path in spellings:
            folder = os.getcwd() if path == "-" else os.path.dirname(os.path.abspath(path))
            assert resolver.for_path(path).path == plain.for_directory(folder).path, path
    assert resolver.for_path("deep/../Dockerfile").path == str(tmp_path / "svc" / ".dockerslim-lint.yml")
    assert resolver.for_path("../other/Dockerfile") is cfg.NO_CONFIG
