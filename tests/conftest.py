import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "fixtures")

# Tests import the installed `dockerslim_lint` only, never `linter` from the repository root.
assert "linter" not in sys.modules


@pytest.fixture(scope="session")
def rules():
    from dockerslim_lint.engine.plugins import load_rules

    return load_rules(with_plugins=False)[0]


def lint_text(text, rules=None, **options):
    """Lint Dockerfile text with the built-in rules; returns the FileResult."""
    from dockerslim_lint.engine.linter import Linter, Options
    from dockerslim_lint.engine.plugins import load_rules

    if rules is None:
        rules = load_rules(with_plugins=False)[0]
    data = text.encode("utf-8") if isinstance(text, str) else text
    return Linter(rules, Options(**options)).lint_bytes(data, "Dockerfile")


def ids_lines(result):
    return sorted(f"{f.rule_id}:{f.line}" for f in result.findings)


def package_module_names():
    """Every importable module of the package (dockerslim_lint.rules is a folder of its own);
    without the LSP server, which needs the optional pygls, and __main__, which runs the CLI."""
    import pkgutil

    import dockerslim_lint
    import dockerslim_lint.rules

    infos = list(pkgutil.walk_packages(dockerslim_lint.__path__, "dockerslim_lint."))
    infos += pkgutil.walk_packages(dockerslim_lint.rules.__path__, "dockerslim_lint.rules.")
    return [info.name for info in infos
            if not info.name.startswith("dockerslim_lint.lsp") and not info.name.endswith("__main__")]
