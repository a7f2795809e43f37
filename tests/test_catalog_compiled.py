"""catalog.json is catalog.yaml pre-parsed for start-up speed: it must stay in sync."""
import json

from dockerslim_lint.images import catalog as images


def test_compiled_catalog_matches_yaml_source():
    text = images._bundled_text()
    with open(images._data_path("catalog.json"), encoding="utf-8") as f:
        compiled = json.load(f)
    assert compiled["source_sha256"] == images._source_digest(text), (
        "linter/data/catalog.json is stale: run `python -m dockerslim_lint.images.catalog`")
    assert compiled["data"] == images._yaml_load(text)


def test_stale_compiled_catalog_is_ignored(monkeypatch):
    images._bundled_data.cache_clear()
    try:
        monkeypatch.setattr(images, "_source_digest", lambda text: "not-the-digest")
        data = images._bundled_data()  # falls back to parsing the YAML
        assert data == images._yaml_load(images._bundled_text())
    finally:
        images._bundled_data.cache_clear()


def test_bundled_patterns_compile():
    """Bundled patterns compile lazily at run time; here every one of them is compiled."""
    import re

    catalog = images.Catalog(images._bundled_data())
    count = 0
    for family in catalog._families.values():
        for p in list(family.patterns) + [family.tag_re] + [o.tag_re for o in family.overlays] + \
                [o.name_re for o in family.overlays]:
            if p is not None:
                re.compile(getattr(p, "pattern", p))
                count += 1
    assert count > 50


def test_windows_tags_are_unknown():
    catalog = images.default_catalog()
    assert catalog.facts("mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022") is None
    assert catalog.facts("python:3.13-windowsservercore-ltsc2022") is None
    assert catalog.facts("mcr.microsoft.com/dotnet/aspnet:8.0") is not None
