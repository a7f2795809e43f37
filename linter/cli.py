"""Command line: `dockerslim-lint [OPTIONS] [PATH]...`

Exit codes: 0 nothing at or above the failure threshold, 1 findings at or above it,
2 usage, config or I/O errors (reported after every other file is linted).
"""
from __future__ import annotations

import gc
import os
import sys

from dockerslim_lint import __version__
from dockerslim_lint import lazyclick as click  # click itself only when a run needs it
from dockerslim_lint.engine.findings import SEVERITIES
from dockerslim_lint.reporters import FORMATS, escape

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _comma_list(ctx, param, values):
    out = []
    for value in values or ():
        out.extend(part.strip().upper() for part in value.split(",") if part.strip())
    return tuple(out)


def _build_args(ctx, param, values):
    args = {}
    for value in values or ():
        key, sep, val = value.partition("=")
        if not key:
            raise click.BadParameter(f"{value!r}: expected KEY=VALUE")
        # As `docker build --build-arg KEY` (no '='), the value comes from the environment.
        args[key] = val if sep else os.environ.get(key, "")
    return args


def _jobs(ctx, param, value):
    """--jobs N: a whole number of processes; 0 or `auto`: one per CPU this process may use."""
    text = str(value).strip().lower()
    if text == "auto":
        return 0
    if not text.isdigit():
        raise click.BadParameter(f"{value!r}: expected a number of processes, 0 or auto")
    return int(text)


def _use_color(no_color: bool, stream) -> bool:
    """--no-color, then NO_COLOR (set and not empty, no-color.org), then FORCE_COLOR (set and
    not empty, force-color.org), then TERM=dumb, then whether the stream is a terminal."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _list_rules(rules, fmt: str) -> None:
    if fmt in ("json", "jsonl"):
        import json

        listed = [{"id": r.ID, "name": r.NAME, "severity": r.SEVERITY, "summary": r.SUMMARY,
                   "tags": list(getattr(r, "TAGS", ()) or ())} for r in rules]
        if fmt == "jsonl":  # one rule per line
            click.echo("".join(json.dumps(entry) + "\n" for entry in listed), nl=False)
        else:
            click.echo(json.dumps(listed, indent=2))
        return
    for r in rules:
        click.echo(f"{r.ID}  {r.NAME:<30} {r.SEVERITY:<8} {r.SUMMARY}")


def _why(rules):
    """rule id -> the first sentence of its documentation's "Why is this bad?" ('' if none)."""
    import re

    from dockerslim_lint.docs import rule_doc

    by_id = {r.ID: r for r in rules}
    cache = {}

    def why(rule_id: str) -> str:
        if rule_id not in cache:
            doc = rule_doc(by_id[rule_id]) if rule_id in by_id else ""
            section = doc.split("## Why is this bad?", 1)[1] if "## Why is this bad?" in doc else ""
            paragraph = " ".join(section.strip().split("\n\n", 1)[0].split()) if section else ""
            match = re.match(r"(.+?[.!?])(\s|$)", paragraph)
            sentence = match.group(1) if match else paragraph
            if len(sentence) > 110:  # a long first sentence: its first clause (outside `code`)
                for k in range(30, len(sentence) - 1):
                    if sentence[k] in ":;" and sentence[k + 1] == " " and sentence[:k].count("`") % 2 == 0:
                        sentence = sentence[:k] + "."
                        break
            cache[rule_id] = sentence
        return cache[rule_id]

    return why


def _repository_root():
    """Report.root: the git top level when inside a git work tree (the nearest folder
    holding `.git`, found without spawning git), else the current directory."""
    try:
        here = os.getcwd()
    except OSError:  # the current directory was removed
        return None
    folder = here
    while not os.path.exists(os.path.join(folder, ".git")):
        parent = os.path.dirname(folder)
        if parent == folder:
            return here
        folder = parent
    return folder


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
# readable=False: click's own check would make one unreadable PATH a usage error that stops
# the run; read_file() reports it as one line and the other files are still linted.
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, allow_dash=True, readable=False))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to FILE instead of standard output.")
@click.option("--target", default=None, help="Lint as if built with `docker build --target NAME`.")
@click.option("--build-arg", "build_args", multiple=True, callback=_build_args, metavar="KEY=VALUE",
              help="Build argument, as `docker build --build-arg` (repeatable).")
@click.option("--select", multiple=True, callback=_comma_list, metavar="IDS",
              help="Only these rules (comma list, repeatable).")
@click.option("--ignore", multiple=True, callback=_comma_list, metavar="IDS",
              help="Skip these rules (comma list, repeatable).")
@click.option("--failure-threshold", type=click.Choice(SEVERITIES + ("none",)), default=None,
              help="Lowest severity that makes the exit code 1 [default: info].")
@click.option("--stdin-filename", default=None, help="Name to report for `-` (standard input).")
@click.option("--sarif-category", default=None, help="SARIF runAutomationDetails.id (code scanning category).")
@click.option("--report-unused-ignores", is_flag=True, help="Report suppression comments that silenced nothing.")
@click.option("--config", "config_path", type=click.Path(), default=None, metavar="PATH",
              help="Config file for every linted file (default: .dockerslim-lint.yaml/.yml or "
                   "pyproject.toml [tool.dockerslim-lint], looked up from each file's directory "
                   "to the repository root).")
@click.option("--verbose", is_flag=True, help="Say on standard error which config applies and which files it "
              "excludes; in text output, a short why line under each finding.")
@click.option("--no-color", is_flag=True, help="No colours (also when NO_COLOR is set and not empty, TERM=dumb, "
              "or output is not a TTY; FORCE_COLOR forces them).")
@click.option("--fix", "fix", is_flag=True, help="Apply the safe fixes in place (standard input: print the fixed "
              "file); the report shows what remains.")
@click.option("--diff", "diff", is_flag=True, help="Print the fixes as a unified diff and change nothing "
              "(exit 1 when there is a diff).")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix/--diff, also apply the fixes that may change "
              "what the image does.")
@click.option("-j", "--jobs", default="1", callback=_jobs, metavar="N",
              help="Lint in N processes (this one and N-1 forked workers; 0 or auto: one per CPU), for "
                   "large batches; the output is the same as with 1 [default: 1].")
@click.option("--list-rules", is_flag=True, help="List the rules and exit.")
@click.option("--explain", metavar="ID", default=None, help="Show a rule's documentation and exit.")
@click.version_option(__version__, "--version", prog_name="dockerslim-lint")
def cli(paths, fmt, output, target, build_args, select, ignore, failure_threshold, stdin_filename,
        sarif_category, report_unused_ignores, no_color, list_rules, explain, config_path=None,
        verbose=False, fix=False, diff=False, unsafe_fixes=False, jobs=1):
    """Lint Dockerfiles for small, hard-to-attack runtime images.

    PATHS are Dockerfiles or directories (searched for Dockerfile, dockerfile, Dockerfile.*,
    Dockerfile-*, *.Dockerfile, *.dockerfile, Containerfile, Containerfile.*, but not
    *.dockerignore);
    `-` reads standard input. With no PATHS, ./Dockerfile is linted.

    Exit status: 0 nothing at or above the failure threshold, 1 findings,
    2 usage, configuration or I/O errors. With --diff: 0 no diff, 1 a diff, 2 errors.
    """
    from dockerslim_lint.engine.plugins import load_rules

    rules, plugin_errors = load_rules()
    known = {r.ID for r in rules}
    for rule_id in select + ignore:
        if rule_id not in known:
            raise click.UsageError(f"unknown rule {rule_id!r} in --select/--ignore; "
                                   f"see --list-rules")
    if jobs != 1 and (fix or diff):
        raise click.UsageError("--jobs works only for linting: --fix and --diff change files one process at a time")
    if list_rules:
        _list_rules(rules, fmt)
        sys.exit(EXIT_OK)
    if explain:
        from dockerslim_lint.docs import rule_doc

        wanted = explain.strip().upper()
        match = [r for r in rules if r.ID == wanted or r.NAME == explain.strip().lower()]
        if not match:
            raise click.UsageError(f"unknown rule {explain!r}; see --list-rules")
        click.echo(rule_doc(match[0]) or f"{match[0].ID}: {match[0].SUMMARY}")
        sys.exit(EXIT_OK)

    from dockerslim_lint.engine.linter import Linter
    from dockerslim_lint.files import expand_paths, is_text, read_file, describe_os_error
    from dockerslim_lint.reporters import Report, get_writer

    if not paths:
        if not os.path.exists("Dockerfile"):
            raise click.UsageError("no PATH given and no ./Dockerfile here; "
                                   "run `dockerslim-lint PATH` (see --help)")
        paths = ("Dockerfile",)

    from dockerslim_lint.config import ConfigError, Resolver, merge_options

    # Configs first (per file, cached per directory; command-line options win), so that a
    # bad config stops the run before anything is reported.
    errors = list(plugin_errors)
    files = []  # (path, its Linter)
    linters = {}  # id(config) -> Linter with that config's options and image catalog
    try:
        resolver = Resolver(known, explicit=config_path)

        def linter_for(config):
            if id(config) not in linters:
                if verbose:
                    _error(f"config: {config.describe()}")
                options = merge_options(config, select=select, ignore=ignore, target=target,
                                        build_args=build_args, failure_threshold=failure_threshold,
                                        report_unused_ignores=report_unused_ignores)
                linters[id(config)] = Linter(rules, options, catalog=config.catalog())
            return linters[id(config)]

        for kind, item in expand_paths(paths):
            if kind == "error":
                errors.append(item)
                continue
            config = resolver.for_path(stdin_filename if item == "-" and stdin_filename else item)
            if item != "-" and config.excludes(item):
                if verbose:
                    _error(f"{item}: excluded by {config.describe()}")
                continue
            files.append((item, linter_for(config)))
        if not linters:
            linter_for(resolver.for_path("-"))
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # the catalog could not be loaded: nothing can be judged
        _error(f"cannot start: {exc}")
        sys.exit(EXIT_ERROR)
    ran = {r.ID: r for linter in linters.values() for r in linter.rules}
    thresholds = {linter.options.failure_threshold for linter in linters.values()}
    threshold = failure_threshold or (thresholds.pop() if len(thresholds) == 1 else "info")

    failing = False
    fixing = {"outcomes": [], "diffs": [], "stdin": None}

    def lint_one(task):
        """(the FileResult or None, the file's one-line errors) for one (path, Linter)."""
        item, linter = task
        shown = _display_path((stdin_filename or "<stdin>") if item == "-" else item)
        try:
            data = sys.stdin.buffer.read() if item == "-" else read_file(item)
        except OSError as exc:
            return None, [f"{shown}: {describe_os_error(exc)}"]
        if not is_text(data):  # an executable, an archive, an image: nothing to lint
            return None, [f"{shown}: not a text file"]
        if fix or diff:  # --fix / --diff (dockerslim_lint.fix.runner): what remains is reported
            result = _fix_one(item, shown, data, linter, diff, unsafe_fixes, fixing, errors)
        else:
            result = linter.lint_bytes(data, shown)
        return result, [f"{shown}: {e}" for e in result.errors]

    workers = {}  # --jobs: what the worker processes did (engine/parallel.py)

    def lint_all():
        nonlocal failing
        if jobs != 1 and len(files) > 1:  # worker processes; results in the same order
            from dockerslim_lint.engine.parallel import available_cpus, run_ordered

            done = run_ordered(files, lint_one, jobs or available_cpus(), local=lambda task: task[0] == "-",
                               stats=workers)
        else:
            done = map(lint_one, files)
        for (result, file_errors), (item, linter) in zip(done, files):  # done first: it finishes
            errors.extend(file_errors)
            if result is not None:
                failing = failing or result.fails(linter.options.failure_threshold)
                yield result

    write = get_writer(fmt)
    # What start-up made (rules, the catalog, configs) lives as long as the run: moved out
    # of the garbage collector's generations, a full collection during the batch does not
    # walk it again (one took ~0.03 s on the corpus).
    gc.freeze()
    reporter = sys.modules.get(write.__module__)
    if not (fix or diff or getattr(reporter, "READS_FIXES", False)):
        for linter in linters.values():
            linter.context.fixes = False  # nothing reads Finding.fix: rules need not build them
    # A format that reads the results once, in order (reporters' STREAMS), is handed them as
    # they are made: memory stays bounded whatever the number of files. Others get a list.
    streams = not (fix or diff) and getattr(reporter, "STREAMS", False) and not (
        output and any(item != "-" and os.path.abspath(item) == os.path.abspath(output) for item, _ in files))
    results = lint_all() if streams else list(lint_all())
    if diff:
        sys.exit(_finish_diff(fixing, errors, unsafe_fixes))

    stream = None
    try:
        report_to = sys.stderr if fixing["stdin"] is not None else sys.stdout  # stdout has the file
        stream = open(output, "w", encoding="utf-8", newline="\n") if output else report_to
        report = Report(rules=[ran[k] for k in sorted(ran)], version=__version__,
                        color=_use_color(no_color, stream) and fmt == "text",
                        sarif_category=sarif_category, root=_repository_root(),
                        failure_threshold=threshold, errors=errors, verbose=verbose,
                        why=_why(ran.values()) if verbose else None)
        write(stream, results, report)
        if fix:
            _fix_summary(stream if fmt == "text" else sys.stderr, fixing, unsafe_fixes)
        stream.flush()
    except BrokenPipeError:
        # The reader went away (`dockerslim-lint . | head -1`): not an error; stop writing.
        _silence_stdout()
    except OSError as exc:
        _error(f"{output or '<stdout>'}: cannot write report: {describe_os_error(exc)}")
        sys.exit(EXIT_ERROR)
    finally:
        if output and stream is not None:
            stream.close()
        if hasattr(results, "close"):  # a report cut short: --jobs workers stop now
            results.close()
    if verbose and workers:
        import resource

        from dockerslim_lint.engine.parallel import describe

        usage = resource.getrusage(resource.RUSAGE_SELF)
        peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        _error(describe(workers, peak, usage.ru_utime + usage.ru_stime))
    for message in errors:
        _error(message)
    if errors:
        sys.exit(EXIT_ERROR)
    if failing:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


def _fix_one(item, shown, data, linter, diff, unsafe, fixing, errors):
    """--fix/--diff for one file: apply its fixes, write them (--fix), keep the diff (--diff);
    returns the FileResult to report."""
    from dockerslim_lint.fix.runner import fix_bytes, unified_diff, write_atomic
    from dockerslim_lint.files import describe_os_error

    outcome = fix_bytes(data, lambda d: linter.lint_bytes(d, shown), unsafe=unsafe)
    fixing["outcomes"].append(outcome)
    if diff:
        fixing["diffs"].append(unified_diff(outcome, shown))
        from dockerslim_lint.fix.rewrite import refusals  # why a DSL101/DSL102 file has no rewrite

        fixing.setdefault("notes", []).extend(f"{shown}: {escape(line)}" for line in refusals(outcome.result))
    elif item == "-":
        fixing["stdin"] = outcome.data
    elif outcome.changed:
        try:
            write_atomic(item, outcome.data)
        except OSError as exc:
            errors.append(f"{shown}: cannot write the fixes: {describe_os_error(exc)}")
            outcome.applied, outcome.data = 0, outcome.original
            return outcome.first
    return outcome.result


def _fix_summary(stream, fixing, unsafe):
    from dockerslim_lint.fix.runner import summary

    stream.write(summary(fixing["outcomes"], unsafe=unsafe) + "\n")
    if fixing["stdin"] is not None:
        sys.stdout.flush()
        sys.stdout.buffer.write(fixing["stdin"])
        sys.stdout.buffer.flush()


def _finish_diff(fixing, errors, unsafe) -> int:
    """--diff: the diffs on standard output, one summary line on standard error."""
    from dockerslim_lint.fix.runner import summary

    text = "".join(fixing["diffs"])
    sys.stdout.write(text)
    sys.stdout.flush()
    click.echo(summary(fixing["outcomes"], diff=True, unsafe=unsafe), err=True)
    for note in fixing.get("notes", ()):
        click.echo(note, err=True)
    for message in errors:
        _error(message)
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if text else EXIT_OK


def _display_path(path: str) -> str:
    """A path as every report shows it. A file name whose bytes are not UTF-8 (the OS hands
    them over as surrogate escapes) would make writing a report raise: its bytes show as
    \\xNN instead. Any other path is unchanged."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        try:
            return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a lone surrogate that no OS byte stands for
            return path.encode("utf-8", "backslashreplace").decode("utf-8")


def _error(message: str) -> None:
    click.echo(f"dockerslim-lint: {escape(_display_path(message))}", err=True)


def _tolerant_stdout() -> None:
    """A report never fails on a character that standard output's encoding lacks (an ASCII
    locale, PYTHONIOENCODING=ascii, a legacy Windows console): such a character is written
    as a backslash escape instead. JSON and SARIF are ASCII already; stderr does this by default."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - a replaced or closed stream
            pass


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null, so that the interpreter's final flush
    does not print `Exception ignored ... BrokenPipeError`."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no real stdout
        pass


def main(argv=None):
    """Entry point: click handles usage errors (exit 2); anything unexpected is one line, exit 2."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["lsp"]:  # the language server (lint a file named lsp as ./lsp)
        from dockerslim_lint.lsp import main as lsp_main

        sys.exit(lsp_main(args[1:]))
    _tolerant_stdout()
    try:
        cli.main(args=argv, prog_name="dockerslim-lint", standalone_mode=True)
    except SystemExit:
        raise
    except BrokenPipeError:  # --list-rules, --explain, --help into a closed pipe
        _silence_stdout()
        sys.exit(EXIT_OK)
    except KeyboardInterrupt:
        _error("interrupted")
        sys.exit(130)
    except Exception as exc:  # never a traceback for a user
        _error(f"internal error: {type(exc).__name__}: {exc}; please report this")
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":  # pragma: no cover
    main()
