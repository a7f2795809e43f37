"""Packaging: a non-editable install ships every module (each package folder is listed),
the metadata says what the README says, and (slow) `python -m build` makes an sdist and a
wheel with zero warnings, `twine check --strict` passes, and the wheel installs and runs."""
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _pyproject():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)


def test_every_python_package_folder_is_listed():
    tool = _pyproject()["tool"]["setuptools"]
    listed = set(tool["packages"])
    for package, folder in tool["package-dir"].items():
        for root, dirs, files in os.walk(os.path.join(ROOT, folder)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            if "__init__.py" in files:
                rel = os.path.relpath(root, os.path.join(ROOT, folder))
                name = package if rel == "." else package + "." + rel.replace(os.sep, ".")
                if name.startswith("dockerslim_lint.rules") and package == "dockerslim_lint":
                    continue
                assert name in listed, f"{name} ({root}) is missing from [tool.setuptools] packages"


def test_no_generic_top_level_names():
    tool = _pyproject()["tool"]["setuptools"]
    assert all(p == "dockerslim_lint" or p.startswith("dockerslim_lint.") for p in tool["packages"])


def test_homepage_is_kept_once_in_pyproject():
    assert _pyproject()["project"]["urls"]["Homepage"] == "https://github.com/dockerslim-lint/dockerslim-lint"


# --------------------------------------------------------------------------- metadata

def test_version_is_defined_once():
    project = _pyproject()["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert _pyproject()["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "dockerslim_lint.__version__"}
    import dockerslim_lint
    from importlib.metadata import version

    assert version("dockerslim-lint") == dockerslim_lint.__version__


def test_python_versions_and_licence():
    project = _pyproject()["project"]
    assert project["requires-python"] == ">=3.10"  # 3.9 is past its end of life; no upper cap
    assert project["license"] == "Apache-2.0"  # an SPDX expression, not a table
    assert project["license-files"] == ["LICENSE"]
    with open(os.path.join(ROOT, "LICENSE"), encoding="utf-8") as f:
        text = f.read()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert not any(c.startswith("License ::") for c in project["classifiers"])  # PEP 639: one place


# --------------------------------------------------------------------------- the real build

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """`python -m build` (sdist, then a wheel from it) of the working tree: (dist dir, log)."""
    out = tmp_path_factory.mktemp("dist")
    src = tmp_path_factory.mktemp("src") / "dockerslim-lint"
    _copy_tree(src)
    # PYTHONDONTWRITEBYTECODE (set on these machines) makes setuptools say "byte-compiling
    # is disabled": a fact of the environment, not of this project's configuration.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc.stdout + proc.stderr


def _copy_tree(dest):
    """The files git would commit (tracked and new, not ignored), like a fresh clone."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for rel in filter(None, listed.split("\0")):
        path = os.path.join(ROOT, rel)
        if os.path.isfile(path) and not os.path.islink(path):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(path, os.path.join(dest, rel))


@pytest.mark.slow
def test_build_has_no_warnings(built):
    _, log = built
    warnings = [line for line in log.splitlines() if re.search(r"warn|deprecat|!!", line, re.I)]
    assert warnings == [], "\n".join(warnings)


@pytest.mark.slow
def test_twine_check_passes(built):
    out, _ = built
    files = sorted(str(p) for p in out.iterdir())
    assert [f.endswith("-py3-none-any.whl") for f in files] == [True, False], files
    assert files[1].endswith(".tar.gz")
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.count("PASSED") == 2, proc.stdout + proc.stderr


@pytest.mark.slow
def test_wheel_contents_and_metadata(built):
    import dockerslim_lint

    out, _ = built
    (wheel,) = [p for p in out.iterdir() if p.suffix == ".whl"]
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        dist_info = f"dockerslim_lint-{dockerslim_lint.__version__}.dist-info"
        metadata = z.read(f"{dist_info}/METADATA").decode("utf-8")
    tool = _pyproject()["tool"]["setuptools"]
    expected = set()
    for package, folder in tool["package-dir"].items():
        for root, dirs, files in os.walk(os.path.join(ROOT, folder)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            rel = os.path.relpath(root, os.path.join(ROOT, folder))
            prefix = package.replace(".", "/") + ("" if rel == "." else "/" + rel.replace(os.sep, "/"))
            if package == "dockerslim_lint" and rel.split(os.sep)[0] == "..":
                continue
            for name in files:
                if name.endswith((".py", ".yaml", ".json", ".md")) and not name.startswith("test_"):
                    expected.add(f"{prefix}/{name}")
    missing = sorted(n for n in expected if n not in names)
    assert missing == [], missing
    assert f"{dist_info}/licenses/LICENSE" in names
    fields = [line for line in metadata.splitlines() if ": " in line]
    assert f"Version: {dockerslim_lint.__version__}" in fields
    assert "License-Expression: Apache-2.0" in fields and "License-File: LICENSE" in fields
    assert "Requires-Python: >=3.10" in fields
    assert "Provides-Extra: lsp" in fields


@pytest.mark.slow
def test_wheel_installs_and_runs(built, tmp_path):
    out, _ = built
    (wheel,) = [p for p in out.iterdir() if p.suffix == ".whl"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    proc = subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    seed = os.path.join(ROOT, "fixtures", "seed", "single-stage", "Dockerfile")
    run = subprocess.run([str(venv / "bin" / "dockerslim-lint"), "--format", "markdown", seed],
                         capture_output=True, text=True, cwd=str(tmp_path))
    assert run.returncode == 1 and "| 8 | 890 MB | 2.3 MB | 888 MB |" in run.stdout, run.stdout + run.stderr
    # Without the [lsp] extra the language server says how to get it.
    lsp = subprocess.run([str(venv / "bin" / "dockerslim-lint"), "lsp"], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    assert lsp.returncode == 2 and "pip install 'dockerslim-lint[lsp]'" in lsp.stderr, lsp.stderr
