"""Third-party rules through real entry-point discovery, and a rule that raises.

The plugin is a real (if tiny) installed distribution: a `.dist-info` folder with
`entry_points.txt` on sys.path, which is exactly what pip leaves in site-packages,
so importlib.metadata finds it the way it finds any installed plugin.
"""
import json
import os
import subprocess
import sys
import textwrap

PLUGIN = textwrap.dedent('''
    from dockerslim_lint.engine.findings import Finding
    from dockerslim_lint.engine.rule import rule

    @rule("ACME001", "no-latest-base", "warning", "The runtime base uses :latest or no tag.")
    def no_latest(model, context):
        ref = model.runtime_base
        if ref is not None and not ref.is_scratch and not ref.digest and ref.tag in (None, "latest"):
            ins = model.base_from
            yield Finding("ACME001", ins.start_line, "pin the base image to a version or digest")

    @rule("ACME002", "always-broken", "error", "A rule with a bug.")
    def broken(model, context):
        raise RuntimeError("boom")
        yield

    RULES = [no_latest]
''')


def _install_plugin(tmp_path, module_source, entry="acme = acme_rules"):
    site = tmp_path / "site"
    site.mkdir()
    (site / "acme_rules.py").write_text(module_source)
    dist = site / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[dockerslim_lint.rules]\n{entry}\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(site) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _lint(env, *args):
    return subprocess.run([sys.executable, "-m", "dockerslim_lint", *args],
                          capture_output=True, text=True, env=env)


def test_plugin_rule_found_through_entry_point(tmp_path):
    env = _install_plugin(tmp_path, PLUGIN)
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine\n# dockerslim-lint ignore=DSL307\nUSER root\n")
    listed = _lint(env, "--list-rules")
    assert "ACME001" in listed.stdout
    result = _lint(env, "--format", "json", str(dockerfile))
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert "ACME001" in rules
    # Select/ignore and suppressions apply to plugin rules too.
    result = _lint(env, "--format", "json", "--ignore", "ACME001", str(dockerfile))
    assert "ACME001" not in [f["rule"] for f in json.loads(result.stdout)["findings"]]
    dockerfile.write_text("# dockerslim-lint global ignore=ACME001\nFROM alpine\n")
    result = _lint(env, "--format", "json", str(dockerfile))
    assert "ACME001" not in [f["rule"] for f in json.loads(result.stdout)["findings"]]


def test_plugin_absent_without_entry_point(tmp_path):
    listed = _lint(dict(os.environ), "--list-rules")
    assert "ACME001" not in listed.stdout


def test_rule_that_raises_is_one_line_and_others_run(tmp_path):
    env = _install_plugin(tmp_path, PLUGIN, entry="acme = acme_rules:broken")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM golang:1.22\nRUN go build -o /app .\n")
    result = _lint(env, "--no-color", str(dockerfile))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and "internal error in rule ACME002" in errors[0] and str(dockerfile) in errors[0]
    assert "DSL101" in result.stdout  # the built-in rules still ran


def test_plugin_that_fails_to_import(tmp_path):
    env = _install_plugin(tmp_path, "raise ImportError('missing dependency')\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM gcr.io/distroless/static-debian13:nonroot\nCOPY app /app\n"
                          "ENTRYPOINT [\"/app\"]\n")
    result = _lint(env, str(dockerfile))
    assert result.returncode == 2
    assert "plugin 'acme'" in result.stderr and "missing dependency" in result.stderr
    assert "Traceback" not in result.stderr


def test_entry_points_read_from_files_as_importlib_metadata_reads_them():
    """The direct reader finds what importlib.metadata finds, here for groups that exist."""
    if sys.version_info >= (3, 10):
        from importlib.metadata import entry_points
    else:  # group= needs the backport on 3.9
        from importlib_metadata import entry_points

    from dockerslim_lint.engine.plugins import _entry_points

    for group in ("console_scripts", "pytest11", "dockerslim_lint.rules"):
        ours = sorted((ep.name, ep.value) for ep in _entry_points(group))
        theirs = sorted((ep.name, ep.value) for ep in entry_points(group=group))
        assert ours == theirs, group
    assert ("dockerslim-lint", "dockerslim_lint.cli:main") in \
        [(ep.name, ep.value) for ep in _entry_points("console_scripts")]


def test_entry_point_lines_sections_first_distribution_and_load(tmp_path):
    from dockerslim_lint.engine.plugins import _entry_points

    first, second = tmp_path / "a", tmp_path / "b"
    for folder, value in ((first, "os.path:join"), (second, "os:sep")):
        dist = folder / "Acme.Rules-1.0.dist-info"
        dist.mkdir(parents=True)
        (dist / "entry_points.txt").write_text(
            "# comment\n[console_scripts]\nx = y:z\n\n[dockerslim_lint.rules]\n"
            f"acme = {value} [extra]\n; another comment\nplain = json\n")
    other = second / "other-2.egg-info"
    other.mkdir()
    (other / "entry_points.txt").write_text("[dockerslim_lint.rules]\nother=os.path\n")
    found = _entry_points("dockerslim_lint.rules", path=[str(first), str(second), str(tmp_path / "none")])
    # acme-rules in the second folder is shadowed by the first (as importlib.metadata does).
    assert [(ep.name, ep.value) for ep in found] == [("acme", "os.path:join [extra]"), ("plain", "json"),
                                                     ("other", "os.path")]
    import json
    import os

    assert found[0].load() is os.path.join and found[1].load() is json and found[2].load() is os.path


def test_metadata_values_as_importlib_metadata_reads_them(tmp_path):
    from importlib.metadata import PackageNotFoundError, metadata

    from dockerslim_lint.engine.plugins import metadata_values

    for dist, field in (("dockerslim-lint", "Project-URL"), ("click", "Project-URL"), ("pytest", "Project-URL"),
                        ("Click", "Name"), ("dockerslim_lint", "Version"), ("no-such-dist-here", "Name")):
        try:
            theirs = metadata(dist).get_all(field) or []
        except PackageNotFoundError:
            theirs = None
        assert metadata_values(dist, field) == theirs, (dist, field)
    dist = tmp_path / "acme-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme\nProject-URL: Home, https://a\n"
                                   "Summary: x\n  folded\nProject-URL: Source, https://b\n\nProject-URL: body\n")
    assert metadata_values("ACME", "project-url", path=[str(tmp_path)]) == ["Home, https://a", "Source, https://b"]
