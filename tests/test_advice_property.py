"""Property over every fixture (issue 11): applying the file's suggestion never leaves a known
need of the shipped program unmet, and re-linting the applied file (runtime base swapped, the
command adapted to the new image's ENTRYPOINT) gives no DSL305, DSL306 or DSL5xx.

"Applying" is RULES.md's: rebuild the runtime stages on X with an exec-form command adapted to
X's own ENTRYPOINT. Files whose suggestion also moves a build ("build in a separate stage",
"move the build out") are checked on needs only: the move is a rewrite of the file, not a swap.
"""
import glob
import os
import re

import pytest

from conftest import FIXTURES, lint_text

from dockerslim_lint.dockerfile.parser import parse
from dockerslim_lint.engine.linter import Context, Options
from dockerslim_lint.images.catalog import ImageRef, default_catalog
from dockerslim_lint.model.needs import provides_of, unmet
from dockerslim_lint.model.stages import build_model
from dockerslim_lint.model.suggest import advice

DOCKERFILES = sorted(p for p in glob.glob(os.path.join(FIXTURES, "**", "*"), recursive=True)
                     if os.path.isfile(p) and not p.endswith((".yaml", ".md", ".txt", ".json"))
                     and os.path.basename(os.path.dirname(p)) != "parser")


def _advice(data):
    catalog = default_catalog()
    try:
        model = build_model(parse(data), catalog=catalog)
    except Exception:  # files that do not model (parse-error fixtures) have no advice
        return None, None
    if not model.runtime_stages:
        return None, None
    return model, advice(model, Context(catalog, Options()))


def _apply(text: str, model, image: str) -> str:
    """Swap the runtime base for `image` and adapt the command to its ENTRYPOINT."""
    lines = text.split("\n")
    ins = model.base_from
    line = lines[ins.start_line - 1]
    lines[ins.start_line - 1] = line.replace(model.runtime_stages[0].base_text, image, 1)
    facts = default_catalog().facts(ImageRef.parse(image))
    if facts is not None and facts.entrypoint:
        entry_prog = facts.entrypoint[0].rsplit("/", 1)[-1]
        for i, raw in enumerate(lines):
            m = re.match(r'^(\s*CMD\s*)\[\s*"(node|nodejs|python3?|java)"\s*,\s*(.*)$', raw)
            if m and (m.group(2).startswith(entry_prog[:4]) or m.group(2) == "java"):
                rest = m.group(3)
                if m.group(2) == "java":
                    rest = re.sub(r'^"-jar"\s*,\s*', "", rest)
                lines[i] = f"{m.group(1)}[{rest}"
    return "\n".join(lines)


@pytest.mark.parametrize("path", DOCKERFILES, ids=[os.path.relpath(p, FIXTURES) for p in DOCKERFILES])
def test_applying_the_suggestion_leaves_no_known_need_unmet(path):
    with open(path, "rb") as f:
        data = f.read()
    model, found = _advice(data)
    if found is None or found.suggestion.image is None:
        return
    image = found.suggestion.image
    provides = provides_of(default_catalog().facts(ImageRef.parse(image)), image, model)
    assert provides is not None, image
    assert unmet(found.needs, provides) == [], (image, found.needs)
    assert unmet(found.needs, provides, strict=True) == [], (image, found.needs)
    if found.suggestion.action != "ship":
        return
    applied = _apply(data.decode("utf-8", "replace"), model, image)
    result = lint_text(applied)
    bad = [f"{f.rule_id}:{f.line} {f.message}" for f in result.findings
           if f.rule_id in ("DSL305", "DSL306") or f.rule_id.startswith("DSL5")]
    assert not bad, (image, applied, bad)


def test_every_fixture_was_considered():
    assert len(DOCKERFILES) > 60
