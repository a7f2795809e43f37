"""Configuration files: `.dockerslim-lint.yaml` (or `.yml`), or `[tool.dockerslim-lint]`
in `pyproject.toml`. See docs/configuration.md for the keys.

Lookup is per linted file: from the file's directory upward, stopping after the
repository root (a directory holding `.git`) or the filesystem root; the first
directory holding a config wins (its YAML file over its pyproject.toml). Results are
cached per directory, so thousands of files cost one lookup per directory and one
read per config file. `--config PATH` skips the lookup and applies to every file.

Every problem (unreadable file, bad YAML/TOML, unknown key, wrong type, unknown
rule ID, bad image entry) raises ConfigError, a one-line message naming the file,
the line where known, and the key; the CLI prints it and exits 2.
"""
from __future__ import annotations

import os
import re
import sys
from dockerslim_lint import lazyre
from dockerslim_lint.records import field, record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~3 ms of start-up)
if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Dict, Iterable, Optional, Tuple

YAML_NAMES = (".dockerslim-lint.yaml", ".dockerslim-lint.yml")
PYPROJECT = "pyproject.toml"
_CONFIG_NAMES = frozenset(name.lower() for name in YAML_NAMES + (PYPROJECT,))  # as _listing has them
TOOL = "dockerslim-lint"
KEYS = ("ignore", "select", "severity", "failure-threshold", "target", "build-args",
        "suggestions", "images", "exclude")
SEVERITY_VALUES = ("error", "warning", "info", "off")
THRESHOLDS = ("error", "warning", "info", "none")
FAMILIES = ("distroless", "chainguard")


class ConfigError(Exception):
    """One line: `FILE:LINE: KEY: problem` (LINE and KEY when known)."""

    def __init__(self, path: str, line: Optional[int], key: Optional[str], problem: str):
        where = _shown(path) + (f":{line}" if line else "")
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")


def _shown(path: str) -> str:
    """A path as the user would type it: relative when under the working directory."""
    try:
        rel = os.path.relpath(path)
    except (ValueError, OSError):  # another drive (Windows), or no current directory
        return path
    return path if _outside(rel) else rel


def _outside(rel: str) -> bool:
    return rel == os.pardir or rel.startswith(os.pardir + os.sep)


@record
class Config:
    """One config file's settings, validated. `Config()` is "no config file"."""

    path: Optional[str] = None
    kind: str = "none"  # "yaml" | "pyproject" | "none"
    shadowed: Optional[str] = None  # a pyproject.toml section beside the YAML file, not used
    select: Optional[frozenset] = None
    ignore: frozenset = frozenset()
    severity: Dict[str, str] = field(default_factory=dict)
    failure_threshold: Optional[str] = None
    target: Optional[str] = None
    build_args: Dict[str, str] = field(default_factory=dict)
    suggestions: Optional[str] = None
    images: Dict[str, object] = field(default_factory=dict)
    image_lines: Dict[str, Optional[int]] = field(default_factory=dict)
    exclude: Tuple[str, ...] = ()
    _exclude_re: Optional[re.Pattern] = field(default=None, repr=False)
    _catalog: object = field(default=None, repr=False)

    @property
    def root(self) -> Optional[str]:
        """The directory `exclude` globs are relative to: the config file's."""
        return os.path.dirname(self.path) if self.path else None

    def describe(self) -> str:
        if self.kind == "yaml":
            text = _shown(self.path)
            if self.shadowed:
                text += f" ({_shown(self.shadowed)} also has [tool.{TOOL}]; the YAML file wins)"
            return text
        if self.kind == "pyproject":
            return f"{_shown(self.path)} [tool.{TOOL}]"
        return "none (defaults)"

    def excludes(self, path: str) -> bool:
        """Whether `path` (a linted file) matches one of the `exclude` globs."""
        if self._exclude_re is None:
            return False
        try:
            rel = os.path.relpath(os.path.abspath(path), self.root)
        except (ValueError, OSError):
            return False
        if _outside(rel):
            return False
        return self._exclude_re.search(rel.replace(os.sep, "/")) is not None

    def catalog(self):
        """The image catalog for files under this config: the default one, extended with
        `images` when there are any (a copy: the default catalog is shared)."""
        if not self.images:
            return None  # the Linter uses default_catalog()
        if self._catalog is None:
            self._catalog = build_catalog(self)
        return self._catalog


def build_catalog(config: Config):
    """A copy of the bundled catalog (never the shared one) extended with `images`, one
    entry at a time so that a bad entry is reported at its own line."""
    from dockerslim_lint.images.catalog import default_catalog

    catalog = default_catalog().copy()
    for name, family in config.images.items():
        try:
            catalog.extend({name: family})
        except ValueError as exc:  # the catalog names the field that is wrong
            problem = _one_line(exc)
            prefix = f"image family {name!r}"
            if problem.startswith(prefix):
                problem = problem[len(prefix):].lstrip(",: ") or problem
            raise ConfigError(config.path, config.image_lines.get(name), f"images.{name}", problem) from None
    return catalog


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# --------------------------------------------------------------------------- lookup

class Resolver:
    """Which config applies to a file: per directory, cached; or one `--config` for all.
    A Resolver serves one run: what it found stays, and relative paths are read against
    the current directory, which a run does not change."""

    def __init__(self, known_ids: Iterable[str], explicit: Optional[str] = None):
        self.known_ids = frozenset(known_ids)
        self._by_dir: Dict[str, Config] = {}
        self._by_head: Dict[str, Config] = {}  # os.path.dirname(path) as written -> its config
        self._explicit = load(explicit, self.known_ids) if explicit else None

    def for_path(self, path: str) -> Config:
        """The config for a linted file (`-`: standard input, looked up from the cwd)."""
        if self._explicit is not None:
            return self._explicit
        head, tail = os.path.split(path)
        # The files of one folder share its config: dirname(abspath(path)) is abspath(head)
        # when the last part of path names a file (not "." or "..").
        same_folder = path != "-" and tail not in ("", ".", "..")
        if same_folder:
            found = self._by_head.get(head)
            if found is not None:
                return found
        try:
            folder = os.getcwd() if path == "-" else os.path.dirname(os.path.abspath(path))
        except OSError:  # the current directory was removed: nothing to look up from
            return NO_CONFIG
        found = self.for_directory(folder)
        if same_folder:
            self._by_head[head] = found
        return found

    def for_directory(self, folder: str) -> Config:
        if self._explicit is not None:
            return self._explicit
        visited = []
        current = folder
        while True:
            found = self._by_dir.get(current)
            if found is not None:
                break
            visited.append(current)
            listed = _listing(current)
            found = find_in(current, self.known_ids, listed)
            if found is not None:
                break
            parent = os.path.dirname(current)
            if parent == current or (_may_hold(listed, ".git") and os.path.exists(os.path.join(current, ".git"))):
                found = NO_CONFIG
                break
            current = parent
        for d in visited:
            self._by_dir[d] = found
        return found


NO_CONFIG = Config()


def _listing(folder: str) -> Optional[frozenset]:
    """The names in `folder`, lower-cased, or None when it cannot be listed. One listing
    instead of a stat per config name (most folders hold none): a name not listed does not
    exist; one listed is still checked with a stat, as before."""
    try:
        return _listing_names(os.listdir(folder))
    except (OSError, ValueError):
        return None


def _listing_names(names) -> frozenset:
    return frozenset(name.lower() for name in names)


def _may_hold(listed: Optional[frozenset], name: str) -> bool:
    # Lower-cased on both sides: on a case-insensitive file system the stat would find
    # `.Dockerslim-lint.yaml` under its lower-case name too.
    return listed is None or name.lower() in listed


def find_in(folder: str, known_ids=frozenset(), listed: Optional[frozenset] = None) -> Optional[Config]:
    """The config held by `folder` itself, or None. `listed`: the folder's names (_listing),
    when known."""
    if listed is not None and listed.isdisjoint(_CONFIG_NAMES):
        return None  # most folders
    yaml_path = None
    for name in YAML_NAMES:
        candidate = os.path.join(folder, name)
        if _may_hold(listed, name) and os.path.isfile(candidate):
            yaml_path = candidate
            break
    pyproject = os.path.join(folder, PYPROJECT)
    has_pyproject = _may_hold(listed, PYPROJECT)
    if yaml_path:
        config = load(yaml_path, known_ids)
        if has_pyproject and os.path.isfile(pyproject):
            try:
                config.shadowed = pyproject if _pyproject_section(pyproject) is not None else None
            except ConfigError:  # not ours to judge: the YAML file wins anyway
                pass
        return config
    if has_pyproject and os.path.isfile(pyproject):
        return _load_pyproject(pyproject, known_ids)
    return None


def load(path: str, known_ids=frozenset()) -> Config:
    """Read and validate one config file (YAML, or a pyproject.toml's tool section)."""
    path = os.path.abspath(path)
    if path.endswith(".toml"):
        config = _load_pyproject(path, known_ids)
        if config is None:
            raise ConfigError(path, None, None, f"no [tool.{TOOL}] table in this file")
        return config
    data, line_of = _read_yaml(path)
    config = Config(path=path, kind="yaml")
    _Validator(config, line_of, known_ids).apply(data)
    return config


def _load_pyproject(path: str, known_ids) -> Optional[Config]:
    found = _pyproject_section(path)
    if found is None:
        return None
    data, line_of = found
    config = Config(path=path, kind="pyproject")
    _Validator(config, line_of, known_ids).apply(data)
    return config


def _read_text(path: str) -> str:
    if os.path.isdir(path):
        raise ConfigError(path, None, None, "cannot read: is a directory")
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        from dockerslim_lint.files import describe_os_error

        raise ConfigError(path, None, None, f"cannot read: {describe_os_error(exc)}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(path, line, None, "not UTF-8 text") from None


def _read_yaml(path: str):
    """(data, line_of) from a YAML file: one safe parse, keeping the nodes for line numbers."""
    import yaml

    text = _read_text(path)
    loader = yaml.SafeLoader(text)  # what yaml.safe_load uses, one step at a time
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, mark.line + 1 if mark else None, None,
                          f"not valid YAML: {_one_line(problem)}") from None
    finally:
        loader.dispose()
    lines: Dict[tuple, int] = {}
    raws: Dict[tuple, str] = {}
    duplicate = _index_nodes(node, (), lines, raws)
    if duplicate:
        key, line = duplicate
        raise ConfigError(path, line, ".".join(map(str, key)), "given twice")
    if data is None:
        data = {}
    return data, _LineFinder(lines, raws, node.start_mark.line + 1 if node is not None else None)


def _index_nodes(node, key, lines, raws):
    """Record the line of every mapping key and sequence item, and raw scalar text.
    Returns (key path, line) of the first duplicated mapping key, or None."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for knode, vnode in node.value:
            name = knode.value if isinstance(knode, yaml.ScalarNode) else None
            sub = key + (name,)
            if sub in lines:
                return sub, knode.start_mark.line + 1
            lines[sub] = knode.start_mark.line + 1
            found = _index_nodes(vnode, sub, lines, raws)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[key + (i,)] = item.start_mark.line + 1
            found = _index_nodes(item, key + (i,), lines, raws)
            if found:
                return found
    elif isinstance(node, yaml.ScalarNode):
        raws[key] = node.value
    return None


class _LineFinder:
    def __init__(self, lines, raws=None, default=None):
        self.lines = lines
        self.raws = raws or {}
        self.default = default

    def __call__(self, key: tuple) -> Optional[int]:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.default

    def raw(self, key: tuple) -> Optional[str]:
        return self.raws.get(key)


_SECTION = lazyre.compile(r'^\s*\[\s*tool\s*\.\s*(?:"dockerslim-lint"|\'dockerslim-lint\'|dockerslim-lint)'
                      r'\s*(\.[^\]]*)?\]\s*(#.*)?$')
_TABLE = re.compile(r"^\s*\[")


def _pyproject_section(path: str):
    """(section dict, line_of) when pyproject.toml has [tool.dockerslim-lint], else None."""
    text = _read_text(path)
    if TOOL not in text:  # cheap: most pyproject.toml files are not ours
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(path, int(m.group(1)) if m else None, None,
                          f"not valid TOML: {_one_line(problem)}") from None
    tool = data.get("tool")
    if not isinstance(tool, dict) or TOOL not in tool:
        return None
    return tool[TOOL], _toml_lines(text)


def _toml_lines(text: str) -> _LineFinder:
    """Best effort: the line of each key in our section(s) (tomllib keeps no positions)."""
    lines: Dict[tuple, int] = {}
    prefix: Optional[tuple] = None
    header = None
    for number, line in enumerate(text.splitlines(), 1):
        m = _SECTION.match(line)
        if m:
            sub = tuple(p.strip().strip("\"'") for p in (m.group(1) or "").split(".") if p.strip())
            prefix = sub
            if sub:
                lines.setdefault(sub, number)
            elif header is None:
                header = number
            continue
        if _TABLE.match(line):
            prefix = None
            continue
        if prefix is None:
            continue
        k = re.match(r'^\s*("[^"]*"|\'[^\']*\'|[A-Za-z0-9_.-]+)\s*=', line)
        if k:
            parts = tuple(p.strip().strip("\"'") for p in k.group(1).split(".")) \
                if not k.group(1)[0] in "\"'" else (k.group(1)[1:-1],)
            lines.setdefault(prefix + parts, number)
    return _LineFinder(lines, None, header)


# --------------------------------------------------------------------------- validation

class _Validator:
    def __init__(self, config: Config, line_of, known_ids):
        self.config = config
        self.line_of = line_of
        self.known = known_ids

    def fail(self, key: tuple, problem: str):
        raise ConfigError(self.config.path, self.line_of(key), ".".join(str(k) for k in key if
                                                                         not isinstance(k, int)) or None,
                          problem)

    def apply(self, data):
        c = self.config
        if not isinstance(data, dict):
            self.fail((), f"expected a mapping of settings ({', '.join(KEYS)}), got {_kind(data)}")
        for key in data:
            if key not in KEYS:
                import difflib  # only for a misspelt key

                close = difflib.get_close_matches(str(key), KEYS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(KEYS)}"
                self.fail((key,), "unknown key" + hint)
        if "select" in data:
            c.select = frozenset(self.rule_list("select", data["select"]))
            if not c.select:
                self.fail(("select",), "an empty list selects no rule; remove the key to run every rule")
        if "ignore" in data:
            c.ignore = frozenset(self.rule_list("ignore", data["ignore"]))
        if "severity" in data:
            c.severity = self.severity(data["severity"])
        if "failure-threshold" in data:
            c.failure_threshold = self.choice("failure-threshold", data["failure-threshold"], THRESHOLDS)
        if "target" in data:
            c.target = self.scalar(("target",), data["target"])
        if "build-args" in data:
            c.build_args = self.build_args(data["build-args"])
        if "suggestions" in data:
            c.suggestions = self.choice("suggestions", data["suggestions"], FAMILIES)
        if "images" in data:
            c.images, c.image_lines = self.images(data["images"])
        if "exclude" in data:
            c.exclude = tuple(self.strings("exclude", data["exclude"], split=False))
            c._exclude_re = compile_globs(c.exclude)

    def strings(self, key: str, value, split: bool):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail((key,), f"expected a list of strings, got {_kind(value)}")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail((key, i), f"expected a non-empty string, got {_kind(item)}")
            if split:
                out.extend(part.strip() for part in item.split(",") if part.strip())
            else:
                out.append(item)
        return out

    def rule_list(self, key: str, value):
        ids = [item.upper() for item in self.strings(key, value, split=True)]
        items = value if isinstance(value, list) else [value]
        for rule_id in ids:
            if rule_id not in self.known:
                where = next((i for i, item in enumerate(items)
                              if isinstance(item, str) and rule_id in item.upper()), None)
                self.fail((key,) if where is None else (key, where), self.unknown_rule(rule_id))
        return ids

    def unknown_rule(self, rule_id: str) -> str:
        import difflib  # only for an unknown rule id

        close = difflib.get_close_matches(rule_id, sorted(self.known), n=1)
        return f"unknown rule {rule_id!r}" + (f" (did you mean {close[0]}?)" if close else "") + \
            "; see `dockerslim-lint --list-rules`"

    def severity(self, value):
        if not isinstance(value, dict):
            self.fail(("severity",), f"expected a mapping of rule ID to "
                                     f"{'|'.join(SEVERITY_VALUES)}, got {_kind(value)}")
        out = {}
        for rule_id, level in value.items():
            key = ("severity", rule_id)
            if not isinstance(rule_id, str) or rule_id.upper() not in self.known:
                self.fail(key, self.unknown_rule(str(rule_id)))
            if level is False:  # YAML 1.1 reads a bare `off` as false
                level = "off"
            if not isinstance(level, str) or level.lower() not in SEVERITY_VALUES:
                self.fail(key, f"expected one of {', '.join(SEVERITY_VALUES)}, got {level!r}")
            out[rule_id.upper()] = level.lower()
        return out

    def choice(self, key: str, value, allowed):
        if not isinstance(value, str) or value.lower() not in allowed:
            self.fail((key,), f"expected one of {', '.join(allowed)}, got {value!r}")
        return value.lower()

    def scalar(self, key: tuple, value) -> str:
        """A string; in YAML, a number or boolean counts as the text written (`1.20` stays "1.20")."""
        if isinstance(value, str):
            return value
        raw = self.line_of.raw(key) if hasattr(self.line_of, "raw") else None
        if raw is not None and value is not None and not isinstance(value, (dict, list)):
            return raw
        self.fail(key, f"expected a string, got {_kind(value)}")

    def build_args(self, value):
        if not isinstance(value, dict):
            self.fail(("build-args",), f"expected a mapping of NAME: value, got {_kind(value)}")
        out = {}
        for name, val in value.items():
            if not isinstance(name, str) or not name:
                self.fail(("build-args", name), "expected a build argument name")
            out[name] = self.scalar(("build-args", name), val)
        return out

    def images(self, value):
        if not isinstance(value, dict):
            self.fail(("images",), f"expected a mapping of image family id to its names and facts, "
                                   f"got {_kind(value)}")
        lines = {}
        for name, facts in value.items():
            if not isinstance(name, str) or not name.strip():
                self.fail(("images", name), "expected an image family id as the key")
            if not isinstance(facts, dict):
                self.fail(("images", name), f"expected a mapping of facts, got {_kind(facts)}")
            lines[name] = self.line_of(("images", name))
        return dict(value), lines


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


# --------------------------------------------------------------------------- exclude globs

def compile_globs(patterns: Iterable[str]) -> Optional[re.Pattern]:
    """One regex for all `exclude` globs, matched against a path relative to the config's
    directory, with `/` separators. Like .gitignore: `*` and `?` stay within a path
    segment, `**` spans segments, a pattern without `/` matches a name at any depth,
    one with `/` is anchored at the config's directory, and matching a directory
    excludes everything below it."""
    parts = []
    for pattern in patterns:
        p = pattern.strip()
        if p.startswith("./"):
            p = p[2:]
        p = p.rstrip("/")
        if not p:
            continue
        anchored = "/" in p
        body = _glob_to_regex(p.lstrip("/"))
        parts.append(f"^{body}(?:/|$)" if anchored else f"(?:^|/){body}(?:/|$)")
    return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None


def _glob_to_regex(glob: str) -> str:
    out = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = glob.find("]", i + 2 if glob[i + 1:i + 2] in ("!", "]") else i + 1)
            if end < 0:
                out.append(re.escape(c))
                i += 1
                continue
            inner = glob[i + 1:end]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


# --------------------------------------------------------------------------- merging

def merge_options(config: Config, *, select=(), ignore=(), target=None, build_args=None,
                  failure_threshold=None, report_unused_ignores=False):
    """Options for files under `config`; what the command line gives wins: a list or a
    value given there replaces the config's, build arguments merge name by name."""
    from dockerslim_lint.engine.linter import Options

    return Options(
        select=frozenset(select) if select else config.select,
        ignore=frozenset(ignore) if ignore else config.ignore,
        severity=dict(config.severity),
        target=target if target is not None else config.target,
        build_args={**config.build_args, **(build_args or {})},
        suggestions=config.suggestions or "distroless",
        failure_threshold=failure_threshold or config.failure_threshold or "info",
        report_unused_ignores=report_unused_ignores,
    )
