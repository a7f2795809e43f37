"""Record classes: the part of `dataclasses` this package uses, cheap to import and to define.

Why not `dataclasses`: on a one-file run its start-up cost was a quarter of the run
(measured with Python 3.11: `import dataclasses` ~11 ms, because it imports `inspect` and
through it `ast`, `dis` and `tokenize`; defining our ~34 classes ~25 ms more, because each
`@dataclass` compiles 4 to 6 generated functions and calls `inspect.signature` for a class
without a docstring). Here a class costs a few attribute lookups to define; its `__init__`
binds arguments generically for its first calls and is generated (one `exec`, as
dataclasses does it) only once a run has made 20 instances, so that a one-file run compiles
next to nothing and a batch still gets the fast one; the other methods are shared closures
over `operator.attrgetter`.

What is supported, with the semantics of `dataclasses` (tests/test_records.py checks them
against it):

* `@record`, `@record(frozen=True)`, `@record(frozen=True, order=True)`: the fields are the
  class's own annotations, in order (no inheritance of fields, no `ClassVar`, no `InitVar`);
* `name: T = value` and `field(default=..., default_factory=..., repr=False, compare=False,
  hash=False)`; a default factory is called for each instance; a mutable default (list,
  dict, set) is refused as by dataclasses;
* `__init__(self, <fields in order, positional or keyword>)`, then `__post_init__()` if the
  class has one;
* `__repr__`: `Name(a=1, b='x')` without the `repr=False` fields;
* `__eq__`: instances of the very same class compare their `compare` fields as a tuple,
  anything else is NotImplemented; a mutable record is unhashable (`__hash__ = None`);
* frozen: assigning or deleting a field raises FrozenInstanceError (an AttributeError);
  `__hash__` hashes the tuple of the fields that compare (and do not say `hash=False`);
* order: `<`, `<=`, `>`, `>=` compare those tuples, for the very same class only;
* `replace(obj, **changes)` and `fields(class_or_instance)`.

Instances keep a plain `__dict__`, so they pickle and copy as any object does.
"""
from __future__ import annotations

from operator import attrgetter

__all__ = ["FrozenInstanceError", "field", "fields", "record", "replace"]

_MISSING = object()  # no default (a sentinel, never a value)
_FACTORY = object()  # the default of an argument whose field has a default factory


class FrozenInstanceError(AttributeError):
    """Assigning to or deleting a field of a frozen record."""


class Field:
    """One field of a record class."""

    __slots__ = ("name", "default", "default_factory", "repr", "compare", "hash")

    def __init__(self, default, default_factory, repr, compare, hash):
        self.name = None
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare
        self.hash = hash

    def __repr__(self) -> str:
        return (f"Field(name={self.name!r}, default={self.default!r}, default_factory={self.default_factory!r}, "
                f"repr={self.repr!r}, compare={self.compare!r}, hash={self.hash!r})")


def field(*, default=_MISSING, default_factory=_MISSING, repr=True, compare=True, hash=None):
    """A field with options, as `dataclasses.field` (without init, metadata or kw_only)."""
    if default is not _MISSING and default_factory is not _MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, repr, compare, hash)


def fields(class_or_instance) -> tuple:
    """The Field objects of a record class or instance, in order."""
    try:
        return class_or_instance.__record_fields__
    except AttributeError:
        raise TypeError("must be called with a record type or instance") from None


def replace(obj, **changes):
    """A new record like `obj` with the given fields changed (its __init__ and
    __post_init__ run again, as with dataclasses.replace)."""
    for f in fields(obj):
        if f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


def record(cls=None, *, frozen: bool = False, order: bool = False):
    """Class decorator: `@record`, `@record(frozen=True)`, `@record(frozen=True, order=True)`."""
    if cls is None:
        return lambda c: _process(c, frozen, order)
    return _process(cls, frozen, order)


def _tuple_getter(names):
    """obj -> the tuple of those attributes (a 1-tuple for one name, () for none)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _process(cls, frozen, order):
    own = cls.__dict__
    annotations = own.get("__annotations__", {})
    flist = []
    seen_default = False
    for name in annotations:
        value = own.get(name, _MISSING)
        if isinstance(value, Field):
            f = value
        else:
            f = Field(value, _MISSING, True, True, None)
        f.name = name
        if f.default is not _MISSING and f.default.__class__.__hash__ is None:
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not allowed: "
                             "use default_factory")
        has_default = f.default is not _MISSING or f.default_factory is not _MISSING
        if not has_default and seen_default:
            raise TypeError(f"non-default argument {name!r} follows default argument")
        seen_default = seen_default or has_default
        # As dataclasses: the class attribute is the default, or absent.
        if f.default is _MISSING:
            if isinstance(value, Field):
                delattr(cls, name)
        else:
            setattr(cls, name, f.default)
        flist.append(f)
    for name, value in own.items():
        if isinstance(value, Field) and name not in annotations:
            raise TypeError(f"{name!r} is a field but has no type annotation")
    flist = tuple(flist)
    cls.__record_fields__ = flist
    names = tuple(f.name for f in flist)
    cls.__match_args__ = names

    _set(cls, "__init__", _lazy_init(cls, flist, frozen))

    shown = tuple(f.name for f in flist if f.repr)
    _set(cls, "__repr__", _repr_fn(shown))

    compared = _tuple_getter([f.name for f in flist if f.compare])

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    _set(cls, "__eq__", __eq__)

    # dataclasses' rule for eq=True, unsafe_hash=False: a class that defines __hash__ keeps
    # it; otherwise a frozen record hashes its fields and a mutable one is unhashable.
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    if not explicit_hash:
        if frozen:
            hashed = _tuple_getter([f.name for f in flist if (f.compare if f.hash is None else f.hash)])
            def __hash__(self):
                return hash(hashed(self))

            _put(cls, "__hash__", __hash__)
        else:
            cls.__hash__ = None

    if order:
        for name, op in (("__lt__", _lt), ("__le__", _le), ("__gt__", _gt), ("__ge__", _ge)):
            if name in own:
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}. "
                                "Consider using functools.total_ordering")
            fn = _order_fn(compared, op)
            fn.__name__ = name
            _set(cls, name, fn)

    if frozen:
        field_names = frozenset(names)

        def __setattr__(self, name, value):
            if type(self) is cls or name in field_names:
                raise FrozenInstanceError(f"cannot assign to field {name!r}")
            super(cls, self).__setattr__(name, value)

        def __delattr__(self, name):
            if type(self) is cls or name in field_names:
                raise FrozenInstanceError(f"cannot delete field {name!r}")
            super(cls, self).__delattr__(name)

        for fn in (__setattr__, __delattr__):
            if fn.__name__ in own:
                raise TypeError(f"Cannot overwrite attribute {fn.__name__} in class {cls.__name__}")
            _set(cls, fn.__name__, fn)
    return cls


def _set(cls, name, fn):
    """Set a method unless the class body defined it (as dataclasses does)."""
    if name not in cls.__dict__:
        _put(cls, name, fn)


def _put(cls, name, fn):
    fn.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, fn)


# A class's __init__ is compiled (one exec, ~0.1-0.3 ms) once it has been called this many
# times: a one-file run makes most records a few times, a batch makes some millions of times.
_COMPILE_AFTER = 20


def _lazy_init(cls, flist, frozen):
    """An __init__ that binds its arguments generically for the first _COMPILE_AFTER calls,
    then compiles the class's own __init__ (as dataclasses generates it) and puts it on the
    class. A class a run never makes costs nothing, and one it makes a few times no exec."""
    names = tuple(f.name for f in flist)
    count = len(names)
    index = {name: i for i, name in enumerate(names)}
    # per field: (True, default value) or (False, factory) or None (required)
    defaults = tuple((True, f.default) if f.default is not _MISSING
                     else (False, f.default_factory) if f.default_factory is not _MISSING else None
                     for f in flist)
    required = defaults.count(None)
    calls = 0

    def bind(args, kwargs):
        """The values of every field, in order, as Python binds `__init__(self, *fields)`."""
        qualname = cls.__qualname__
        if len(args) > count:
            takes = f"{count + 1}" if required == count else f"from {required + 1} to {count + 1}"
            plural = "" if takes == "1" else "s"
            raise TypeError(f"{qualname}.__init__() takes {takes} positional argument{plural} but "
                            f"{len(args) + 1} were given")
        values = list(args) + [_MISSING] * (count - len(args))
        for key, value in kwargs.items():
            i = index.get(key)
            if i is None:
                raise TypeError(f"{qualname}.__init__() got an unexpected keyword argument {key!r}")
            if i < len(args):
                raise TypeError(f"{qualname}.__init__() got multiple values for argument {key!r}")
            values[i] = value
        missing = [names[i] for i, v in enumerate(values) if v is _MISSING and defaults[i] is None]
        if missing:
            quoted = [repr(m) for m in missing]
            listed = (quoted[0] if len(quoted) == 1 else f"{quoted[0]} and {quoted[1]}" if len(quoted) == 2
                      else ", ".join(quoted[:-1]) + ", and " + quoted[-1])
            raise TypeError(f"{qualname}.__init__() missing {len(missing)} required positional "
                            f"argument{'s' if len(missing) > 1 else ''}: {listed}")
        for i, value in enumerate(values):
            if value is _MISSING:
                is_value, default = defaults[i]
                values[i] = default if is_value else default()
        return values

    post_init = hasattr(cls, "__post_init__")

    def __init__(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        if calls >= _COMPILE_AFTER:
            real = _make_init(cls, flist, frozen)
            if cls.__dict__.get("__init__") is __init__:
                cls.__init__ = real
            return real(self, *args, **kwargs)
        values = args if len(args) == count and not kwargs else bind(args, kwargs)
        if frozen or type(self).__setattr__ is object.__setattr__:
            self.__dict__.update(zip(names, values))
        else:  # a mutable record with its own __setattr__: through it, as dataclasses does
            for name, value in zip(names, values):
                setattr(self, name, value)
        if post_init:
            self.__post_init__()

    return __init__


def _make_init(cls, flist, frozen):
    params, body = [], []
    env = {"_FACTORY": _FACTORY}
    target = "_d[{!r}]" if frozen else "self.{}"
    if frozen and flist:
        body.append("_d = self.__dict__")
    for i, f in enumerate(flist):
        name = f.name
        store = target.format(name)
        if f.default_factory is not _MISSING:
            env[f"_factory_{i}"] = f.default_factory
            params.append(f"{name}=_FACTORY")
            body.append(f"{store} = _factory_{i}() if {name} is _FACTORY else {name}")
        else:
            if f.default is not _MISSING:
                env[f"_default_{i}"] = f.default
                params.append(f"{name}=_default_{i}")
            else:
                params.append(name)
            body.append(f"{store} = {name}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    if not body:
        body.append("pass")
    source = (f"def __init__({', '.join(['self'] + params)}):\n"
              + "".join(f"    {line}\n" for line in body))
    exec(source, env)
    fn = env["__init__"]
    fn.__qualname__ = f"{cls.__qualname__}.__init__"
    fn.__module__ = cls.__module__
    return fn


def _repr_fn(names):
    from _thread import get_ident

    running = set()
    getters = tuple((name + "=", attrgetter(name)) for name in names)

    def __repr__(self):
        key = (id(self), get_ident())
        if key in running:
            return "..."
        running.add(key)
        try:
            inner = ", ".join(label + repr(get(self)) for label, get in getters)
        finally:
            running.discard(key)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


def _lt(a, b):
    return a < b


def _le(a, b):
    return a <= b


def _gt(a, b):
    return a > b


def _ge(a, b):
    return a >= b


def _order_fn(compared, op):
    def compare(self, other):
        if other.__class__ is self.__class__:
            return op(compared(self), compared(other))
        return NotImplemented

    return compare
