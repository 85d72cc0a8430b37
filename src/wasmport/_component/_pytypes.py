"""The Python types generated for one component's world, as componentize-py has them.

    record point {x: s32}        @dataclass class Point: x: int
    variant shape {circle(f64),  @dataclass class Shape_Circle: value: float
                   none}         @dataclass class Shape_None_: pass;  Shape = Union[...]
    enum color {dark-blue}       class Color(Enum): DARK_BLUE = 0
    flags perms {read, write}    class Perms(Flag): READ = 1; WRITE = 2

One class per type node: equal types (an interface both imported and exported, a
type used from another interface) share one class.  Resources are classes too, but
per instance (their methods call that instance), so they live in ``_resources``.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import operator
from typing import Any

from ._names import annotation, camel, case_class, snake, upper
from ._types import (
    EnumType,
    FlagsType,
    Interface,
    RecordType,
    ResourceType,
    TypeDef,
    VariantType,
    WitType,
)

GENERATED_MODULE = __name__  # dataclasses look string annotations up in it


def _anon(ty: WitType) -> str:
    return getattr(ty, "name", None) or f"anonymous-{type(ty).__name__.lower()}"


class VariantInfo:
    """The generated classes of a variant: one per case, and their Union."""

    def __init__(self, ty: VariantType) -> None:
        name = _anon(ty)
        self.cases: list[type] = []
        for case, payload in ty.cases:
            fields = [("value", annotation(payload))] if payload is not None else []
            cls = dataclasses.make_dataclass(case_class(name, case), fields,
                                             namespace={"__module__": GENERATED_MODULE})
            self.cases.append(cls)
        self.union: Any = functools.reduce(operator.or_, self.cases)


class TypeSpace:
    """The generated classes of one world, built on first use and then kept."""

    def __init__(self) -> None:
        self._classes: dict[WitType, Any] = {}

    def record(self, ty: RecordType) -> type:
        cls: type | None = self._classes.get(ty)
        if cls is None:
            fields = [(snake(name), annotation(t)) for name, t in ty.fields]
            cls = self._classes[ty] = dataclasses.make_dataclass(
                camel(_anon(ty)), fields, namespace={"__module__": GENERATED_MODULE})
        return cls

    def variant(self, ty: VariantType) -> VariantInfo:
        info: VariantInfo | None = self._classes.get(ty)
        if info is None:
            info = self._classes[ty] = VariantInfo(ty)
        return info

    def enum(self, ty: EnumType) -> Any:
        cls = self._classes.get(ty)
        if cls is None:
            members = [(upper(case), i) for i, case in enumerate(ty.cases)]
            cls = self._classes[ty] = enum.Enum(camel(_anon(ty)), members,
                                                module=GENERATED_MODULE)
        return cls

    def flags(self, ty: FlagsType) -> Any:
        cls = self._classes.get(ty)
        if cls is None:
            members = [(upper(flag), 1 << i) for i, flag in enumerate(ty.flags)]
            cls = self._classes[ty] = enum.Flag(camel(_anon(ty)), members,
                                                module=GENERATED_MODULE)
        return cls

    def named(self, td: TypeDef) -> dict[str, Any]:
        """The attributes one named type gives its namespace (resources excluded)."""
        ty = td.type
        if isinstance(ty, RecordType):
            return {camel(td.name): self.record(ty)}
        if isinstance(ty, VariantType):
            info = self.variant(ty)
            out: dict[str, Any] = {camel(td.name): info.union}
            out.update({cls.__name__: cls for cls in info.cases})
            return out
        if isinstance(ty, EnumType):
            return {camel(td.name): self.enum(ty)}
        if isinstance(ty, FlagsType):
            return {camel(td.name): self.flags(ty)}
        return {}

    def interface_types(self, iface: Interface) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for td in iface.types.values():
            if not isinstance(td.type, ResourceType):
                out.update(self.named(td))
        return out
