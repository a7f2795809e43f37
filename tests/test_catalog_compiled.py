"""catalog.json is catalog.yaml pre-parsed, and catalog.pickle the Catalog built from it, for
start-up speed: both must stay in sync, and a stale one is ignored."""
import json

from dockerslim_lint.images import catalog as images


def test_compiled_catalog_matches_yaml_source():
    text = images._bundled_text()
    with open(images._data_path("catalog.json"), encoding="utf-8") as f:
        compiled = json.load(f)
    assert compiled["source_digest"] == images._source_digest(text), (
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


def test_pickled_catalog_is_current_and_the_same_catalog():
    images._pickled_bytes.cache_clear()
    assert images._pickled_bytes() is not None, (
        "linter/data/catalog.pickle is stale: run `python -m dockerslim_lint.images.catalog`")
    import pickle

    pickled = pickle.loads(images._pickled_bytes())
    built = images.Catalog(images._bundled_data())
    assert _state(pickled) == _state(built)
    refs = ["golang:1.22", "debian:bookworm-slim", "python:3.12-slim", "gcr.io/distroless/static-debian12:nonroot",
            "gcr.io/distroless/static-debian13:some-old-tag", "alpine:3.20", "node:20", "redhat/ubi9-minimal",
            "scratch", "unknown/image:1"]
    for family in built._families.values():  # every family by its names, with and without a tag
        refs.extend(n + t for n in family.names for t in ("", ":latest", ":1", ":some-old-tag"))
    for ref in refs:
        assert pickled.facts(ref) == built.facts(ref), ref
        facts = pickled.facts(ref)
        if facts is not None:  # unknown fields are the module's own marker, compared by identity
            assert facts.unknown == built.facts(ref).unknown, ref


def test_stale_pickled_catalog_is_ignored(monkeypatch):
    images._pickled_bytes.cache_clear()
    try:
        monkeypatch.setattr(images, "_pickle_key", lambda: "crc32:00000000:0")
        assert images._pickled_bytes() is None
        catalog = images._bundled_catalog()  # built from the data instead
        assert catalog.facts("golang:1.22") == images.Catalog(images._bundled_data()).facts("golang:1.22")
    finally:
        images._pickled_bytes.cache_clear()


def _state(obj, depth=0):
    """A comparable picture of an object tree: containers, and each object's type and fields."""
    assert depth < 40
    if isinstance(obj, dict):
        return {k: _state(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [_state(v, depth + 1) for v in obj]
        return (type(obj).__name__, sorted(items, key=repr) if isinstance(obj, (set, frozenset)) else items)
    if hasattr(obj, "__dict__") or hasattr(type(obj), "__slots__"):
        names = list(getattr(obj, "__dict__", {})) + [n for c in type(obj).__mro__ for n in getattr(c, "__slots__", ())]
        return (type(obj).__qualname__, {n: _state(getattr(obj, n, None), depth + 1) for n in sorted(set(names))})
    return obj


def test_literal_prefix_of_patterns():
    cases = {r"gcr\.io/distroless/static-debian(?P<debian>\d+)": "gcr.io/distroless/static-debian",
             r"(?:a|b)c": "", r"abc|def": "", r"ab?c": "a", r"ab*": "a", r"ab+c": "ab", r"ab{2}": "a",
             r".*-slim": "", r"latest(?:-(?:amd64|arm64))?": "latest", r"a[|]b|c": "", r"a[]|]b": "a",
             r"a\|b": "a|b", r"\d+": "", r"(?i)abc": "", r"x\-y": "x-y", r"a[^]|]": "a"}
    for pattern, prefix in cases.items():
        assert images._literal_prefix(pattern) == prefix, pattern


def test_no_bundled_pattern_matches_without_its_prefix():
    """The prefix shortcut never hides a match: every text a bundled pattern matches starts
    with its prefix (texts: the catalog's own names and tags, common references)."""
    import re

    catalog = images.Catalog(images._bundled_data())
    texts = {"latest", "nonroot", "debug", "debug-nonroot", "3.12-slim", "1.22-alpine", "bookworm-slim", "12",
             "golang", "python", "node", "alpine", "debian", "ubuntu", "redhat/ubi9", "redhat/ubi9-minimal",
             "registry.access.redhat.com/ubi9/ubi-minimal", "gcr.io/distroless/static-debian12",
             "gcr.io/distroless/python3-debian12", "quay.io/almalinuxorg/9-minimal", "almalinux/9-micro",
             "dhi.io/python", "cgr.dev/chainguard/static", "mcr.microsoft.com/dotnet/aspnet"}
    for family in catalog._families.values():
        texts.update(family.names)
    patterns = [p for family in catalog._families.values()
                for p in list(family.patterns) + [family.tag_re] + [o.tag_re for o in family.overlays]
                + [o.name_re for o in family.overlays] if isinstance(p, images._LazyPattern)]
    assert sum(1 for p in patterns if p.prefix) > 15
    for p in patterns:
        compiled = re.compile(p.pattern)
        for text in texts:
            if compiled.fullmatch(text):
                assert text.startswith(p.prefix), (p.pattern, text)
