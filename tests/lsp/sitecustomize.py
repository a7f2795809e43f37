"""Loaded by the language-server process under test (PYTHONPATH): when
DOCKERSLIM_TEST_CRASH_RULE names a rule, that rule raises on files holding the word
CRASH-ME, so the tests can show that a crashing rule does not take the server down."""
import os

_rule_id = os.environ.get("DOCKERSLIM_TEST_CRASH_RULE")
if _rule_id:
    from dockerslim_lint import records

    from dockerslim_lint.engine import plugins

    _load = plugins.load_rules

    def _crashing(check):
        def check_or_crash(model, context):
            if any("CRASH-ME" in line for line in model.parsed.lines):
                raise RuntimeError("boom (test)")
            return check(model, context)

        check_or_crash.__module__ = check.__module__
        return check_or_crash

    def load_rules(*args, **kwargs):
        rules, errors = _load(*args, **kwargs)
        return [records.replace(r, check=_crashing(r.check)) if r.ID == _rule_id else r
                for r in rules], errors

    plugins.load_rules = load_rules
