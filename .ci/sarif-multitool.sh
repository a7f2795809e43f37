# shellcheck shell=bash
# Sourced by .ci/run: installs the Microsoft SARIF multitool from the npm registry and
# exports SARIF_MULTITOOL_DIR, where tests/test_sarif.py finds it with
#   node -p "require('@microsoft/sarif-multitool-linux')"
# With SARIF_MULTITOOL_DIR exported, the multitool test fails instead of skipping
# when the multitool cannot be found, so a broken install cannot pass unnoticed.
# Without node/npm on the machine this prints why and exports nothing (the test skips).
#
# Override the folder with SARIF_MULTITOOL_DIR before sourcing; it is reused when the
# multitool is already there.

_sarif_multitool_dir="${SARIF_MULTITOOL_DIR:-${TMPDIR:-/tmp}/dockerslim-lint-sarif-multitool}"

_sarif_multitool_binary() {
  (cd "$_sarif_multitool_dir" 2>/dev/null &&
    node -p "require('@microsoft/sarif-multitool-linux')" 2>/dev/null)
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "== sarif-multitool: node/npm not found; the multitool test will be skipped"
else
  _sarif_multitool_bin="$(_sarif_multitool_binary || true)"
  if [ -z "$_sarif_multitool_bin" ] || [ ! -f "$_sarif_multitool_bin" ]; then
    echo "== sarif-multitool: npm install into $_sarif_multitool_dir"
    mkdir -p "$_sarif_multitool_dir"
    npm install --no-save --no-audit --no-fund --loglevel=error \
      --prefix "$_sarif_multitool_dir" @microsoft/sarif-multitool
    _sarif_multitool_bin="$(_sarif_multitool_binary)"
  fi
  # npm may skip the package's postinstall (chmod u+x) when install scripts are not allowed.
  [ -x "$_sarif_multitool_bin" ] || chmod u+x "$_sarif_multitool_bin"
  echo "== sarif-multitool: $("$_sarif_multitool_bin" --version 2>&1 | head -n 1)"
  export SARIF_MULTITOOL_DIR="$_sarif_multitool_dir"
  unset _sarif_multitool_bin
fi
unset _sarif_multitool_dir
unset -f _sarif_multitool_binary
