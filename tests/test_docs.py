"""One source for rule docs: every rule has a page, docs/rules/ matches the package text."""
import os

import pytest

from dockerslim_lint.docs import rule_doc
from conftest import ROOT

SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## How to suppress"]


def test_every_builtin_rule_has_a_complete_page(rules):
    for rule in rules:
        doc = rule_doc(rule)
        assert doc.startswith(f"# {rule.ID}: {rule.NAME}\n"), rule.ID
        assert f"Default severity: **{rule.SEVERITY}**" in doc, rule.ID
        for section in SECTIONS:
            assert section in doc, (rule.ID, section)
        assert doc.count("```dockerfile") >= 2, rule.ID


def test_repository_pages_match_package_text(rules):
    for rule in rules:
        path = os.path.join(ROOT, "docs", "rules", f"{rule.ID}.md")
        assert os.path.exists(path), f"{path} missing: run python -m dockerslim_lint.docs docs/rules"
        with open(path, encoding="utf-8") as f:
            assert f.read() == rule_doc(rule), (
                f"{path} drifted from the package text: run python -m dockerslim_lint.docs docs/rules")


def test_no_orphan_pages(rules):
    ids = {r.ID for r in rules}
    pages = {n[:-3] for n in os.listdir(os.path.join(ROOT, "docs", "rules")) if n.endswith(".md")}
    assert pages <= ids, pages - ids


def test_rule_ids_are_unique_and_well_formed(rules):
    ids = [r.ID for r in rules]
    assert len(ids) == len(set(ids))
    for r in rules:
        assert r.ID.startswith("DSL") and len(r.ID) == 6 and r.ID[3:].isdigit()
        assert r.SEVERITY in ("error", "warning", "info")
