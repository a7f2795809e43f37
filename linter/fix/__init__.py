"""Fixes: text edits computed from the model (edits.py), applied by --fix/--diff, SARIF and editors."""
