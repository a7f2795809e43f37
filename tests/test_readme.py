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


def _example(name):
    """The code block right after `<!-- example: NAME -->` in the README."""
    with open(f"{ROOT}/README.md", encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- example: " + re.escape(name) + r" -->\n```[a-z]*\n(.*?)```", text, re.S)
    assert m, f"README.md has no example {name!r}"
    return m.group(1)


def _run(args):
    import os
    import subprocess
    import sys

    exe = os.path.join(os.path.dirname(sys.executable), "dockerslim-lint")
    env = dict(os.environ)
    for name in ("FORCE_COLOR", "NO_COLOR"):
        env.pop(name, None)
    return subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True, env=env)


def test_readme_seed_output_is_the_tools_output():
    import shlex

    lines = _example("seed-output").splitlines()
    assert lines[0].startswith("$ dockerslim-lint ")
    args = shlex.split(lines[0][2:])[1:]
    install, _ = _commands()
    assert install.split("&& ", 1)[1] == lines[0][2:]  # the README's first command, exactly
    result = _run(args)
    assert result.returncode == 1 and result.stderr == ""
    assert result.stdout.splitlines() == lines[1:]
    assert len(lines[1:]) <= 12  # about a dozen lines
    shown = [line.split(": ", 1)[1] for line in lines[1:] if ": DSL" in line]
    assert len(shown) == len(set(shown))  # no repeated paragraph


def test_readme_json_example_is_the_tools_output():
    import json

    result = _run(["--format", "json", "--select", "DSL101", "fixtures/seed/single-stage/Dockerfile"])
    assert json.loads(_example("json-output")) == json.loads(result.stdout)
    assert "--format json --select DSL101\nfixtures/seed/single-stage/Dockerfile" in open(
        f"{ROOT}/README.md", encoding="utf-8").read()


def test_readme_sizes_are_what_the_tool_prints():
    """The sizes the README quotes for the seed are the ones in the tool's suggestion."""
    with open(f"{ROOT}/README.md", encoding="utf-8") as f:
        text = f.read()
    seed = _example("seed-output")
    for quoted in ("about 890 MB", "2.3 MB"):
        assert quoted in seed
    head = text.split("<!-- example: seed-output -->")[0]
    assert "about 890 MB" in head and "2.3 MB" in head
    for stale in ("~860 MB", "~2 MB", "ships an 861 MB"):
        assert stale not in text


def test_readme_and_docs_never_cite_files_users_do_not_have():
    import glob

    from dockerslim_lint.docs import rule_doc
    from dockerslim_lint.engine.plugins import load_rules

    texts = {"README.md": open(f"{ROOT}/README.md", encoding="utf-8").read()}
    for rule in load_rules(with_plugins=False)[0]:
        texts[f"--explain {rule.ID}"] = rule_doc(rule)
    for path in glob.glob(f"{ROOT}/docs/rules/*.md"):
        texts[path] = open(path, encoding="utf-8").read()
    for where, text in texts.items():
        for internal in ("RULES.md", "IMAGE-FACTS.md", "shared/spec"):
            assert internal not in text, (where, internal)


def test_readme_explains_the_parser_decision():
    with open(f"{ROOT}/README.md", encoding="utf-8") as f:
        text = f.read()
    assert "[docs/parser.md](docs/parser.md)" in text
    paragraph = text[text.index("was specified on dockerfile-parse"):].split("\n\n", 1)[0]
    for words in ("about 3%", "heredocs", "continuations", "directives", "differential test"):
        assert words in paragraph, words


# -- the Fixing section: real output of --diff and --fix on the README's own Dockerfile ------

def _console(name, tmp_path):
    """(the README's output lines, the real output lines) of a `$ dockerslim-lint ...` example,
    run in a folder holding the README's Dockerfile; the real output as a terminal shows it
    (standard output, then standard error)."""
    import os
    import shlex
    import subprocess
    import sys

    (tmp_path / "Dockerfile").write_text(_example("fix-dockerfile"), encoding="utf-8")
    command, *shown = _example(name).splitlines()
    assert command.startswith("$ dockerslim-lint ")
    args = shlex.split(command[2:])[1:]
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run([sys.executable, "-m", "dockerslim_lint", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    return shown, (proc.stdout + proc.stderr).splitlines(), proc.returncode


def test_readme_diff_examples_are_real_output(tmp_path):
    for name in ("fix-diff", "fix-unsafe-diff"):
        shown, real, code = _console(name, tmp_path)
        assert shown == real, name
        assert code == 1
        assert (tmp_path / "Dockerfile").read_text(encoding="utf-8") == _example("fix-dockerfile")


def test_readme_fix_example_is_real_output(tmp_path):
    shown, real, code = _console("fix-run", tmp_path)
    head, tail = shown[:shown.index("...")], shown[shown.index("...") + 1:]
    assert real[:len(head)] == head and real[-len(tail):] == tail
    assert code == 1
    fixed = (tmp_path / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --no-cache-dir -r requirements.txt" in fixed
    _, again, _ = _console("fix-run", tmp_path)  # (the README's Dockerfile is written again)
    assert again[-1] == tail[-1]
