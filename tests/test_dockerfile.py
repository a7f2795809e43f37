"""Our own Dockerfile: built the way our rules ask, and linted clean by ourselves.

It cannot be built here (no Docker engine on the project's machines); what is checked is
what the linter and the file itself can show: no findings at all, and each property the
rules judge really is judged (changing it makes the rule fire)."""
import os

import pytest

from conftest import ROOT
from dockerslim_lint.cli import main

DOCKERFILE = os.path.join(ROOT, "Dockerfile")


def text():
    with open(DOCKERFILE, encoding="utf-8") as f:
        return f.read()


def lint(tmp_path, content, *args):
    path = tmp_path / "Dockerfile"
    path.write_text(content)
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit:
        main(["--no-color", *args, str(path)])
    return exit.value.code, out.getvalue()


def test_our_dockerfile_has_no_findings(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--no-color", "--failure-threshold", "info", DOCKERFILE])
    out = capsys.readouterr()
    assert exit.value.code == 0, out.out + out.err
    assert out.out == "no problems in 1 file\n" and out.err == ""


def test_it_is_what_the_rules_ask():
    from dockerslim_lint.dockerfile.parser import parse

    parsed = parse(text().encode())
    froms = [i for i in parsed.instructions if i.keyword == "FROM"]
    assert [f.value for f in froms] == ["python:3.13-slim-trixie AS build",
                                        "gcr.io/distroless/python3-debian13:nonroot"]
    (entrypoint,) = [i for i in parsed.instructions if i.keyword == "ENTRYPOINT"]
    assert entrypoint.exec_form and entrypoint.args == ("/usr/bin/python3", "-m", "dockerslim_lint")
    copies = [i for i in parsed.instructions if i.keyword == "COPY" and not i.flags]
    for copy in copies:  # every source it copies from the repository exists
        for source in copy.args[:-1]:
            assert os.path.exists(os.path.join(ROOT, source)), source
    assert "--target /opt/dockerslim-lint" in text() and "ENV PYTHONPATH=/opt/dockerslim-lint" in text()


@pytest.mark.parametrize("old,new,rule", [
    ("python:3.13-slim-trixie", "python:3.12-slim-bookworm", "DSL504"),  # build Python != runtime Python
    ("python3-debian13:nonroot", "python3-debian13", "DSL307"),  # root
    ('ENTRYPOINT ["/usr/bin/python3", "-m", "dockerslim_lint"]', "ENTRYPOINT python3 -m dockerslim_lint",
     "DSL305"),  # shell form on an image without a shell
])
def test_each_property_is_judged(tmp_path, old, new, rule):
    assert old in text()
    code, out = lint(tmp_path, text().replace(old, new))
    assert code == 1 and f" {rule} " in out, out
