"""Names for a world's own types: the shapes read from the binary, matched to the
anonymous types wasmtime reports in the world's functions.

A record (variant, enum, flags) of the world is matched by its kind and labels to the
one unnamed type of that shape in a world-level function; an alias of a primitive
(``type code = u8``) becomes a world TypeDef; a type used from an interface
(``use shapes.{point}`` in a world) is a TypeDef with that origin.  Anything
ambiguous stays unnamed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ._types import (
    EnumType,
    FlagsType,
    Function,
    HandleType,
    ListType,
    OptionType,
    Prim,
    RecordType,
    ResultType,
    TupleType,
    TypeDef,
    VariantType,
    WitType,
    World,
)

Shape = tuple[Any, ...]


def shape_of(ty: WitType) -> Shape | None:
    if isinstance(ty, RecordType):
        return ("record", tuple(name for name, _ in ty.fields))
    if isinstance(ty, VariantType):
        return ("variant", tuple(name for name, _ in ty.cases))
    if isinstance(ty, EnumType):
        return ("enum", ty.cases)
    if isinstance(ty, FlagsType):
        return ("flags", ty.flags)
    return None


def _walk(ty: WitType | None, out: list[WitType]) -> None:
    if ty is None or ty in out:
        return
    if shape_of(ty) is not None:
        out.append(ty)
    children: list[WitType | None] = []
    if isinstance(ty, RecordType):
        children = [t for _n, t in ty.fields]
    elif isinstance(ty, VariantType):
        children = [t for _n, t in ty.cases]
    elif isinstance(ty, (ListType, OptionType)):
        children = [ty.element if isinstance(ty, ListType) else ty.some]
    elif isinstance(ty, TupleType):
        children = list(ty.items)
    elif isinstance(ty, ResultType):
        children = [ty.ok, ty.err]
    elif isinstance(ty, HandleType):
        children = []
    for child in children:
        _walk(child, out)


def _world_nodes(world: World) -> list[WitType]:
    out: list[WitType] = []
    for item in [*world.imports.values(), *world.exports.values()]:
        if isinstance(item, Function):
            for _name, ty in item.type.params:
                _walk(ty, out)
            _walk(item.type.result, out)
    return out


def world_types(world: World, shapes: list[tuple[str, Shape]]) -> dict[WitType, WitType]:
    """Named nodes for the world's own records, variants, enums and flags: read the
    world again with these and its functions refer to them."""
    nodes = _world_nodes(world)
    preset: dict[WitType, WitType] = {}
    for name, shape in shapes:
        anonymous = [n for n in nodes if shape_of(n) == shape
                     and getattr(n, "name", None) is None and n not in preset]
        if len(anonymous) == 1:
            named: Any = replace(anonymous[0], name=name, interface="")  # type: ignore[arg-type]
            preset[named] = named
    return preset


def world_typedefs(world: World, shapes: list[tuple[str, Shape]]) -> list[TypeDef]:
    """The world's TypeDefs: its own types, primitive aliases, and uses."""
    nodes = _world_nodes(world)
    out: list[TypeDef] = []
    for name, shape in shapes:
        if shape[0] == "prim":
            out.append(TypeDef(name, Prim(shape[1])))
            continue
        own = [n for n in nodes if getattr(n, "name", None) == name
               and getattr(n, "interface", None) == "" and shape_of(n) == shape]
        if len(own) == 1:
            out.append(TypeDef(name, own[0]))
        else:
            out += _used(nodes, name, shape[1] if shape[0] == "use" else name)
    return out


def _used(nodes: list[WitType], name: str, origin_name: str) -> list[TypeDef]:
    """A world's ``use iface.{origin_name as name}``, when one interface type fits."""
    fits = [n for n in nodes if getattr(n, "name", None) == origin_name
            and getattr(n, "interface", "")]
    if len(fits) != 1:
        return []
    return [TypeDef(name, fits[0], getattr(fits[0], "interface", None), origin_name)]
