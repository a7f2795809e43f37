"""`--format sarif`: content, stability of fingerprints, fixes, and two validators.

Validators (both must report zero errors and zero warnings):
- the OASIS SARIF 2.1.0 schema (Draft 4, jsonschema), vendored under tests/sarif/;
- the Microsoft SARIF multitool with the SARIF and GitHub (Ghas) rule kinds and the
  strict configuration, called exactly as tests/sarif/validate_sarif.py does. It is
  found through SARIF_MULTITOOL_DIR (`. .ci/sarif-multitool.sh` installs it); the
  tests skip where it is absent, and fail where SARIF_MULTITOOL_DIR promises it.
"""
import contextlib
import hashlib
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from urllib.parse import quote

import pytest

from conftest import FIXTURES, ROOT

from dockerslim_lint.engine.findings import Finding, Suggestion
from dockerslim_lint.engine.linter import FileResult
from dockerslim_lint.reporters import Report, get_writer
from dockerslim_lint.engine.rule import Rule

SARIF_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sarif")
DEFAULT_MULTITOOL_DIR = os.path.join(tempfile.gettempdir(), "dockerslim-lint-sarif-multitool")
HOMEPAGE = "https://github.com/dockerslim-lint/dockerslim-lint"
FINGERPRINT = re.compile(r"^[0-9a-f]{16}:[1-9][0-9]*$")


def _load_validator():
    spec = importlib.util.spec_from_file_location("validate_sarif", os.path.join(SARIF_DIR, "validate_sarif.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


validate_sarif = _load_validator()


# -- helpers --------------------------------------------------------------------------

def _check(model, context):
    return iter(())


RULES = [
    Rule("DSL101", "single-stage-build", "error", "Build and runtime share one stage", _check,
         TAGS=("size",)),
    Rule("DSL202", "full-os-runtime-base", "warning", "The runtime base is a full OS image.", _check,
         TAGS=("size", "security"), SECURITY_SEVERITY=4.0),
    Rule("DSL301", "shell-in-runtime", "warning", "The shipped image contains a shell", _check,
         TAGS=("attack-surface",), SECURITY_SEVERITY=5),
    Rule("DSL402", "recommends-in-runtime", "info", "apt installs recommended packages", _check,
         PRECISION="medium"),
]

LINES = [
    "FROM ubuntu AS build",
    "RUN apt-get update && apt-get install -y golang-go",
    "COPY . .",
    "RUN CGO_ENABLED=0 go build -o /app .",
    'ENTRYPOINT ["/app"]',
]

SAFE = Suggestion("gcr.io/distroless/static-debian13:nonroot",
                  "static binary", image_size_mb=2.0,
                  fix_safe=True, replaces="ubuntu", replace_line=1, replace_column=6)


def finding(rule_id, line, severity, message="message", path="Dockerfile", **kw):
    return Finding(rule_id, line, message, severity=severity, path=path,
                   name=next((r.NAME for r in RULES if r.ID == rule_id), rule_id), **kw)


def file_result(path="Dockerfile", findings=(), lines=LINES, errors=()):
    findings = list(findings)
    for f in findings:
        f.path = path
    return FileResult(path, findings, errors=list(errors), source_lines=list(lines) if lines is not None else None)


def sarif(results, root, rules=RULES, **report):
    stream = io.StringIO()
    get_writer("sarif")(stream, results, Report(rules=list(rules), version="0.1.0", root=str(root), **report))
    return json.loads(stream.getvalue())


def seed_results():
    return [file_result(findings=[
        finding("DSL101", 1, "error", "this single stage builds Go", suggestion=SAFE),
        finding("DSL202", 1, "warning", "ubuntu is a full OS"),
        finding("DSL301", 1, "warning", "ubuntu has /bin/sh"),
        finding("DSL402", 2, "info", "no --no-install-recommends"),
    ])]


def schema_errors(log, tmp_path):
    path = tmp_path / "schema-check.sarif"
    path.write_text(json.dumps(log), encoding="utf-8")
    return validate_sarif.schema_errors(str(path))


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Relative paths of constructed FileResults are relative to the root, tmp_path."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def multitool():
    """The multitool binary, or a skip with the reason (a failure where CI promised it)."""
    promised = os.environ.get("SARIF_MULTITOOL") or os.environ.get("SARIF_MULTITOOL_DIR")
    saved = os.environ.get("SARIF_MULTITOOL_DIR")
    if not promised and os.path.isdir(DEFAULT_MULTITOOL_DIR):
        os.environ["SARIF_MULTITOOL_DIR"] = DEFAULT_MULTITOOL_DIR
    try:
        found = validate_sarif.find_multitool()
    finally:
        if saved is None:
            os.environ.pop("SARIF_MULTITOOL_DIR", None)
    if found and os.path.isfile(found):
        return found
    if promised:
        pytest.fail(f"SARIF_MULTITOOL(_DIR) is set ({promised}) but the sarif-multitool binary "
                    "was not found there: did `npm install @microsoft/sarif-multitool` fail?")
    pytest.skip("Microsoft sarif-multitool not installed (needs node and npm): run "
                "`. .ci/sarif-multitool.sh`, or set SARIF_MULTITOOL_DIR to a folder where "
                "`npm install @microsoft/sarif-multitool` ran")


def multitool_problems(multitool, log, tmp_path, name="log.sarif"):
    path = tmp_path / name
    path.write_text(json.dumps(log), encoding="utf-8")
    return validate_sarif.multitool_findings(multitool, str(path))


# -- levels survive serialisation ----------------------------------------------------

def test_every_result_keeps_its_level_even_the_schema_default(tmp_path):
    log = sarif(seed_results(), tmp_path)
    results = log["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "warning", "note"]
    # "warning" is the schema default of result.level: it is written all the same...
    assert all("level" in r for r in results)
    # ...and a warning result of an error rule keeps its own level, not its rule's.
    overridden = [file_result(findings=[finding("DSL101", 1, "warning")])]
    result = sarif(overridden, tmp_path)["runs"][0]["results"][0]
    assert result["level"] == "warning"


def test_default_configuration_level_is_written_for_every_rule(tmp_path):
    rules = sarif([], tmp_path)["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"]: r["defaultConfiguration"]["level"] for r in rules} == {
        "DSL101": "error", "DSL202": "warning", "DSL301": "warning", "DSL402": "note"}


def test_unset_sarif_om_defaults_stay_out(tmp_path):
    log = sarif(seed_results(), tmp_path)
    run = log["runs"][0]
    for absent in ("language", "newlineSequences"):
        assert absent not in run
    assert "contents" not in run["tool"]["driver"]
    for result in run["results"]:
        assert not {"kind", "rank"} & set(result)
        assert "index" not in result["locations"][0]["physicalLocation"]["artifactLocation"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert not {"byteOffset", "charOffset"} & set(region)
    assert not {"enabled", "rank"} & set(run["tool"]["driver"]["rules"][0]["defaultConfiguration"])


def test_serialiser_keeps_set_defaults_and_drops_unset_ones():
    import sarif_om as om
    from dockerslim_lint.reporters import sarif as reporter

    made = reporter._make(om.Result, message=reporter._make(om.Message, text="m."), level="warning")
    assert reporter.to_data(made) == {"message": {"text": "m."}, "level": "warning"}
    plain = om.Result(message=om.Message(text="m."), level="warning", rule_index=3)
    assert reporter.to_data(plain) == {"message": {"text": "m."}, "ruleIndex": 3}


# -- tool.driver and rules --------------------------------------------------------------

def test_driver_identity(tmp_path):
    driver = sarif([], tmp_path)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "dockerslim-lint"
    assert driver["version"] == driver["semanticVersion"] == "0.1.0"
    assert driver["informationUri"] == HOMEPAGE
    assert [r["id"] for r in driver["rules"]] == ["DSL101", "DSL202", "DSL301", "DSL402"]


def test_homepage_comes_from_distribution_metadata_with_a_fallback(monkeypatch):
    from dockerslim_lint.reporters import sarif as reporter

    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        declared = re.search(r'^Homepage\s*=\s*"([^"]+)"', f.read(), re.M).group(1)
    assert reporter.homepage() == declared.rstrip("/")
    monkeypatch.setattr(reporter, "DISTRIBUTION", "no-such-distribution-dockerslim")
    assert reporter.homepage() == reporter.FALLBACK_HOMEPAGE == HOMEPAGE


def test_rule_descriptors(tmp_path):
    from dockerslim_lint.docs import rule_doc

    rules = {r["id"]: r for r in sarif([], tmp_path)["runs"][0]["tool"]["driver"]["rules"]}
    for rule in RULES:
        d = rules[rule.ID]
        assert d["name"] == rule.NAME
        assert d["shortDescription"]["text"].startswith(rule.SUMMARY.rstrip("."))
        assert d["fullDescription"]["text"]
        doc = rule_doc(rule)
        if doc:
            assert d["help"]["markdown"] == doc.strip() == d["help"]["text"]
            assert d["helpUri"] == f"{HOMEPAGE}/blob/main/docs/rules/{rule.ID}.md"
        assert d["properties"]["precision"] == rule.PRECISION
    assert rules["DSL101"]["properties"]["tags"] == ["size"]
    assert "security-severity" not in rules["DSL101"]["properties"]
    assert "security-severity" not in rules["DSL402"]["properties"]
    assert "tags" not in rules["DSL402"]["properties"]


def test_security_severity_is_a_string_from_0_1_to_10_on_security_tagged_rules(tmp_path):
    rules = {r["id"]: r for r in sarif([], tmp_path)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["DSL202"]["properties"]["security-severity"] == "4.0"
    assert rules["DSL301"]["properties"]["security-severity"] == "5.0"
    for rule in ("DSL202", "DSL301"):
        value = rules[rule]["properties"]["security-severity"]
        assert isinstance(value, str) and 0.1 <= float(value) <= 10
        # GitHub reads security-severity only on rules tagged "security".
        assert "security" in rules[rule]["properties"]["tags"]
    from dockerslim_lint.reporters.sarif import security_severity

    assert security_severity(0) is None and security_severity(10.5) is None
    assert security_severity(0.1) == "0.1" and security_severity(10) == "10.0"


def test_builtin_rules_get_their_documentation_as_help(tmp_path, rules):
    from dockerslim_lint.docs import rule_doc

    log = sarif([], tmp_path, rules=rules)
    described = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(described) == {r.ID for r in rules}
    for rule in rules:
        d = described[rule.ID]
        assert d["help"]["markdown"] == (rule_doc(rule).strip() or d["help"]["markdown"])
        assert d["helpUri"] == f"{HOMEPAGE}/blob/main/docs/rules/{rule.ID}.md"
        assert d["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning",
                                                       "info": "note"}[rule.SEVERITY]
        if rule.SECURITY_SEVERITY is not None:
            assert 0.1 <= float(d["properties"]["security-severity"]) <= 10
        else:
            assert "security-severity" not in d["properties"]
    assert not schema_errors(log, tmp_path)


# -- results ---------------------------------------------------------------------------

def test_result_fields(tmp_path):
    log = sarif(seed_results(), tmp_path)
    run = log["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert len(result["locations"]) == 1
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}
        assert set(location["region"]) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert FINGERPRINT.match(result["partialFingerprints"]["primaryLocationLineHash"])
    first = run["results"][0]
    assert first["message"]["text"] == ("this single stage builds Go. Suggestion: ship "
                                        "gcr.io/distroless/static-debian13:nonroot (static binary): about 2 MB.")
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": len(LINES[0]) + 1}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


def test_explicit_end_of_region_is_kept(tmp_path):
    f = finding("DSL402", 2, "info", end_line=3, end_column=5, column=5)
    region = sarif([file_result(findings=[f])], tmp_path)["runs"][0]["results"][0][
        "locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 5, "endLine": 3, "endColumn": 5}


def test_uris_are_relative_to_the_root_and_encoded(tmp_path):
    (tmp_path / "svc a").mkdir()
    inside = str(tmp_path / "svc a" / "Dockerfile.prod")
    outside = os.path.join(os.path.dirname(str(tmp_path)), "elsewhere", "Dockerfile")
    log = sarif([file_result(inside, [finding("DSL301", 1, "warning")]),
                 file_result("svc a/Dockerfile#1", [finding("DSL301", 1, "warning")]),
                 file_result(outside, [finding("DSL301", 1, "warning")])], tmp_path)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert uris[0] == {"uri": "svc%20a/Dockerfile.prod", "uriBaseId": "%SRCROOT%"}
    assert uris[1] == {"uri": "svc%20a/Dockerfile%231", "uriBaseId": "%SRCROOT%"}
    # Outside the root: still relative (GitHub rejects absolute file URIs, GH1006).
    assert uris[2] == {"uri": "../elsewhere/Dockerfile", "uriBaseId": "%SRCROOT%"}
    assert not schema_errors(log, tmp_path)


def test_standard_input(tmp_path):
    log = sarif([file_result("<stdin>", [finding("DSL301", 1, "warning")]),
                 file_result("deploy/Dockerfile", [finding("DSL301", 1, "warning")])], tmp_path)
    stdin, named = [r["locations"][0]["physicalLocation"]["artifactLocation"]
                    for r in log["runs"][0]["results"]]
    assert stdin["uri"] == "stdin" and "uriBaseId" not in stdin
    assert "standard input" in stdin["description"]["text"].lower()
    # --stdin-filename: the name given is reported like a file of the repository.
    assert named == {"uri": "deploy/Dockerfile", "uriBaseId": "%SRCROOT%"}


# -- fingerprints ----------------------------------------------------------------------

def _hashes(lines, findings):
    log = sarif([file_result(findings=findings, lines=lines)], "/")
    return [r["partialFingerprints"]["primaryLocationLineHash"] for r in log["runs"][0]["results"]]


def test_fingerprint_survives_unrelated_lines_moving():
    before = _hashes(LINES, [finding("DSL402", 2, "info")])
    moved = ["# syntax=docker/dockerfile:1", "", "ARG X=1"] + LINES
    after = _hashes(moved, [finding("DSL402", 5, "info")])
    assert before == after
    # Whitespace changes on the line do not matter either.
    respaced = list(LINES)
    respaced[1] = "RUN  apt-get update &&   apt-get install -y golang-go   "
    assert _hashes(respaced, [finding("DSL402", 2, "info")]) == before


def test_fingerprint_changes_with_rule_and_line_text():
    base = _hashes(LINES, [finding("DSL402", 2, "info")])[0]
    assert _hashes(LINES, [finding("DSL301", 2, "warning")])[0] != base
    edited = list(LINES)
    edited[1] = "RUN apt-get update && apt-get install -y golang-go git"
    assert _hashes(edited, [finding("DSL402", 2, "info")])[0] != base
    expected = hashlib.sha256(("DSL402\0" + LINES[1]).encode()).hexdigest()[:16]
    assert base == expected + ":1"


def test_identical_rule_and_line_pairs_are_numbered():
    lines = ["FROM debian", "RUN apt-get install -y curl", "RUN apt-get install -y curl"]
    hashes = _hashes(lines, [finding("DSL402", 2, "info"), finding("DSL402", 3, "info"),
                             finding("DSL301", 3, "warning")])
    assert hashes[0].split(":")[0] == hashes[1].split(":")[0]
    assert [h.split(":")[1] for h in hashes] == ["1", "2", "1"]
    assert len(set(hashes)) == 3


def test_fingerprint_without_source_lines():
    hashes = _hashes(None, [finding("DSL001", 1, "error")])
    assert FINGERPRINT.match(hashes[0])


# -- fixes -----------------------------------------------------------------------------

def _with_fix(f):
    """As the engine does: a finding whose suggestion is fix_safe carries the base swap."""
    from dockerslim_lint.fix.edits import base_swap

    f.fix = base_swap(LINES, f.suggestion)
    return f


def test_fix_only_for_safe_suggestions(tmp_path):
    unsafe = Suggestion(SAFE.image, SAFE.text, fix_safe=False, replaces="ubuntu",
                        replace_line=1, replace_column=6)
    results = [file_result(findings=[_with_fix(finding("DSL101", 1, "error", suggestion=SAFE)),
                                     _with_fix(finding("DSL202", 1, "warning", suggestion=unsafe)),
                                     finding("DSL301", 1, "warning")])]
    safe, not_safe, plain = sarif(results, tmp_path)["runs"][0]["results"]
    assert "fixes" not in not_safe and "fixes" not in plain
    (fix,) = safe["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [{
        "deletedRegion": {"startLine": 1, "startColumn": 6, "endLine": 1, "endColumn": 12},
        "insertedContent": {"text": "gcr.io/distroless/static-debian13:nonroot"},
    }]
    assert LINES[0][5:11] == "ubuntu"
    assert fix["description"]["text"] == ("Replace the base image ubuntu with "
                                          "gcr.io/distroless/static-debian13:nonroot. "
                                          "This may change what the image does.")


def test_no_fix_when_the_line_does_not_hold_the_reference(tmp_path):
    wrong = Suggestion(SAFE.image, SAFE.text, fix_safe=True, replaces="debian",
                       replace_line=1, replace_column=6)
    result = sarif([file_result(findings=[_with_fix(finding("DSL101", 1, "error", suggestion=wrong))])],
                   tmp_path)["runs"][0]["results"][0]
    assert "fixes" not in result


def test_every_edit_of_a_fix_is_a_replacement(tmp_path):
    from dockerslim_lint.fix.edits import Edit, Fix

    fix = Fix("Add `--no-cache-dir` to pip install.", (Edit(2, 20, 2, 20, " --x"), Edit(1, 1, 1, 5, "FROM")),
              safe=True)
    log = sarif([file_result(findings=[finding("DSL402", 2, "info", fix=fix)])], tmp_path)
    (result,) = log["runs"][0]["results"]
    (sarif_fix,) = result["fixes"]
    assert sarif_fix["description"]["text"] == "Add `--no-cache-dir` to pip install."
    assert sarif_fix["artifactChanges"][0]["replacements"] == [
        {"deletedRegion": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 5},
         "insertedContent": {"text": "FROM"}},
        {"deletedRegion": {"startLine": 2, "startColumn": 20, "endLine": 2, "endColumn": 20},
         "insertedContent": {"text": " --x"}},
    ]
    assert schema_errors(log, tmp_path) == []


# -- run level -------------------------------------------------------------------------

def test_invocation_and_notifications(tmp_path):
    ok = sarif(seed_results(), tmp_path)["runs"][0]["invocations"]
    assert ok == [{"executionSuccessful": True}]
    results = [file_result("bad/Dockerfile", errors=["internal error in rule DSL999 (boom)"])]
    log = sarif(results, tmp_path, errors=["missing/Dockerfile: no such file or directory",
                                           "bad/Dockerfile: internal error in rule DSL999 (boom)"])
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    # The CLI copies FileResult errors into Report.errors: each error appears once.
    assert texts == ["missing/Dockerfile: no such file or directory.",
                     "bad/Dockerfile: internal error in rule DSL999 (boom)."]
    assert all(n["level"] == "error" for n in invocation["toolExecutionNotifications"])
    assert log["runs"][0]["results"] == []
    assert not schema_errors(log, tmp_path)


def test_file_errors_only_in_file_results_are_reported(tmp_path):
    log = sarif([file_result("x/Dockerfile", errors=["target stage 'prod' not found"])], tmp_path)
    (note,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"] == "x/Dockerfile: target stage 'prod' not found."


def test_category_sets_automation_details(tmp_path):
    assert sarif([], tmp_path, sarif_category="dockerfiles/prod")["runs"][0][
        "automationDetails"] == {"id": "dockerfiles/prod"}
    assert "automationDetails" not in sarif([], tmp_path)["runs"][0]


def test_unused_suppressions_are_configuration_notes(tmp_path):
    result = file_result()
    result.unused_ignores = [(3, "DSL301")]
    log = sarif([result], tmp_path)
    (note,) = log["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert note["level"] == "note" and "DSL301" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}


def test_log_envelope(tmp_path):
    log = sarif([], tmp_path)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert len(log["runs"]) == 1 and log["runs"][0]["results"] == []


# -- validators on constructed logs ------------------------------------------------------

def _constructed_logs(root):
    broken = [file_result("broken/Dockerfile", lines=[],
                          findings=[finding("DSL101", 1, "error", "cannot read this as a Dockerfile")])]
    weird = [file_result("odd dir/Dockerfile,prod", lines=["FROM a", "RUN x\x1b[2J"],
                         findings=[finding("DSL301", 2, "warning", "ünïcödé and \x1b escape: 100%")]),
             file_result("<stdin>", findings=[finding("DSL402", 2, "info")])]
    unused = file_result()
    unused.unused_ignores = [(2, "DSL402")]
    return {
        "seed": sarif(seed_results(), root, sarif_category="dockerslim-lint/"),
        "empty": sarif([], root),
        "no-findings": sarif([file_result()], root),
        "broken": sarif(broken, root, errors=["gone/Dockerfile: no such file or directory"]),
        "weird": sarif(weird, root),
        "unused": sarif([unused], root),
        "outside": sarif([file_result("/elsewhere/Dockerfile", [finding("DSL301", 1, "warning")])], root),
    }


def test_constructed_logs_match_the_oasis_schema(tmp_path):
    for name, log in _constructed_logs(tmp_path).items():
        assert schema_errors(log, tmp_path) == [], name


def test_the_schema_catches_a_bad_level(tmp_path):
    log = sarif(seed_results(), tmp_path)
    log["runs"][0]["results"][0]["level"] = "critical"
    assert schema_errors(log, tmp_path)


def test_constructed_logs_pass_the_multitool(tmp_path, multitool):
    paths = []
    for name, log in _constructed_logs(tmp_path).items():
        path = tmp_path / f"{name}.sarif"
        path.write_text(json.dumps(log), encoding="utf-8")
        paths.append(str(path))
    assert multitool_batch(multitool, paths) == {}
    # The reference call of validate_sarif.py, one file, agrees.
    assert validate_sarif.multitool_findings(multitool, paths[0]) == []


def test_the_multitool_catches_an_absolute_uri(tmp_path, multitool):
    log = sarif(seed_results(), tmp_path)
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] = {
        "uri": "file:///abs/Dockerfile"}
    assert any(rule == "GH1006" for rule, _, _ in multitool_problems(multitool, log, tmp_path))
    # The batch call used for the fixtures pins each problem on its own log.
    good = tmp_path / "good.sarif"
    good.write_text(json.dumps(sarif(seed_results(), tmp_path)), encoding="utf-8")
    found = multitool_batch(multitool, [str(good), str(tmp_path / "log.sarif")])
    assert set(found) == {"log.sarif"} and {rule for rule, _, _ in found["log.sarif"]} == {"GH1006"}


def test_vendored_schema_is_unmodified():
    with open(os.path.join(SARIF_DIR, "sarif-schema-2.1.0.NOTICE.txt"), encoding="utf-8") as f:
        recorded = re.search(r"sha256:\s*([0-9a-f]{64})", f.read()).group(1)
    with open(os.path.join(SARIF_DIR, "sarif-schema-2.1.0.json"), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == recorded


# -- end to end over every fixture ---------------------------------------------------------

SKIP_SUFFIXES = (".yaml", ".yml", ".json", ".md", ".txt", ".sarif")


def uri_of(rel):
    return quote(rel.replace(os.sep, "/"), safe="/")


def fixture_dockerfiles():
    found = []
    for folder, dirs, names in os.walk(FIXTURES):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") and not name.lower().endswith(SKIP_SUFFIXES):
                found.append(os.path.relpath(os.path.join(folder, name), ROOT))
    return found


FIXTURE_FILES = fixture_dockerfiles()


def run_cli(args, cwd, stdin=None):
    """`python -m dockerslim_lint ARGS` in cwd: (exit code, stdout, stderr)."""
    p = subprocess.run([sys.executable, "-m", "dockerslim_lint"] + list(args), cwd=cwd,
                       input=stdin, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def run_cli_here(args):
    """The CLI in this process, from the repository root: (exit code, stderr)."""
    from dockerslim_lint.cli import main

    here = os.getcwd()
    err = io.StringIO()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stderr(err):
            main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(here)
    return code, err.getvalue()


@pytest.fixture(scope="module")
def fixture_logs(tmp_path_factory):
    """One SARIF log per fixture, one over the whole fixtures/ tree, and a few odd runs."""
    out = tmp_path_factory.mktemp("fixture-sarif")
    logs = {}

    def produce(name, args, stdin=None):
        path = out / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".sarif")
        args = ["--format", "sarif", "-o", str(path)] + args
        if stdin is None:
            code, stderr = run_cli_here(args)
        else:
            code, _, stderr = run_cli(args, ROOT, stdin)
        assert code in (0, 1, 2), stderr
        assert "internal error" not in stderr, stderr
        logs[name] = (str(path), code, stderr)

    for rel in FIXTURE_FILES:
        produce(rel, [rel])
    produce("all fixtures", ["fixtures", "--sarif-category", "dockerfiles/"])
    produce("missing file", ["fixtures/seed/single-stage/Dockerfile", "no/such/Dockerfile"])
    with open(os.path.join(ROOT, "fixtures", "seed", "single-stage", "Dockerfile"), encoding="utf-8") as f:
        seed = f.read()
    produce("stdin", ["-"], stdin=seed)
    produce("stdin named", ["-", "--stdin-filename", "deploy/Dockerfile"], stdin=seed)
    return logs


def multitool_batch(multitool, paths):
    """The multitool over many logs in one call, with validate_sarif.py's arguments.

    Returns {basename of a log: [(rule, level, text)]}, and "*" for notifications.
    """
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.sarif")
        p = subprocess.run(
            [multitool, "validate", *paths, "--rule-kind", "Ghas;Sarif", "--level", "Error;Warning",
             "-c", validate_sarif.CONFIG, "-o", out, "--log", "ForceOverwrite"],
            capture_output=True, text=True, timeout=600)
        assert p.returncode == 0 and os.path.exists(out), p.stdout[-2000:]
        with open(out, encoding="utf-8") as f:
            run = json.load(f)["runs"][0]
    assert f"{len(paths)} files scanned" in p.stdout, p.stdout[-2000:]
    rules = run["tool"]["driver"].get("rules", [])
    by_file = {}
    for r in run.get("results", []):
        message = r["message"]
        text = message.get("text")
        if text is None:
            text = rules[r["ruleIndex"]]["messageStrings"][message["id"]]["text"]
            for i, arg in enumerate(message.get("arguments", [])):
                text = text.replace("{%d}" % i, arg)
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        by_file.setdefault(os.path.basename(uri), []).append((r["ruleId"], r.get("level", "warning"), text))
    for inv in run.get("invocations", []):
        for n in inv.get("toolExecutionNotifications", []):
            by_file.setdefault("*", []).append((n.get("descriptor", {}).get("id", "?"),
                                                n.get("level", "error"), n["message"]["text"]))
    return by_file


@pytest.fixture(scope="module")
def fixture_multitool_problems(fixture_logs, multitool):
    return multitool_batch(multitool, [path for path, _, _ in fixture_logs.values()])


def test_there_are_fixture_dockerfiles():
    assert len(FIXTURE_FILES) >= 2


@pytest.mark.parametrize("rel", FIXTURE_FILES)
def test_fixture_sarif_matches_the_oasis_schema(rel, fixture_logs):
    path, _, stderr = fixture_logs[rel]
    assert validate_sarif.schema_errors(path) == [], stderr
    with open(path, encoding="utf-8") as f:
        (run,) = json.load(f)["runs"]
    for result in run["results"]:
        assert "level" in result
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location == {"uri": uri_of(rel), "uriBaseId": "%SRCROOT%"}


@pytest.mark.parametrize("rel", FIXTURE_FILES)
def test_fixture_sarif_passes_the_multitool(rel, fixture_logs, fixture_multitool_problems):
    path = fixture_logs[rel][0]
    assert fixture_multitool_problems.get(os.path.basename(path), []) == []
    assert fixture_multitool_problems.get("*", []) == []


@pytest.mark.parametrize("name", ["all fixtures", "missing file", "stdin", "stdin named"])
def test_special_runs_are_valid(name, fixture_logs):
    path, code, stderr = fixture_logs[name]
    assert validate_sarif.schema_errors(path) == []
    with open(path, encoding="utf-8") as f:
        run = json.load(f)["runs"][0]
    if name == "all fixtures":
        assert run["automationDetails"] == {"id": "dockerfiles/"}
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
        assert uris <= {uri_of(rel) for rel in FIXTURE_FILES}
    if name == "missing file":
        assert code == 2
        (invocation,) = run["invocations"]
        assert invocation["executionSuccessful"] is False
        (note,) = invocation["toolExecutionNotifications"]
        assert note["message"]["text"].startswith("no/such/Dockerfile: ")
    else:
        assert run["invocations"][0]["executionSuccessful"] is (code != 2)
    if name.startswith("stdin"):
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
        assert uris == ({"stdin"} if name == "stdin" else {"deploy/Dockerfile"})


def test_special_runs_pass_the_multitool(fixture_logs, fixture_multitool_problems):
    for name in ("all fixtures", "missing file", "stdin", "stdin named"):
        path = fixture_logs[name][0]
        assert fixture_multitool_problems.get(os.path.basename(path), []) == [], name


def test_root_is_the_git_top_level(tmp_path):
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "services" / "api"
    sub.mkdir(parents=True)
    (sub / "Dockerfile").write_text("FROM ubuntu\nRUN apt-get update\n", encoding="utf-8")
    code, out, err = run_cli(["--format", "sarif", "Dockerfile"], cwd=str(sub))
    run = json.loads(out)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"services/api/Dockerfile"}, err


def test_root_is_the_current_directory_outside_git(tmp_path):
    if any(os.path.exists(os.path.join(p, ".git")) for p in [str(tmp_path)] + [
            str(a) for a in tmp_path.parents]):
        pytest.skip("the temporary folder lies inside a git work tree")
    (tmp_path / "Dockerfile").write_text("FROM ubuntu\n", encoding="utf-8")
    code, out, err = run_cli(["--format", "sarif", "Dockerfile"], cwd=str(tmp_path))
    run = json.loads(out)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


# -- start-up cost -----------------------------------------------------------------------

def _imported_modules(fmt):
    path = os.path.join("fixtures", "seed", "single-stage", "Dockerfile")
    p = subprocess.run([sys.executable, "-X", "importtime", "-m", "dockerslim_lint", "--format", fmt, path],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    return {line.rsplit("|", 1)[-1].strip() for line in p.stderr.splitlines() if line.startswith("import time:")}


def test_sarif_om_is_imported_only_for_sarif():
    def sarif_om(modules):  # the package is set up without its __init__; its class modules show
        return {m for m in modules if m == "sarif_om" or m.startswith("sarif_om.")}

    assert "sarif_om._sarif_log" in sarif_om(_imported_modules("sarif"))
    for fmt in ("text", "json", "github"):
        assert not sarif_om(_imported_modules(fmt)), fmt


@pytest.mark.skipif(os.name != "posix", reason="the POSIX spelling of a file URI")
def test_file_uris_are_pathlibs():
    """reporters.sarif._file_uri gives pathlib's as_uri() of the absolute path (without
    importing pathlib), for names that need quoting too."""
    from pathlib import Path

    from dockerslim_lint.reporters.sarif import _file_uri

    names = ["/", "/a/b", "/with space/Dockerfile", "/ünïcode/ö", "/pct%20/#hash?q=1&x;y",
             "//two/leading", "/tab\there", "/emoji/\U0001F433", "/bad/\udcff-bytes", "/a/b/"]
    for name in names:
        absolute = os.path.abspath(name)
        uri = Path(absolute).as_uri()
        assert _file_uri(absolute) == uri, name
        assert _file_uri(absolute, directory=True) == (uri if uri.endswith("/") else uri + "/"), name


def test_relative_uris_are_urllib_quotes():
    from dockerslim_lint.reporters.sarif import _quote

    import random

    rng = random.Random(6)
    alphabet = "aZ09_.-~/ %#?&;=+:@!$'()*,[]\\\"<>^`{|}\t\nüé\u00a0\U0001F433"
    texts = ["", "Dockerfile", "sub dir/Dockerfile", "ü/ö.Dockerfile"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20))) for _ in range(2000)]
    for text in texts:
        assert _quote(text) == quote(text, safe="/"), text
    with pytest.raises(UnicodeEncodeError):  # as quote(): a lone surrogate is no UTF-8
        _quote("bad\udcff")


def test_line_hashes_are_sha256():
    """The built-in SHA-256 that reporters.common uses (not hashlib's) gives hashlib's digests."""
    from dockerslim_lint.reporters.common import line_hashes, sha256

    data = "DSL101\0FROM golang:1.22 AS build".encode()
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    finding = Finding("DSL101", 1, "m")
    digest = hashlib.sha256("DSL101\0FROM  x".replace("  ", " ").encode()).hexdigest()[:16]
    assert line_hashes([finding, finding], ["FROM   x  "]) == [f"{digest}:1", f"{digest}:2"]
