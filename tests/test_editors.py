"""docs/editors.md: each editor snippet parses in its format and starts `dockerslim-lint lsp`."""
import json
import os
import re
import sys

import pytest

from conftest import ROOT
from test_config import doc_example

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DOC = os.path.join(ROOT, "docs", "editors.md")


def example(name):
    return doc_example(name, DOC)


def test_neovim():
    lua = example("neovim")
    assert "vim.lsp.config('dockerslim_lint', {" in lua and "vim.lsp.enable('dockerslim_lint')" in lua
    assert re.search(r"cmd = \{ 'dockerslim-lint', 'lsp' \}", lua)
    assert re.search(r"filetypes = \{ 'dockerfile' \}", lua)
    assert lua.count("{") == lua.count("}") and lua.count("(") == lua.count(")")


def test_helix():
    config = tomllib.loads(example("helix"))
    assert config["language-server"]["dockerslim-lint"] == {"command": "dockerslim-lint", "args": ["lsp"]}
    (language,) = config["language"]
    assert language["name"] == "dockerfile" and "dockerslim-lint" in language["language-servers"]


def test_zed():
    manifest = tomllib.loads(example("zed-extension-toml"))
    assert manifest["schema_version"] == 1
    assert manifest["language_servers"]["dockerslim-lint"]["languages"] == ["Dockerfile"]
    cargo = tomllib.loads(example("zed-cargo-toml"))
    assert cargo["lib"]["crate-type"] == ["cdylib"] and "zed_extension_api" in cargo["dependencies"]
    rust = example("zed-lib-rs")
    assert 'which("dockerslim-lint")' in rust and 'args: vec!["lsp".to_string()]' in rust
    assert "zed::register_extension!(DockerslimLint);" in rust
    settings = json.loads(example("zed-settings"))
    assert settings["languages"]["Dockerfile"]["language_servers"][0] == "dockerslim-lint"


def test_vscode():
    settings = json.loads(example("vscode"))
    (server,) = settings["vscode-lspconfig.serverConfigurations"]
    assert server["command"] == ["dockerslim-lint", "lsp"]
    assert server["document_selector"] == [{"language": "dockerfile"}]


@pytest.mark.parametrize("args", [["lsp", "--help"], ["lsp", "--stdio", "--help"]])
def test_the_command_the_snippets_start_exists(args):
    from dockerslim_lint.cli import main

    with pytest.raises(SystemExit) as exit:
        main(args)
    assert exit.value.code == 0
