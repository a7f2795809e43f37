"""The pre-commit hook (.pre-commit-hooks.yaml): its `files:` pattern, and a real run.

The slow tests install the hook the way users get it: `pre-commit try-repo` (and the
documented `.pre-commit-config.yaml`) builds a virtualenv and pip-installs this
repository into it. try-repo installs a commit (HEAD, plus tracked changes, never
untracked files), so the tests first commit a snapshot of the working tree as it is
now into a scratch repository and point pre-commit at that: what is tested is the
current tree, new files included.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT
from dockerslim_lint.files import is_dockerfile_name
from test_config import doc_example

GIT = ["git", "-c", "user.name=dockerslim-lint tests", "-c", "user.email=tests@example.invalid",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", "-c", "core.hooksPath=/dev/null"]

SINGLE_STAGE = """FROM golang:1.23
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app .
ENTRYPOINT ["/app"]
"""

MULTI_STAGE = """FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app .

FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /app /app
ENTRYPOINT ["/app"]
"""


def _hook():
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as f:
        hooks = yaml.safe_load(f)
    (hook,) = [h for h in hooks if h["id"] == "dockerslim-lint"]
    return hook


def test_hook_definition():
    hook = _hook()
    assert hook["language"] == "python"
    assert hook["entry"] == "dockerslim-lint"
    assert hook["types"] == ["text"]


MATCHES = ["Dockerfile", "app/Dockerfile", "a/b/c/Dockerfile", "Dockerfile.prod", "deploy/Dockerfile.arm64",
           "Dockerfile-dev", "x/Dockerfile-build.ci", "web.Dockerfile", "ci/web.dockerfile", "Containerfile",
           "build/Containerfile", "Containerfile.rhel9", "images/Containerfile.debug", "dockerfile",
           "svc/dockerfile"]
NOT_MATCHES = ["Dockerfile.dockerignore", "svc/Dockerfile.prod.dockerignore", "api.Dockerfile.dockerignore",
               "x/Containerfile.dockerignore", "dockerfile.prod", "Dockerfile/README.md", "Dockerfile.d/setup.sh", "MyDockerfile", "src/notDockerfile",
               "Dockerfiles", "Dockerfile.prod/x", "web.Dockerfile.bak", "web.DOCKERFILE", "Containerfile-x",
               "containerfile", "docs/Dockerfile.md/x", "Dockerfile_old", ".dockerignore", "docker-compose.yml"]


@pytest.mark.parametrize("path", MATCHES)
def test_files_pattern_matches(path):
    assert re.search(_hook()["files"], path), path
    assert is_dockerfile_name(path.rsplit("/", 1)[-1])  # what `dockerslim-lint DIR` finds, too


@pytest.mark.parametrize("path", NOT_MATCHES)
def test_files_pattern_does_not_match(path):
    assert not re.search(_hook()["files"], path), path
    assert not is_dockerfile_name(path.rsplit("/", 1)[-1])


# --------------------------------------------------------------------------- the real thing

def _git(*args, cwd):
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    """This working tree, committed into a scratch repository: (path, commit)."""
    dest = tmp_path_factory.mktemp("snapshot") / "dockerslim-lint"
    dest.mkdir()
    if os.path.exists(os.path.join(ROOT, ".git")):
        listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
        for rel in filter(None, listed.split("\0")):
            src = os.path.join(ROOT, rel)
            if os.path.isfile(src) and not os.path.islink(src):  # deleted-but-tracked files are gone
                os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
                shutil.copy2(src, os.path.join(dest, rel))
    else:  # an unpacked source tree
        shutil.copytree(ROOT, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
            ".git", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", "build", "dist",
            ".venv", ".ci-venv", "node_modules"))
    assert (dest / ".pre-commit-hooks.yaml").exists() and (dest / "pyproject.toml").exists()
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    _git("commit", "-q", "--no-verify", "-m", "snapshot of the working tree", cwd=dest)
    return str(dest), _git("rev-parse", "HEAD", cwd=dest).strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return str(tmp_path_factory.mktemp("pre-commit-home"))


def _project(tmp_path, dockerfile):
    """A user's repository holding one Dockerfile."""
    _git("init", "-q", cwd=tmp_path)
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    _git("add", "-A", cwd=tmp_path)
    return tmp_path


def _pre_commit(args, cwd, home):
    env = dict(os.environ, PRE_COMMIT_HOME=home, NO_COLOR="1")
    env.pop("PRE_COMMIT", None)
    result = subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=1200)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("dockerfile,passes", [(SINGLE_STAGE, False), (MULTI_STAGE, True)],
                         ids=["single-stage-fails", "multi-stage-distroless-passes"])
def test_try_repo(tmp_path, snapshot, pre_commit_home, dockerfile, passes):
    repo, _ = snapshot
    project = _project(tmp_path, dockerfile)
    code, output = _pre_commit(["try-repo", repo, "dockerslim-lint", "--files", "Dockerfile", "--verbose"],
                               project, pre_commit_home)
    assert "dockerslim-lint" in output and "Creating temporary repo" not in output, output
    if passes:
        assert code == 0, output
        assert "Passed" in output and "DSL" not in output, output
    else:
        assert code == 1, output
        assert "Failed" in output and "Dockerfile:1:1: DSL101 error:" in output, output


@pytest.mark.slow
def test_documented_pre_commit_config(tmp_path, snapshot, pre_commit_home):
    """The README's `.pre-commit-config.yaml` as written (its `rev` included), pointed at the
    snapshot instead of GitHub, whose branch is `main` like the real repository's; then the
    README's pinning command turns the branch into the commit SHA."""
    repo, commit = snapshot
    config = yaml.safe_load(doc_example("pre-commit-config"))
    assert config["repos"][0]["repo"] == "https://github.com/dockerslim-lint/dockerslim-lint"
    assert [h["id"] for h in config["repos"][0]["hooks"]] == ["dockerslim-lint"]
    assert config["repos"][0]["rev"] == _git("rev-parse", "--abbrev-ref", "HEAD", cwd=repo).strip() == "main"
    config["repos"][0]["repo"] = repo
    project = _project(tmp_path, SINGLE_STAGE)
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git("add", "-A", cwd=project)
    code, output = _pre_commit(["run", "--all-files"], project, pre_commit_home)
    assert code == 1 and "DSL101" in output, output
    (project / "Dockerfile").write_text(MULTI_STAGE)
    code, output = _pre_commit(["run", "--all-files"], project, pre_commit_home)
    assert code == 0, output
    # `pre-commit autoupdate --freeze --repo URL`, as the README says, pins the SHA.
    code, output = _pre_commit(["autoupdate", "--freeze", "--repo", repo], project, pre_commit_home)
    assert code == 0, output
    pinned = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert pinned["repos"][0]["rev"] == commit
    code, output = _pre_commit(["run", "--all-files"], project, pre_commit_home)
    assert code == 0, output
