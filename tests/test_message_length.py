"""Messages stay one short line with long evidence: digests, long package lists, several caches."""
from conftest import lint_text

from dockerslim_lint.engine.findings import short_reference

DIGEST = "sha256:128490f34f1f2f7c0bab4dd1dbc4eaf0435ba99fe3e0f538d8ecb98b92e34d0f"


def test_short_reference_cuts_digests_and_long_names():
    assert short_reference(f"cypress/included:13.17.0@{DIGEST}") == "cypress/included:13.17.0@sha256:128490f34f1f…"
    assert short_reference("alpine:3.20") == "alpine:3.20"
    long = "registry.example.com/" + "x" * 100 + ":1"
    assert len(short_reference(long)) == 60 and short_reference(long).endswith("xx:1")


def test_long_evidence_keeps_messages_within_120_characters():
    text = (f"FROM cypress/included:13.17.0@{DIGEST}\n"
            "RUN apt-get update && apt-get install -y percona-xtradb-cluster-client-5.6 "
            "percona-xtradb-cluster-common-5.6 percona-xtradb-cluster-server-5.6 && pip install flask\n"
            'CMD ["node", "x.js"]\n')
    result = lint_text(text)
    rules = {f.rule_id for f in result.findings}
    assert {"DSL301", "DSL302", "DSL401", "DSL402"} <= rules
    for finding in result.findings:
        assert len(finding.message) <= 120, finding.message
    dsl402 = next(f for f in result.findings if f.rule_id == "DSL402")
    assert "and 2 more" in dsl402.message
    dsl401 = next(f for f in result.findings if f.rule_id == "DSL401")
    assert "/var/lib/apt/lists" in dsl401.message and "~/.cache/pip" in dsl401.message
