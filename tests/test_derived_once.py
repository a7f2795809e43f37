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


def test_dsl003_white_space_pattern_is_str_isspace():
    import sys

    from dockerslim_lint.rules.parse import _SPACE

    assert [c for c in map(chr, range(sys.maxunicode + 1)) if bool(_SPACE.search(c)) != c.isspace()] == []


def _removes_path_as_one_function(removed, path):
    """removes_path as it was before it was split in two (model/surface.py), the reference."""
    import fnmatch
    import posixpath

    if not removed or "$" in removed:
        return False
    r = removed
    while r.endswith("/*") or r.endswith("/**"):
        r = r[: r.rfind("/")]
    r = r.rstrip("/") or "/"
    if r.startswith("~/"):
        return path.endswith(r[1:]) or ("/" + r[2:]) in path
    r = posixpath.normpath(r)
    if any(c in r for c in "*?["):
        return fnmatch.fnmatchcase(path, r)
    return path == r or path.startswith(r.rstrip("/") + "/")


def test_a_removal_read_once_deletes_what_removes_path_said():
    removed = ["/bin/sh", "/bin/*", "/usr/bin/", "~/.cache/pip", "/var/lib/apt/lists/*", "/usr/local/bin/pip*",
               "$HOME/x", "", "/", "bin/../sbin/apk", "/busybox/**", "/usr/lib/node_modules/npm/", "~/", "/*"]
    paths = ["/bin/sh", "/bin/bash", "/usr/bin/apt-get", "/root/.cache/pip", "/var/lib/apt/lists/x",
             "/usr/local/bin/pip3", "/sbin/apk", "/busybox/sh", "/usr/lib/node_modules/npm", "/", "bin/sh"]
    for model in _fixture_models():
        for stage in model.stages:
            for _ins, run in stage.runs():
                removed.extend(run.removed_paths)
    assert len(removed) > 40  # the fixtures' rm arguments too
    for r in removed:
        for path in paths:
            expected = _removes_path_as_one_function(r, path)
            assert removes_path(r, path) == expected, (r, path)
            assert _removals_of([r]).removes(path) == expected, (r, path)


def _removals_of(removed_paths):
    from dockerslim_lint.dockerfile.commands import RunAnalysis

    return _removals(RunAnalysis(commands=[["rm", "-rf", *removed_paths]], removed_paths=list(removed_paths)))
