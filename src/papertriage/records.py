"""``typing.NamedTuple``'s class syntax for the modules every quick command loads.

`list`, `filter` and `show` start in about 0.04 s, and importing ``typing`` (with
``contextlib``, which it loads) was a tenth of that. Those modules write

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import Any, NamedTuple
    else:
        from ..records import NamedTuple

so the type checker reads typing's class and the interpreter this one. A class written
on it is what typing would make: a ``collections.namedtuple`` of the annotated fields
(their defaults, the class's docstring, methods and other attributes added to it).
tests/test_records.py holds the two equal.
"""

from __future__ import annotations

from collections import namedtuple

_KEPT_BY_NAMEDTUPLE = frozenset({"__module__", "__qualname__", "__annotations__", "__doc__"})


class _Fields(type):
    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, object]) -> type:
        if not bases:  # NamedTuple itself
            return super().__new__(mcls, name, bases, ns)
        if "__classcell__" in ns:
            raise TypeError(f"{name}: a NamedTuple method cannot use super() or __class__")
        annotations = ns.get("__annotations__", {})
        assert isinstance(annotations, dict)
        fields = list(annotations)
        defaults = []
        for field in fields:
            if field in ns:
                defaults.append(ns[field])
            elif defaults:
                raise TypeError(f"{name}: field {field!r} without a default follows one with")
        cls = namedtuple(name, fields, defaults=defaults, module=str(ns["__module__"]))  # type: ignore[misc]
        for key, value in ns.items():
            if key not in _KEPT_BY_NAMEDTUPLE and key not in annotations:
                setattr(cls, key, value)
        cls.__qualname__ = str(ns["__qualname__"])
        cls.__annotations__ = dict(annotations)
        if ns.get("__doc__") is not None:
            cls.__doc__ = ns["__doc__"]  # type: ignore[assignment]
        return cls


class NamedTuple(metaclass=_Fields):
    """Base of a named tuple class (see the module's docstring)."""
