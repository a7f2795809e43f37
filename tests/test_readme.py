"""The README opens with the two commands that matter, and CI runs the second one exactly."""
import re

from conftest import ROOT


def _commands():
    with open(f"{ROOT}/README.md", encoding="utf-8") as f:
        text = f.read()
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_opens_with_install_and_test_commands():
    install, test = _commands()
    assert install.startswith("pip install .") and "dockerslim-lint fixtures/" in install
    assert "pytest" in test


def test_ci_runs_the_readme_test_command_exactly():
    _, test = _commands()
    with open(f"{ROOT}/.ci/run", encoding="utf-8") as f:
        lines = [line.strip() for line in f]
    assert test in lines


def test_readme_install_command_names_an_existing_fixture():
    import os

    install, _ = _commands()
    path = install.split("dockerslim-lint ", 1)[1].split()[0]
    assert os.path.exists(os.path.join(ROOT, path))
