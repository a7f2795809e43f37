"""RUN analyses are shared by script text across the files of a batch (model/stages.py
_analysed): no reader may change one, or a later file would see the change."""
import functools
import glob
import os

from conftest import FIXTURES
from dockerslim_lint.dockerfile.commands import analyse
from dockerslim_lint.dockerfile.parser import parse
from dockerslim_lint.engine.linter import Linter, Options
from dockerslim_lint.engine.plugins import load_rules
from dockerslim_lint.fix.runner import fix_bytes
from dockerslim_lint.model import stages
from dockerslim_lint.model.surface import net_os_installed


def _snapshot(run):
    return (run.commands, [(op.manager, op.action, op.packages, op.words) for op in run.package_ops],
            run.build_commands, run.managers_run, run.removed_paths, run.opaque, run.command_env,
            run.net_installed(), net_os_installed(run))


def test_no_reader_changes_a_shared_analysis(monkeypatch):
    made = []

    def recording(script):
        run = analyse(script)
        made.append((script, run))
        return run

    monkeypatch.setattr(stages, "_analysed", functools.lru_cache(maxsize=None)(recording))
    linter = Linter(load_rules(with_plugins=False)[0], Options(report_unused_ignores=True))
    paths = sorted(glob.glob(os.path.join(FIXTURES, "**", "*Dockerfile*"), recursive=True))
    assert len(paths) > 100
    for path in paths:
        with open(path, "rb") as fh:
            data = fh.read()
        linter.lint_bytes(data, path)
        fix_bytes(data, lambda d: linter.lint_bytes(d, path), unsafe=True)
    assert len(made) > 100
    for script, run in made:
        assert _snapshot(run) == _snapshot(analyse(script)), script
        net_os_installed(run).append("changed by a caller")  # a copy: the kept list stays
        assert net_os_installed(run) == net_os_installed(analyse(script))


def test_the_same_run_in_two_files_is_one_analysis():
    text = b"FROM debian:12\nRUN apt-get update && apt-get install -y gcc && make\n"
    first = stages.build_model(parse(text))
    second = stages.build_model(parse(b"FROM ubuntu:24.04\n" + text.split(b"\n", 1)[1]))
    (ins1,), (ins2,) = first.stages[0].instructions, second.stages[0].instructions
    assert first.stages[0].run(ins1) is second.stages[0].run(ins2)
