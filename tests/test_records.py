"""records.NamedTuple makes the classes typing.NamedTuple makes (the quick commands'
modules use it so that they start without importing typing)."""

from __future__ import annotations

import pickle
import typing

import pytest

from papertriage.find import query, selection
from papertriage.records import NamedTuple


def example(base: type) -> type:
    """The same class body on either base."""

    class Example(base):  # type: ignore[misc,valid-type]
        """A docstring."""

        a: int
        b: str = "x"
        c: tuple[int, ...] = ()

        def twice(self) -> int:
            return self.a * 2

        @property
        def label(self) -> str:
            return f"{self.b}{self.a}"

        LIMIT = 3

    return Example


Light = example(NamedTuple)
Typed = example(typing.NamedTuple)


def test_the_same_class_as_typing_makes():
    for cls in (Light, Typed):
        one = cls(2)
        assert one == (2, "x", ()) and one.twice() == 4 and one.label == "x2"
        assert cls._fields == ("a", "b", "c")
        assert cls._field_defaults == {"b": "x", "c": ()}
        assert one._replace(b="y") == cls(2, "y") and type(one._replace(b="y")) is cls
        assert cls._make([1, "z", (3,)]).c == (3,)
        assert one._asdict() == {"a": 2, "b": "x", "c": ()}
        assert cls.LIMIT == 3 and cls.__doc__ == "A docstring."
        assert list(cls.__annotations__) == ["a", "b", "c"]
        assert issubclass(cls, tuple) and hash(one) == hash((2, "x", ()))
    assert repr(Light(2)) == repr(Typed(2))
    assert Light.__module__ == Typed.__module__ == __name__
    assert Light.__qualname__ == Typed.__qualname__ == "example.<locals>.Example"


def test_instances_pickle():
    sel = selection.make_selection(query="gluon", limit=5)
    assert pickle.loads(pickle.dumps(sel)) == sel


def test_a_field_without_default_after_one_with_is_refused():
    with pytest.raises(TypeError, match="'b' without a default"):

        class Bad(NamedTuple):
            a: int = 1
            b: int  # type: ignore[misc]


def test_the_project_s_named_tuples_are_named_tuples():
    sel = selection.make_selection(query="gluon", limit=5)
    assert sel._replace(limit=7).limit == 7 and sel._fields[0] == selection.Selection._fields[0]
    assert isinstance(query.parse("a AND b"), tuple)
