"""`dockerslim-lint lsp`: the language server (Language Server Protocol over stdio).

This module is what the CLI imports for the `lsp` subcommand, and only then; it imports
pygls (the optional extra `dockerslim-lint[lsp]`) only when the server starts.
"""
from __future__ import annotations

import sys

USAGE = """Usage: dockerslim-lint lsp [--stdio]

  Run the dockerslim-lint language server, speaking the Language Server Protocol
  over standard input and output (the only transport; --stdio is accepted for
  editors that pass it). Diagnostics, quick fixes and hover for Dockerfiles, with
  the configuration the command line would use for each file.

  Needs the optional extra: pip install 'dockerslim-lint[lsp]'
"""


def main(args) -> int:
    """Run the server until the client says exit; the exit status (2 for usage errors)."""
    for arg in args:
        if arg in ("-h", "--help"):
            sys.stdout.write(USAGE)
            return 0
        if arg != "--stdio":
            sys.stderr.write(f"dockerslim-lint: lsp: unknown option {arg!r} (see `dockerslim-lint lsp --help`)\n")
            return 2
    try:
        import pygls  # noqa: F401
    except ImportError:
        sys.stderr.write("dockerslim-lint: the language server needs pygls: "
                         "pip install 'dockerslim-lint[lsp]'\n")
        return 2
    from dockerslim_lint.lsp.server import serve

    serve()
    return 0
