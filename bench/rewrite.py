"""Measure the multi-stage rewrite on a folder of real Dockerfiles (never committed).

    python bench/rewrite.py /work/corpus [--show N] [--list rewritten|refused]

For every file with a DSL101 finding (or a DSL102 finding whose target stage itself
builds) that names an image, the rewrite is planned: rewritten, or refused with a
one-line reason. Prints, from this one run:
  - the share rewritten among files whose finding names an image, per language;
  - the refusal reasons, grouped by category, with counts;
  - the share of rewrites that lint clean (re-linted here with every rule; clean means no
    DSL001, DSL101, DSL102, DSL305, DSL306 or DSL5xx finding);
  - the median estimated size reduction of the rewrites.
Files with no suggested image are counted apart (the rewrite never guesses one).
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--show", type=int, default=0, help="print the first N rewrites in full")
    parser.add_argument("--list", choices=("rewritten", "refused"), default=None,
                        help="list the files of one outcome")
    args = parser.parse_args(argv)

    from dockerslim_lint.dockerfile.parser import parse
    from dockerslim_lint.engine.linter import Context, Linter, Options
    from dockerslim_lint.engine.plugins import load_rules
    from dockerslim_lint.fix.rewrite import BLOCKING_PREFIX, BLOCKING_RULES, Rewrite, plan_rewrite, suggested
    from dockerslim_lint.images.catalog import default_catalog
    from dockerslim_lint.model.runtime import detect
    from dockerslim_lint.model.stages import build_model

    rules, _ = load_rules()
    catalog = default_catalog()
    options = Options()
    context = Context(catalog, options)
    checker = Linter(rules, options, catalog=catalog)

    per_lang = collections.defaultdict(lambda: [0, 0])  # language -> [eligible, rewritten]
    reasons = collections.Counter()
    categories = collections.Counter()
    no_image = 0
    clean = 0
    no_errors = 0
    reductions = []
    rewritten_files, refused_files = [], []
    shown = 0
    paths = sorted(p for p in _walk(args.root))
    for path in paths:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        parsed = parse(data)
        if parsed.error is not None:
            continue
        try:
            model = build_model(parsed, catalog=catalog)
        except Exception:
            continue
        result = plan_rewrite(model, context)
        if result is None:
            continue
        image, _, _ = suggested(model, context)
        if not image:
            no_image += 1
            continue
        language = detect(model).language or "unknown"
        per_lang[language][0] += 1
        if isinstance(result, Rewrite):
            per_lang[language][1] += 1
            rewritten_files.append(path)
            findings = checker.lint_bytes(result.text.encode("utf-8"), path).findings
            if not any(f.rule_id in BLOCKING_RULES or f.rule_id.startswith(BLOCKING_PREFIX) for f in findings):
                clean += 1
            if not any(f.severity == "error" for f in findings):
                no_errors += 1
            if result.reduction is not None:
                reductions.append(result.reduction)
            if shown < args.show:
                shown += 1
                print(f"===== {path}\n{result.text}# {result.description}\n")
        else:
            refused_files.append((path, result.reason))
            categories[result.category] += 1
            reasons[_generic(result.reason)] += 1

    eligible = sum(v[0] for v in per_lang.values())
    done = sum(v[1] for v in per_lang.values())
    print(f"files scanned: {len(paths)}; with a DSL101/DSL102 rewrite candidate naming an image: {eligible}"
          f" (naming no image, not counted: {no_image})")
    print(f"rewritten: {done}/{eligible} = {_pct(done, eligible)}")
    for language, (n, k) in sorted(per_lang.items(), key=lambda kv: -kv[1][0]):
        print(f"  {language:<8} {k}/{n} = {_pct(k, n)}")
    print(f"lint-clean rewrites (no DSL001/101/102/305/306/5xx): {clean}/{done} = {_pct(clean, done)}; "
          f"with no error-severity finding of any rule: {no_errors}/{done} = {_pct(no_errors, done)}")
    if reductions:
        print(f"median estimated size reduction: {statistics.median(reductions) * 100:.1f}% "
              f"(over {len(reductions)} rewrites with both sizes known)")
    else:
        print("median estimated size reduction: no rewrite")
    print("refusals by category:")
    for category, n in categories.most_common():
        print(f"  {n:4}  {category}")
    print("refusal reasons:")
    for reason, n in reasons.most_common():
        print(f"  {n:4}  {reason}")
    if args.list == "rewritten":
        print("\n".join(rewritten_files))
    elif args.list == "refused":
        print("\n".join(f"{p}: {r}" for p, r in refused_files))
    return 0


def _walk(root):
    from dockerslim_lint.files import is_dockerfile_name

    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules")]
        for name in names:
            if is_dockerfile_name(name):
                yield os.path.join(folder, name)


_DETAILS = [(re.compile(r"line \d+"), "line N"), (re.compile(r"`[^`]*`"), "`...`"),
            (re.compile(r"\b(?:gcr\.io|mcr\.microsoft\.com|cgr\.dev)/\S+"), "IMAGE"),
            (re.compile(r"(?<=[ (])/[\w./-]+"), "PATH")]


def _generic(reason: str) -> str:
    """A reason with its file-specific details (lines, commands, paths, images) blanked, so
    that reasons group."""
    for pattern, repl in _DETAILS:
        reason = pattern.sub(repl, reason)
    return reason


def _pct(k, n) -> str:
    return f"{k / n * 100:.1f}%" if n else "n/a"


if __name__ == "__main__":
    sys.exit(main())
