"""What the model layer works out once per file and keeps (model/stages.py Model.memo, the
kept RUN lists, the ARG/ENV dicts shared between two ARG/ENV) must read as if worked out
afresh, and rules that skip building fixes nobody reads must report the same findings."""
import glob
import os

from conftest import FIXTURES
from dockerslim_lint.dockerfile.parser import parse
from dockerslim_lint.engine.linter import Linter, Options
from dockerslim_lint.engine.plugins import load_rules
from dockerslim_lint.images.catalog import default_catalog
from dockerslim_lint.model.stages import build_model
from dockerslim_lint.model.surface import reads_as_posix_shell, removes_path, runtime_runs, _removals


def _fixture_models():
    catalog = default_catalog()
    paths = sorted(glob.glob(os.path.join(FIXTURES, "**", "*Dockerfile*"), recursive=True))
    assert len(paths) > 100
    for path in paths:
        with open(path, "rb") as fh:
            parsed = parse(fh.read())
        if parsed.error is not None:
            continue
        try:
            yield build_model(parsed, catalog=catalog)
        except Exception:
            continue  # no FROM, unknown target: no model


def test_kept_settings_are_the_walks_they_replace():
    count = 0
    for model in _fixture_models():
        count += 1
        for keyword in ("SHELL", "HEALTHCHECK", "USER", "CMD", "ENTRYPOINT", "RUN", "COPY", "EXPOSE"):
            last = None
            for stage in model.runtime_stages:
                for ins in stage.instructions:
                    if ins.keyword == keyword:
                        last = ins
            assert model.effective(keyword) is last
            assert model.effective(keyword, model.runtime_stages) is last
        for name in ("effective_entrypoint_cmd", "effective_user", "effective_shell"):
            kept = getattr(model, name)
            assert getattr(model, name) is kept  # worked out once
            assert getattr(type(model), name).func(model) == kept  # as worked out afresh
        for stage in model.stages:
            assert [ins for ins, _ in stage.runs()] == [i for i in stage.instructions if i.keyword == "RUN"]
            assert all(run is stage.run(ins) for ins, run in stage.runs())
            assert stage.root is stage.chain[0]
        assert list(runtime_runs(model)) == [
            (stage, ins, run) for stage in model.runtime_stages for ins, run in stage.runs()
            if not run.opaque and reads_as_posix_shell(model, stage, ins)]
    assert count > 100


def test_a_runs_kept_removals_answer_as_removes_path():
    paths = ["/bin/sh", "/bin/bash", "/busybox/sh", "/usr/bin/apt-get", "/var/lib/dpkg", "/sbin/apk",
             "/usr/local/bin/pip", "/usr/local/lib/node_modules/npm", "/bin", "/"]
    seen = 0
    for model in _fixture_models():
        for stage in model.stages:
            for _ins, run in stage.runs():
                gone = _removals(run)
                assert gone is _removals(run)
                for path in paths + [r for r in run.removed_paths if r.startswith("/")]:
                    seen += bool(run.removed_paths)
                    assert gone.removes(path) == any(removes_path(r, path) for r in run.removed_paths)
    assert seen > 100


def test_arg_and_env_values_at_each_instruction():
    model = build_model(parse(
        b"ARG BASE=alpine\nFROM $BASE AS one\nARG A=1\nRUN echo $A\nWORKDIR /x\nENV B=${A}-x\n"
        b"RUN echo $B\nARG A=2\nENV A=3\nRUN true\nFROM one\nRUN echo $A $B\nARG C\nRUN true\n"))
    one, two = model.stages
    runs = [ins for ins in one.instructions if ins.keyword == "RUN"]
    workdir = one.instructions[2]
    assert one.vars_at(one.instructions[0]) == {}
    assert one.vars_at(runs[0]) == {"A": "1"} == one.vars_at(workdir)
    assert one.vars_at(runs[1]) == {"A": "1", "B": "1-x"}
    assert one.vars_at(one.instructions[5]) == {"A": "1", "B": "1-x"}  # ARG A=2: before it
    assert one.vars_at(one.instructions[6]) == {"A": "2", "B": "1-x"}  # ENV A=3: before it
    assert one.vars_at(runs[2]) == {"A": "3", "B": "1-x"} == one.variables
    assert one.vars_at(runs[0]) is not one.variables  # a snapshot, not the live dict
    first, second = [ins for ins in two.instructions if ins.keyword == "RUN"]
    assert two.vars_at(first) == {"A": "3", "B": "1-x"}  # ENV carries into the child stage
    assert two.vars_at(second) == {"A": "3", "B": "1-x", "C": None}


def _findings(fixes: bool):
    linter = Linter(load_rules(with_plugins=False)[0], Options())
    linter.context.fixes = fixes
    out = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "**", "*Dockerfile*"), recursive=True)):
        with open(path, "rb") as fh:
            result = linter.lint_bytes(fh.read(), path)
        out.append((path, [(f.rule_id, f.line, f.column, f.message, f.severity, f.extra, f.suggestion)
                           for f in result.findings], result.errors, [f.fix for f in result.findings]))
    return out


def test_rules_without_fixes_report_the_same_findings():
    with_fixes, without = _findings(True), _findings(False)
    assert [row[:3] for row in with_fixes] == [row[:3] for row in without]
    rule_fixes = {"DSL305", "DSL307", "DSL401", "DSL402", "DSL505"}  # the fixes rules build themselves
    built = [fix for path, findings, _, fixes in with_fixes for (rule_id, *_), fix in zip(findings, fixes)
             if rule_id in rule_fixes and fix is not None]
    assert len(built) > 20
    assert all(fix is None for path, findings, _, fixes in without for (rule_id, *_), fix in zip(findings, fixes)
               if rule_id in rule_fixes)
