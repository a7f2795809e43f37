"""Every fixture under fixtures/ with an expected.yaml beside it: exactly these findings.

expected.yaml:
    options: {target: NAME, build_args: {K: V}}    # optional
    findings: [DSL101:1, ...]                        # rule:line, exact set (no more, no less)
    suggestions: {DSL101: image}                     # optional: suggested image per rule,
                                                     # or `none`: the finding names no image
"""
import glob
import os

import pytest
import yaml

from conftest import FIXTURES, ids_lines, lint_text

CASES = sorted(glob.glob(os.path.join(FIXTURES, "**", "expected.yaml"), recursive=True))


def _dockerfile_beside(expected_path):
    folder = os.path.dirname(expected_path)
    names = [n for n in os.listdir(folder) if n != "expected.yaml" and not n.startswith(".")]
    assert len(names) == 1, f"{folder}: expected exactly one Dockerfile beside expected.yaml, found {names}"
    return os.path.join(folder, names[0])


@pytest.mark.parametrize("expected_path", CASES, ids=[os.path.relpath(os.path.dirname(c), FIXTURES) for c in CASES])
def test_fixture(expected_path, rules):
    with open(expected_path, encoding="utf-8") as f:
        expected = yaml.safe_load(f) or {}
    with open(_dockerfile_beside(expected_path), "rb") as f:
        data = f.read()
    options = expected.get("options") or {}
    result = lint_text(data, rules=rules, **options)
    assert not result.errors, result.errors
    got = ids_lines(result)
    want = sorted(str(x).replace(" ", "") for x in (expected.get("findings") or []))
    assert got == want, "\n".join(f"  {f.rule_id}:{f.line} {f.message}" for f in result.findings)
    for rule_id, image in (expected.get("suggestions") or {}).items():
        suggested = [f.suggestion.image for f in result.findings if f.rule_id == rule_id and f.suggestion]
        assert suggested, (rule_id, "carries no suggestion")
        want_image = None if image in (None, "none") else image
        assert all(s == want_image for s in suggested), (rule_id, suggested)


def test_there_are_fixtures():
    assert len(CASES) >= 2
