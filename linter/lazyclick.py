"""click, imported only when a run needs it.

`import click` costs more than the rest of a one-file run together (its modules, plus
inspect, enum, gettext...). The command line is still declared with click and behaves
as click makes it behave; this module only decides when click is loaded:

* `cli.py` writes `from dockerslim_lint import lazyclick as click` and declares the
  command with the usual `@click.command`, `@click.option`, `@click.argument`,
  `click.Choice`, `click.Path`, `click.version_option`. These record their arguments.
* `command.main(argv)` first tries a strict parser that accepts only plain uses of the
  declared options (`--name VALUE`, `--name=VALUE`, `-x VALUE`, flags, repeated options,
  positional paths) and computes the very values click would (the same type checks and
  callbacks). It then calls the command function itself.
* Anything else (--help, --version, an unknown or abbreviated option, a combined short
  option, `--`, a value click would reject, a callback raising, a click exception raised
  by the command) runs click for real on the same arguments, so usage errors, help and
  messages are click's own. Usage errors come before a run writes anything, so running
  click again after one is safe.
* Every other attribute (`click.UsageError`, `click.style`, ...) is click's own, imported
  on first use; the real command (`cli.real`, or any other attribute of `cli`, which is
  what click.testing.CliRunner uses) is built from the recorded declarations on demand.

A test checks that the strict parser gives click's values for every option.
"""
from __future__ import annotations

import os
import sys

_SUPPORTED_OPTION = {"type", "default", "show_default", "help", "metavar", "is_flag", "multiple",
                     "callback", "hidden"}
_SUPPORTED_ARGUMENT = {"type", "nargs"}
_TYPE_NAMES = {"Path", "Choice"}


def _click():
    import click

    return click


class _Deferred:
    """A recorded call of click.NAME(*args, **kwargs), made for real by build()."""

    def __init__(self, name, args, kwargs):
        self.name, self.args, self.kwargs = name, args, kwargs

    def build(self):
        return getattr(_click(), self.name)(*self.args, **self.kwargs)


def _built(value):
    return value.build() if isinstance(value, _Deferred) else value


def Path(*args, **kwargs):  # noqa: N802 - click's name
    return _Deferred("Path", args, kwargs)


def Choice(*args, **kwargs):  # noqa: N802 - click's name
    return _Deferred("Choice", args, kwargs)


def _recorder(kind, args, kwargs):
    def decorate(f):
        f.__dict__.setdefault("__lazy_params__", []).append((kind, args, kwargs))
        return f

    return decorate


def option(*decls, **attrs):
    return _recorder("option", decls, attrs)


def argument(*decls, **attrs):
    return _recorder("argument", decls, attrs)


def version_option(*args, **kwargs):
    return _recorder("version_option", args, kwargs)


def command(name=None, **attrs):
    def decorate(f):
        return LazyCommand(f, name, attrs)

    return decorate


def echo(message=None, file=None, nl=True, err=False, color=None):
    """click.echo for plain text; anything else (bytes, ANSI escapes, color=) goes to click's."""
    if color is not None or not isinstance(message, (str, type(None))) or (message and "\x1b" in message):
        return _click().echo(message, file=file, nl=nl, err=err, color=color)
    stream = file if file is not None else (sys.stderr if err else sys.stdout)
    if stream is None:  # pythonw: no console
        return None
    text = (message or "") + ("\n" if nl else "")
    if text:
        stream.write(text)
    stream.flush()
    return None


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_click(), name)


class _Decline(Exception):
    """The strict parser does not take these arguments: click must."""


class _Param:
    def __init__(self, kind, decls, attrs):
        self.kind, self.attrs = kind, attrs
        self.opts = [d for d in decls if d.startswith("-")]
        names = [d for d in decls if d.isidentifier()]
        if names:
            self.name = names[0]
        else:
            longs = [o for o in self.opts if o.startswith("--")]
            self.name = (longs or self.opts)[0].lstrip("-").replace("-", "_").lower()
        allowed = _SUPPORTED_OPTION if kind == "option" else _SUPPORTED_ARGUMENT
        type_ = attrs.get("type")
        self.supported = (set(attrs) <= allowed and all("/" not in o for o in self.opts)
                          and (type_ is None or type_ is str or
                               (isinstance(type_, _Deferred) and type_.name in _TYPE_NAMES))
                          and (kind == "option" or attrs.get("nargs", 1) == -1))
        self.is_flag = bool(attrs.get("is_flag"))
        self.multiple = bool(attrs.get("multiple")) or kind == "argument"

    def default(self):
        if self.kind == "argument" or self.multiple:
            default = self.attrs.get("default")
            return () if default is None else tuple(self.convert(v) for v in default)
        if self.is_flag:
            return bool(self.attrs.get("default", False))
        default = self.attrs.get("default")
        return None if default is None else self.convert(default)

    def convert(self, value):
        type_ = self.attrs.get("type")
        if not isinstance(type_, _Deferred):
            return value
        kwargs = type_.kwargs
        if type_.name == "Choice":
            if kwargs.get("case_sensitive", True) is not True or value not in list(type_.args[0]):
                raise _Decline()
            return value
        # Path: the checks click.Path.convert makes, for the settings it offers.
        if kwargs.get("resolve_path") or kwargs.get("path_type") is not None or type_.args:
            raise _Decline()
        if kwargs.get("file_okay", True) and kwargs.get("allow_dash", False) and value == "-":
            return value
        import stat

        try:
            st = os.stat(value)
        except OSError:
            if kwargs.get("exists", False):
                raise _Decline() from None
            return value
        if (not kwargs.get("file_okay", True) and stat.S_ISREG(st.st_mode)) or \
                (not kwargs.get("dir_okay", True) and stat.S_ISDIR(st.st_mode)) or \
                (kwargs.get("readable", True) and not os.access(value, os.R_OK)) or \
                (kwargs.get("writable", False) and not os.access(value, os.W_OK)) or \
                (kwargs.get("executable", False) and not os.access(value, os.X_OK)):
            raise _Decline()
        return value


class LazyCommand:
    def __init__(self, f, name, attrs):
        self.callback = f
        self._name = name
        self._attrs = attrs
        self._real = None
        self.__doc__ = f.__doc__
        recorded = list(reversed(f.__dict__.get("__lazy_params__", [])))  # declaration order
        self._recorded = recorded
        self._params = [_Param(kind, args, kwargs) for kind, args, kwargs in recorded
                        if kind in ("option", "argument")]
        settings = attrs.get("context_settings") or {}
        self._help_names = list(settings.get("help_option_names", ["--help"]))
        self._eager = set(self._help_names)
        for kind, args, kwargs in recorded:
            if kind == "version_option":
                self._eager.update(a for a in args[1:] if isinstance(a, str) and a.startswith("-"))
                if not any(isinstance(a, str) and a.startswith("-") for a in args[1:]):
                    self._eager.add("--version")
        self._fast = (set(attrs) <= {"context_settings"} and set(settings) <= {"help_option_names"}
                      and all(p.supported for p in self._params)
                      and sum(p.kind == "argument" for p in self._params) <= 1)

    # -- the real click command ----------------------------------------------------
    @property
    def real(self):
        if self._real is None:
            click = _click()
            f = self.callback
            f.__dict__.pop("__click_params__", None)
            for kind, args, kwargs in reversed(self._recorded):  # as the decorators ran: bottom up
                if kind == "version_option":
                    f = click.version_option(*args, **kwargs)(f)
                    continue
                kwargs = {k: _built(v) for k, v in kwargs.items()}
                f = getattr(click, kind)(*args, **kwargs)(f)
            self._real = click.command(self._name, **self._attrs)(f)
        return self._real

    def __getattr__(self, name):
        if name.startswith("__") or name in ("_real", "_recorded", "_params"):
            raise AttributeError(name)
        return getattr(self.real, name)

    def __call__(self, *args, **kwargs):
        return self.real(*args, **kwargs)

    # -- the strict parser ---------------------------------------------------------
    def parse(self, argv):
        """The keyword arguments click would pass for argv, or _Decline."""
        if not self._fast or os.name == "nt":  # click expands wildcards on Windows
            raise _Decline()
        by_opt = {}
        for p in self._params:
            for o in p.opts:
                by_opt[o] = p
        given = {}
        positionals = []
        args = list(argv)
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if not isinstance(arg, str):
                raise _Decline()
            if arg == "-" or not arg.startswith("-"):
                positionals.append(arg)
                continue
            if arg == "--" or arg in self._eager:
                raise _Decline()
            name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
            p = by_opt.get(name)
            if p is None or p.kind != "option":
                raise _Decline()
            if p.is_flag:
                if eq:
                    raise _Decline()
                given[p.name] = True
                continue
            if not eq:
                if i >= len(args):
                    raise _Decline()
                value = args[i]
                i += 1
            value = p.convert(value)
            if p.multiple:
                given.setdefault(p.name, []).append(value)
            else:
                given[p.name] = value
        kwargs = {}
        for p in self._params:
            if p.kind == "argument":
                value = tuple(p.convert(v) for v in positionals)
                positionals = []
            elif p.name in given:
                value = tuple(given[p.name]) if p.multiple else given[p.name]
            else:
                value = p.default()
            callback = p.attrs.get("callback")
            if callback is not None:
                try:
                    value = callback(None, None, value)
                except Exception:  # click's BadParameter, or a callback that wants a context
                    raise _Decline() from None
            kwargs[p.name] = value
        if positionals:  # no argument takes them: click says so
            raise _Decline()
        return kwargs

    def main(self, args=None, prog_name=None, standalone_mode=True, **extra):
        """click's Command.main; plain arguments run the command without importing click."""
        argv = sys.argv[1:] if args is None else list(args)
        try:
            if not standalone_mode or extra:
                raise _Decline()
            kwargs = self.parse(argv)
        except _Decline:
            return self.real.main(args=argv, prog_name=prog_name, standalone_mode=standalone_mode, **extra)
        try:
            self.callback(**kwargs)
        except (EOFError, KeyboardInterrupt):  # as click: "Aborted!", exit 1
            echo(file=sys.stderr)
            echo("Aborted!", file=sys.stderr)
            sys.exit(1)
        except Exception as exc:
            if type(exc).__module__.split(".")[0] == "click":  # a usage error: click says it
                return self.real.main(args=argv, prog_name=prog_name, standalone_mode=True)
            if isinstance(exc, OSError) and exc.errno == 32:  # EPIPE, handled as click does
                from click.utils import PacifyFlushWrapper

                sys.stdout = PacifyFlushWrapper(sys.stdout)
                sys.stderr = PacifyFlushWrapper(sys.stderr)
                sys.exit(1)
            raise
        sys.exit(0)
