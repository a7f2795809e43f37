"""A non-editable install must ship every module: each package folder is listed in pyproject."""
import os
import sys

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
