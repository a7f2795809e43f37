"""dockerslim_lint.records behaves as dataclasses for every feature the package uses: each
class below is made twice, by @dataclass and by @record, and both must agree."""
from __future__ import annotations

import copy
import dataclasses
import os
import pickle
import subprocess
import sys

import pytest

from dockerslim_lint import records
from dockerslim_lint.records import FrozenInstanceError, field, fields, record, replace

KINDS = ["dataclass", "record"]


@pytest.fixture(autouse=True, params=["generic-init", "compiled-init"])
def init_path(request, monkeypatch):
    """Every test runs with both __init__ paths of a record: the generic binding of its
    first calls, and the __init__ compiled from then on."""
    monkeypatch.setattr(records, "_COMPILE_AFTER", 10 ** 9 if request.param == "generic-init" else 1)
    return request.param


def _api(kind):
    if kind == "dataclass":
        return dataclasses.dataclass, dataclasses.field
    return record, field


def make(kind, frozen=False, order=False):
    """The same class body under either decorator (same __qualname__, so reprs compare)."""
    deco, fld = _api(kind)
    options = {}
    if frozen:
        options["frozen"] = True
    if order:
        options["order"] = True

    class Point:
        """A point."""

        x: int
        y: str = "y"
        tags: list = fld(default_factory=list)
        note: str = fld(default="n", repr=False)
        cache: dict = fld(default_factory=dict, compare=False, hash=False)
        weight: float = fld(default=1.0, compare=False)

    return deco(**options)(Point) if options else deco(Point)


def both(frozen=False, order=False):
    return make("dataclass", frozen, order), make("record", frozen, order)


@pytest.mark.parametrize("frozen", [False, True])
def test_init_positional_keyword_defaults_and_factories(frozen):
    for cls in both(frozen):
        p = cls(1)
        assert (p.x, p.y, p.tags, p.note, p.cache, p.weight) == (1, "y", [], "n", {}, 1.0)
        q = cls(2, "b", [3], "m", {"k": 1}, 2.5)
        assert (q.x, q.y, q.tags, q.note, q.cache, q.weight) == (2, "b", [3], "m", {"k": 1}, 2.5)
        r = cls(weight=3.0, x=4, tags=[1])
        assert (r.x, r.tags, r.weight) == (4, [1], 3.0)
        # a factory is called for each instance
        assert cls(1).tags is not cls(1).tags and cls(1).cache is not cls(1).cache


@pytest.mark.parametrize("args, kwargs", [((), {}), ((1, 2, 3, 4, 5, 6, 7), {}), ((1,), {"x": 2}),
                                          ((1,), {"nope": 2}), ((), {"y": 1})])
def test_bad_arguments_are_the_same_type_errors(args, kwargs):
    messages = []
    for cls in both():
        with pytest.raises(TypeError) as error:
            cls(*args, **kwargs)
        messages.append(str(error.value).split(". Did you mean")[0])  # Python 3.13 adds a hint
    assert messages[0] == messages[1]


def test_missing_arguments_are_listed_as_python_lists_them():
    for kind in KINDS:
        deco, _ = _api(kind)

        @deco
        class Three:
            a: int
            b: int
            c: int

        messages = []
        for args in [(), (1,), (1, 2)]:
            with pytest.raises(TypeError) as error:
                Three(*args)
            messages.append(str(error.value).split(": ", 1)[1])
        assert messages == ["'a', 'b', and 'c'", "'b' and 'c'", "'c'"]


def test_init_is_compiled_after_some_calls(monkeypatch, init_path):
    monkeypatch.setattr(records, "_COMPILE_AFTER", 3)
    rc = make("record", frozen=True)
    first = rc.__init__
    made = [rc(i, tags=()) for i in range(5)]
    assert rc.__init__ is not first and rc.__init__.__qualname__ == "make.<locals>.Point.__init__"
    assert [p.x for p in made] == list(range(5)) and len(set(made)) == 5
    assert vars(made[0]) == vars(rc(0, tags=()))  # same attributes in the same order either way


def test_class_attributes_are_the_defaults_as_in_dataclasses():
    dc, rc = both()
    for name in ("x", "y", "tags", "note", "cache", "weight"):
        assert hasattr(dc, name) == hasattr(rc, name), name
        if hasattr(dc, name):
            assert getattr(dc, name) == getattr(rc, name)
    assert rc.y == "y" and rc.note == "n" and not hasattr(rc, "tags") and not hasattr(rc, "x")


@pytest.mark.parametrize("frozen", [False, True])
def test_repr_matches_dataclasses(frozen):
    dc, rc = both(frozen)
    for args in [(1,), (2, "it's", [1, "a"], "hidden", {"a": 1}, 0.5)]:
        assert repr(rc(*args)) == repr(dc(*args))
    assert repr(rc(1)) == "make.<locals>.Point(x=1, y='y', tags=[], cache={}, weight=1.0)"


def test_recursive_repr_as_dataclasses():
    for kind in KINDS:
        deco, _ = _api(kind)

        @deco
        class Node:
            child: object = None

        n = Node()
        n.child = n
        assert repr(n) == "test_recursive_repr_as_dataclasses.<locals>.Node(child=...)"


@pytest.mark.parametrize("frozen", [False, True])
def test_eq_compares_compare_fields_of_the_same_class(frozen):
    dc, rc = both(frozen)
    for cls in (dc, rc):
        assert cls(1, cache={"a": 1}, weight=9.0) == cls(1)  # compare=False fields ignored
        assert cls(1) != cls(2) and cls(1, tags=[1]) != cls(1)
        assert cls(1).__eq__(object()) is NotImplemented
        assert cls(1) != (1, "y", [], "n")
    # never equal across classes, even with the same fields
    assert rc(1) != make("record", frozen)(1)
    assert rc(1).__eq__(dc(1)) is NotImplemented


def test_mutable_records_are_unhashable_as_dataclasses():
    for cls in both():
        assert cls.__hash__ is None
        with pytest.raises(TypeError):
            hash(cls(1, tags=()))


def test_frozen_hash_is_dataclasses_hash():
    dc, rc = both(frozen=True)
    for args in [(1, "a", (), "n"), (2, "b", (1, 2), "m", {"c": 3}, 7.0)]:
        assert hash(rc(*args)) == hash(dc(*args))
    # hash=False and compare=False fields do not count
    assert hash(rc(1, "a", (), "n", {"z": 1}, 5.0)) == hash(rc(1, "a", (), "n"))
    assert len({rc(1, tags=()), rc(1, tags=(), weight=2.0), rc(2, tags=())}) == 2


def test_frozen_assignment_and_deletion_raise():
    dc, rc = both(frozen=True)
    for cls, error in ((dc, dataclasses.FrozenInstanceError), (rc, FrozenInstanceError)):
        p = cls(1)
        with pytest.raises(error) as assigned:
            p.x = 2
        with pytest.raises(error) as deleted:
            del p.y
        with pytest.raises(AttributeError):
            p.other = 1
        assert str(assigned.value) == "cannot assign to field 'x'"
        assert str(deleted.value) == "cannot delete field 'y'"
        assert (p.x, p.y) == (1, "y")
    assert issubclass(FrozenInstanceError, AttributeError)


def test_mutable_records_assign():
    rc = make("record")
    p = rc(1)
    p.x = 5
    p.extra = "ok"
    del p.y
    assert p.x == 5 and p.extra == "ok" and p.y == "y"  # the class default shows through


def test_order_as_dataclasses():
    dc, rc = both(frozen=True, order=True)
    values = [(3, "a"), (1, "b"), (1, "a"), (2, "z"), (1, "a")]
    assert [(p.x, p.y) for p in sorted(rc(*v) for v in values)] == \
        [(p.x, p.y) for p in sorted(dc(*v) for v in values)]
    a, b = rc(1, "a"), rc(1, "b")
    assert a < b and a <= b and b > a and b >= a and a <= rc(1, "a") and not a < rc(1, "a")
    assert rc(1, weight=5.0) <= rc(1, weight=1.0)  # compare=False fields do not order
    with pytest.raises(TypeError):
        a < make("record", frozen=True, order=True)(1)  # another class: NotImplemented both ways
    assert a.__lt__((1, "a")) is NotImplemented
    with pytest.raises(TypeError):
        make("record", frozen=True)(1) < make("record", frozen=True)(2)  # no order=True: no <


def test_post_init_runs_after_init_and_on_replace():
    for kind in KINDS:
        deco, fld = _api(kind)

        @deco(frozen=True)
        class Sorted:
            items: tuple
            label: str = ""

            def __post_init__(self):
                object.__setattr__(self, "items", tuple(sorted(self.items)))

        s = Sorted([3, 1, 2])
        assert s.items == (1, 2, 3)
        changed = (dataclasses.replace if kind == "dataclass" else replace)(s, items=[9, 0])
        assert changed.items == (0, 9) and changed.label == "" and s.items == (1, 2, 3)


def test_replace_as_dataclasses():
    rc = make("record", frozen=True)
    p = rc(1, "a", (1,), "n", {"c": 1}, 2.0)
    q = replace(p, y="b")
    assert (q.x, q.y, q.tags, q.note, q.cache, q.weight) == (1, "b", (1,), "n", {"c": 1}, 2.0)
    assert type(q) is rc and q is not p and replace(p) == p
    with pytest.raises(TypeError):
        replace(p, nope=1)
    with pytest.raises(TypeError):
        replace(object(), x=1)


def test_fields_names_and_options():
    rc = make("record")
    got = [(f.name, f.repr, f.compare, f.hash) for f in fields(rc)]
    expected = [(f.name, f.repr, f.compare, f.hash) for f in dataclasses.fields(make("dataclass"))]
    assert got == expected
    assert fields(rc(1)) == fields(rc)
    with pytest.raises(TypeError):
        fields(object)


def test_definition_errors_as_dataclasses():
    for kind in KINDS:
        deco, fld = _api(kind)
        with pytest.raises(ValueError):
            @deco
            class MutableDefault:
                items: list = []
        with pytest.raises(TypeError):
            @deco
            class DefaultFirst:
                a: int = 1
                b: int
        with pytest.raises(ValueError):
            fld(default=1, default_factory=list)


def test_methods_the_class_defines_are_kept():
    @record
    class Custom:
        a: int

        def __repr__(self):
            return "custom"

        def __eq__(self, other):
            return True

        __hash__ = object.__hash__

    assert repr(Custom(1)) == "custom" and Custom(1) == Custom(2) and hash(Custom(1)) != hash(Custom(1))


def test_a_class_without_fields():
    for kind in KINDS:
        deco, _ = _api(kind)

        @deco(frozen=True)
        class Empty:
            pass

        assert Empty() == Empty() and hash(Empty()) == hash(Empty()) and repr(Empty()).endswith("Empty()")
        with pytest.raises(TypeError) as error:
            Empty(1)
        assert str(error.value).endswith("Empty.__init__() takes 1 positional argument but 2 were given")


def test_single_field_compares_and_hashes_as_a_tuple():
    nan = float("nan")
    dc, rc = (_api(k)[0](frozen=True)(type("One", (), {"__annotations__": {"v": "float"}})) for k in KINDS)
    # As dataclasses up to Python 3.12 (3.13 compares field by field): the fields as a tuple,
    # whose comparison takes an object as equal to itself.
    assert rc(nan) == rc(nan) and rc(1.5) == rc(1.5) and rc(1.5) != rc(2.5)
    assert hash(rc(1.5)) == hash(dc(1.5)) == hash((1.5,))


# Module level, so that pickle finds them.
@record(frozen=True)
class Frozen:
    name: str
    items: tuple = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)


@record
class Mutable:
    name: str
    children: list = field(default_factory=list)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(protocol):
    f = Frozen("a", (1, 2), {"k": [1]})
    m = Mutable("m", [f])
    for obj in (f, m):
        back = pickle.loads(pickle.dumps(obj, protocol))
        assert back == obj and type(back) is type(obj) and repr(back) == repr(obj)
    assert pickle.loads(pickle.dumps(f, protocol)).extra == {"k": [1]}


def test_copy_and_deepcopy():
    f = Frozen("a", (1,), {"k": [1]})
    m = Mutable("m", [f])
    assert copy.copy(f) == f and copy.deepcopy(f) == f
    shallow, deep = copy.copy(m), copy.deepcopy(m)
    assert shallow == m == deep and shallow.children is m.children and deep.children is not m.children


def test_unpickled_before_any_instantiation(tmp_path):
    """An instance unpickled in a process that never called the class (the catalog pickle)."""
    data = pickle.dumps(Frozen("a", (1,)))
    code = ("import pickle, sys\n"
            f"import {Frozen.__module__} as t\n"
            f"f = pickle.loads({data!r})\n"
            "assert f == t.Frozen('a', (1,)) and hash(f) == hash(t.Frozen('a', (1,)))\n"
            "print(repr(f))\n")
    # run beside this file, so that pytest's name of this module imports
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.abspath(__file__)))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "Frozen(name='a', items=(1,), extra={})"


def test_importing_records_imports_neither_dataclasses_nor_inspect():
    code = ("import sys\n"
            "before = set(sys.modules)\n"
            "import dockerslim_lint.records\n"
            "print(' '.join(sorted(set(sys.modules) - before)))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout.split()
    assert "dockerslim_lint.records" in loaded
    assert not {"dataclasses", "inspect", "typing", "ast"} & set(loaded), loaded


def test_the_package_defines_no_dataclass():
    """Every record class of the package is a records.record (dataclasses cost start-up)."""
    import importlib

    from conftest import package_module_names

    found = 0
    for name in package_module_names():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                assert not dataclasses.is_dataclass(value), f"{name}.{value.__name__} is a dataclass"
                found += hasattr(value, "__record_fields__")
    assert found >= 30
    assert records.__all__
