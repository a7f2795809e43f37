"""Indexes and caches of catalog lookups on the per-file path: they must give the answers of
the plain searches they replace, and must not go stale when user entries are added."""
import pytest

from conftest import lint_text
from dockerslim_lint.engine.linter import Linter, Options
from dockerslim_lint.engine.plugins import load_rules
from dockerslim_lint.images.catalog import Catalog, ImageRef, _bundled_data, load_catalog
from dockerslim_lint.rules.surface import nonroot_variant

# Tags the bundled families are looked up with: plain versions, distribution and variant
# suffixes, and the tags of every overlay that lists exact tags or version lines.
_TAGS = ["latest", "1", "1.27", "3.12", "20", "21", "8.0", "12", "nonroot", "debug", "debug-nonroot",
         "latest-dev", "alpine", "1.27-alpine", "8.0-alpine", "8.0-jammy-chiseled", "bookworm",
         "slim", "3.12-slim-bookworm", "stable", "mainline-alpine", "24.04"]


def _tags(catalog):
    tags = set(_TAGS)
    for family in catalog._families.values():
        for overlay in family.overlays:
            tags.update(overlay.exact or ())
            for suffix, lines in (overlay.lines or {}).items():
                tags.update(line + suffix for line in lines)
    return sorted(tags)


def _plain_nonroot(catalog, family, tag):
    """Every family name of the catalog, in family order, that runs as non-root at `tag`:
    the search nonroot_names() narrows."""
    found = []
    for family_id in catalog.family_ids():
        if family_id == family:
            continue
        for name in catalog._families[family_id].names:
            other = catalog.facts(f"{name}:{tag}" if tag else name)
            if other is not None and other.runs_as_root is False:
                found.append(name)
    return found


def test_nonroot_names_hold_every_name_that_runs_as_non_root():
    catalog = Catalog(_bundled_data())
    listed = [name for _, name in catalog.nonroot_names()]
    assert "nginxinc/nginx-unprivileged" in listed and "nginx" not in listed
    for tag in _TAGS + _tags(catalog)[::5] + [None]:
        plain = _plain_nonroot(catalog, None, tag)
        assert [n for n in listed if n in plain] == plain


def _plain_variant(catalog, facts, tag):
    """nonroot_variant as a search of every family name (what nonroot_candidates narrows)."""
    if facts is None or not (facts.entrypoint or facts.cmd):
        return None
    for family_id in catalog.family_ids():
        if family_id == facts.family:
            continue
        for name in catalog._families[family_id].names:
            other = catalog.facts(f"{name}:{tag}" if tag else name)
            if other is not None and other.runs_as_root is False and other.kind == facts.kind and \
                    other.entrypoint == facts.entrypoint and other.cmd == facts.cmd:
                return name
    return None


class _Model:
    def __init__(self, catalog, text):
        self.runtime_base = ImageRef.parse(text)
        self.base_facts = catalog.facts(self.runtime_base)


_VARIANTS = {
    "acme-web": {"names": ["acme/web"], "kind": "slim-runtime", "default_user": "root", "cmd": ["web"],
                 "entrypoint": ["/init"]},
    "acme-web-nonroot": {"names": ["acme/web-unprivileged"], "kind": "slim-runtime",
                         "default_user": "unknown", "entrypoint": "unknown",
                         "tags": [{"match": "v2.*", "default_user": "1000", "cmd": ["web"], "entrypoint": ["/init"]},
                                  {"match": ".*-debug", "kind": "full-os"}]},
}


@pytest.mark.parametrize("images", [None, _VARIANTS])
def test_nonroot_variant_is_the_plain_search(images):
    catalog = load_catalog(images)
    names = [name for family in catalog._families.values() for name in family.names]
    seen = 0
    for name in names:
        for tag in _TAGS + _tags(catalog)[::25] + ["v2", "v2-debug", "v1"]:
            model = _Model(catalog, f"{name}:{tag}")
            expected = _plain_variant(catalog, model.base_facts, tag)
            assert nonroot_variant(model, catalog) == expected, (name, tag)
            seen += expected is not None
    assert seen >= 10  # nginx at its tags, and acme/web at v2 when the user entries are there
    if images:
        assert nonroot_variant(_Model(catalog, "acme/web:v2"), catalog) == "acme/web-unprivileged"
        assert nonroot_variant(_Model(catalog, "acme/web:v2-debug"), catalog) is None  # full-os there
        assert nonroot_variant(_Model(catalog, "acme/web:v1"), catalog) is None  # root there


def _variant(catalog, text):
    model_text = f"FROM {text}\n"
    from dockerslim_lint.dockerfile.parser import parse
    from dockerslim_lint.model.stages import build_model

    return nonroot_variant(build_model(parse(model_text.encode()), catalog=catalog), catalog)


_HTTPD_NONROOT = {"acme-httpd": {"names": ["acme/httpd-nonroot"], "kind": "slim-runtime", "default_user": "1000",
                                 "cmd": ["httpd-foreground"]}}


def test_a_user_entry_added_later_is_a_nonroot_variant():
    catalog = load_catalog()
    assert _variant(catalog, "httpd:2.4") is None  # the index is built here
    catalog.extend(_HTTPD_NONROOT)
    assert ("acme-httpd", "acme/httpd-nonroot") in catalog.nonroot_names()
    assert _variant(catalog, "httpd:2.4") == "acme/httpd-nonroot"


def test_a_user_entry_can_take_a_name_away_from_the_nonroot_variants():
    catalog = load_catalog()
    assert _variant(catalog, "nginx:1.27") == "nginxinc/nginx-unprivileged"
    catalog.extend({"our-nginx": {"names": ["nginxinc/nginx-unprivileged"], "kind": "slim-runtime",
                                  "default_user": "root"}})
    assert _variant(catalog, "nginx:1.27") is None


def test_a_user_pattern_family_makes_bundled_names_nonroot_candidates():
    catalog = load_catalog()
    catalog.nonroot_names()
    catalog.extend({"all-httpd": {"name_patterns": ["httpd"], "kind": "slim-runtime", "default_user": "33",
                                  "cmd": ["httpd-foreground"]}})
    assert ("httpd", "httpd") in catalog.nonroot_names()


@pytest.mark.parametrize("images", [None, _HTTPD_NONROOT])
def test_dsl307_message_through_the_linter_with_user_entries(images):
    rules = load_rules(with_plugins=False)[0]
    catalog = load_catalog(images)
    result = Linter(rules, Options(), catalog=catalog).lint_bytes(b"FROM httpd:2.4\n", "Dockerfile")
    (f,) = [f for f in result.findings if f.rule_id == "DSL307"]
    assert f.message.endswith("(acme/httpd-nonroot does not)") == bool(images)
    assert "acme/httpd-nonroot" not in [f.message for f in lint_text("FROM httpd:2.4\n").findings]


def test_families_of_a_name_are_looked_up_again_after_extend():
    """_facts keeps the families that claim a name; an entry added later must still be seen."""
    catalog = load_catalog()
    before = catalog.facts("nginx:1.27")
    assert before is not None and before.family == "nginx"
    assert catalog.facts("acme/web:1") is None
    catalog.extend({"acme-web": {"name_patterns": ["acme/(web|api)"], "kind": "minimal", "shell": None},
                    "our-nginx": {"names": ["nginx"], "kind": "slim-runtime", "default_user": "101"}})
    assert catalog.facts("acme/web:1").family == "acme-web"
    assert catalog.facts("acme/web:2").kind == "minimal"
    assert catalog.facts("nginx:1.27").family == "our-nginx"
    assert catalog.facts("nginx:1.26").default_user == "101"


def test_a_pattern_family_and_an_exact_family_are_ranked_per_name():
    catalog = Catalog(_bundled_data())
    catalog.extend({"old": {"name_patterns": ["acme/.*"], "kind": "full-os"}})
    assert catalog.facts("acme/x:1").family == "old"
    catalog.extend({"new": {"names": ["acme/x"], "kind": "minimal"}})
    assert catalog.facts("acme/x:1").family == "new" and catalog.facts("acme/y:1").family == "old"
    catalog.extend({"old": {"name_patterns": ["acme/.*"], "kind": "toolchain"}})  # re-added: newest again
    assert catalog.facts("acme/x:2").family == "old" and catalog.facts("acme/x:2").kind == "toolchain"
