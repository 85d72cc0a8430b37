"""Render a World as WIT text, in the layout of ``wasm-tools component wit``.

wasmtime reports the items of an instance type sorted by name, not in the order of
the binary, so items are ordered by rule: resources first, then the other types
with each one's dependencies before it, then functions, each group by name.  An
interface both imported and exported is written once, with the union of its items.
wasmtime also keeps no trace of an alias (``type ids = list<u64>``) in the types
that use it, so inside an interface a structure equal to one of its aliases is
written with the alias name.
"""

from __future__ import annotations

from ._names import wit_id
from ._types import (
    EnumType,
    FlagsType,
    Function,
    HandleType,
    Interface,
    InterfaceName,
    ListType,
    OptionType,
    Prim,
    RecordType,
    ResourceType,
    ResultType,
    TupleType,
    TypeDef,
    UnsupportedType,
    VariantType,
    WitType,
)

Aliases = dict[WitType, str]
_NO_ALIASES: Aliases = {}


def type_text(ty: WitType | None, aliases: Aliases = _NO_ALIASES) -> str:
    """A type as it is written where it is used: ``list<point>``, ``borrow<blob>``."""
    if ty is None:
        return "_"
    if isinstance(ty, (RecordType, VariantType, EnumType, FlagsType, ResourceType)):
        return wit_id(ty.name) if ty.name else f"<anonymous {type(ty).__name__}>"
    alias = aliases.get(ty)
    if alias is not None:
        return wit_id(alias)
    if isinstance(ty, Prim):
        return ty.kind
    if isinstance(ty, HandleType):
        name = type_text(ty.resource)
        return name if ty.own else f"borrow<{name}>"
    return _structural(ty, aliases)


def _structural(ty: WitType, aliases: Aliases) -> str:
    if isinstance(ty, ListType):
        return f"list<{type_text(ty.element, aliases)}>"
    if isinstance(ty, OptionType):
        return f"option<{type_text(ty.some, aliases)}>"
    if isinstance(ty, TupleType):
        return f"tuple<{', '.join(type_text(t, aliases) for t in ty.items)}>"
    if isinstance(ty, ResultType):
        if ty.ok is None and ty.err is None:
            return "result"
        if ty.err is None:
            return f"result<{type_text(ty.ok, aliases)}>"
        return f"result<{type_text(ty.ok, aliases)}, {type_text(ty.err, aliases)}>"
    if isinstance(ty, UnsupportedType):
        return ty.what
    raise TypeError(f"not a WIT type: {ty!r}")


def local_aliases(types: dict[str, TypeDef]) -> Aliases:
    """Structural types an interface names, when one name only stands for each."""
    found: dict[WitType, list[str]] = {}
    for td in types.values():
        if td.origin is None and td.origin_name is None and \
                not isinstance(td.type, (RecordType, VariantType, EnumType, FlagsType,
                                         ResourceType, Prim)):
            found.setdefault(td.type, []).append(td.name)
    return {ty: names[0] for ty, names in found.items() if len(names) == 1}


def func_text(func: Function, name: str | None = None, skip_self: bool = False,
              aliases: Aliases = _NO_ALIASES) -> str:
    params = func.type.params[1:] if skip_self else func.type.params
    args = ", ".join(f"{wit_id(p)}: {type_text(t, aliases)}" for p, t in params)
    result = f" -> {type_text(func.type.result, aliases)}" if func.type.result is not None \
        else ""
    return f"{wit_id(name or func.name)}: func({args}){result}"


def _block(head: str, lines: list[str], indent: str) -> list[str]:
    inner = indent + "  "
    return [f"{indent}{head} {{", *[f"{inner}{line}" for line in lines], f"{indent}}}"]


def typedef_lines(td: TypeDef, functions: list[Function], indent: str,
                  aliases: Aliases = _NO_ALIASES) -> list[str]:
    ty, name = td.type, wit_id(td.name)
    aliases = {k: v for k, v in aliases.items() if v != td.name}
    if td.origin_name is not None and td.origin is None:
        return [f"{indent}type {name} = {wit_id(td.origin_name)};"]
    if isinstance(ty, RecordType):
        return _block(f"record {name}",
                      [f"{wit_id(f)}: {type_text(t, aliases)}," for f, t in ty.fields], indent)
    if isinstance(ty, VariantType):
        cases = [f"{wit_id(c)}({type_text(t, aliases)})," if t is not None else f"{wit_id(c)},"
                 for c, t in ty.cases]
        return _block(f"variant {name}", cases, indent)
    if isinstance(ty, (EnumType, FlagsType)):
        kind = "enum" if isinstance(ty, EnumType) else "flags"
        names = ty.cases if isinstance(ty, EnumType) else ty.flags
        return _block(f"{kind} {name}", [f"{wit_id(c)}," for c in names], indent)
    if isinstance(ty, ResourceType):
        return _resource_lines(name, functions, indent, aliases)
    return [f"{indent}type {name} = {type_text(ty, aliases)};"]


def _resource_lines(name: str, functions: list[Function], indent: str, aliases: Aliases
                    ) -> list[str]:
    if not functions:
        return [f"{indent}resource {name};"]
    lines = []
    for func in sorted(functions, key=lambda f: (f.kind != "constructor", f.short)):
        if func.kind == "constructor":
            args = ", ".join(f"{wit_id(p)}: {type_text(t, aliases)}"
                             for p, t in func.type.params)
            lines.append(f"constructor({args});")
        elif func.kind == "static":
            text = func_text(func, func.short, aliases=aliases)
            lines.append(text.replace(": func(", ": static func(", 1) + ";")
        else:
            lines.append(func_text(func, func.short, skip_self=True, aliases=aliases) + ";")
    return _block(f"resource {name}", lines, indent)


def _deps(ty: WitType | None) -> list[WitType]:
    """Nominal types a type refers to, directly or through structural ones."""
    if ty is None or isinstance(ty, (Prim, UnsupportedType)):
        return []
    if isinstance(ty, (RecordType, VariantType, EnumType, FlagsType, ResourceType)):
        return [ty]
    if isinstance(ty, HandleType):
        return [ty.resource]
    if isinstance(ty, ListType):
        return _deps(ty.element)
    if isinstance(ty, OptionType):
        return _deps(ty.some)
    if isinstance(ty, ResultType):
        return _deps(ty.ok) + _deps(ty.err)
    if isinstance(ty, TupleType):
        return [d for t in ty.items for d in _deps(t)]
    return []


def _children(ty: WitType) -> list[WitType]:
    if isinstance(ty, RecordType):
        return [d for _f, t in ty.fields for d in _deps(t)]
    if isinstance(ty, VariantType):
        return [d for _c, t in ty.cases for d in _deps(t)]
    if isinstance(ty, (EnumType, FlagsType, ResourceType)):
        return []
    return _deps(ty)


def ordered_types(types: dict[str, TypeDef]) -> list[TypeDef]:
    """Resources first, then each type after the types of this interface it needs."""
    local = {td.type: td for td in types.values() if td.origin is None}
    out: list[TypeDef] = []
    seen: set[str] = set()

    def visit(td: TypeDef) -> None:
        if td.name in seen:
            return
        seen.add(td.name)
        for dep in _children(td.type):
            if dep in local and local[dep].name != td.name:
                visit(local[dep])
        out.append(td)

    resources = [td for td in types.values() if isinstance(td.type, ResourceType)]
    for td in sorted(resources, key=lambda t: t.name) + sorted(types.values(),
                                                                key=lambda t: t.name):
        if td.origin is None:
            visit(td)
    return out


def use_lines(types: dict[str, TypeDef], package: str | None, indent: str) -> list[str]:
    groups: dict[str, list[str]] = {}
    for td in sorted(types.values(), key=lambda t: t.name):
        if td.origin is None:
            continue
        ref = InterfaceName.parse(td.origin)
        where = ref.interface if package and ref.package_id == package else td.origin
        alias = td.origin_name or td.name
        item = wit_id(alias) if alias == td.name else f"{wit_id(alias)} as {wit_id(td.name)}"
        groups.setdefault(where, []).append(item)
    return [f"{indent}use {where}.{{{', '.join(items)}}};" for where, items in groups.items()]


def interface_lines(iface: Interface, package: str | None, indent: str) -> list[str]:
    """The body of an interface: uses, types, functions, separated by blank lines."""
    chunks: list[list[str]] = []
    uses = use_lines(iface.types, package, indent)
    if uses:
        chunks.append(uses)
    aliases = local_aliases(iface.types)
    for td in ordered_types(iface.types):
        funcs = iface.resource_functions(td.name) if isinstance(td.type, ResourceType) else []
        chunks.append(typedef_lines(td, funcs, indent, aliases))
    for func in sorted(iface.functions.values(), key=lambda f: f.name):
        if func.kind == "freestanding":
            chunks.append([f"{indent}{func_text(func, aliases=aliases)};"])
    out: list[str] = []
    for chunk in chunks:
        if out:
            out.append("")
        out.extend(chunk)
    return out


def merge(a: Interface, b: Interface) -> Interface:
    """One interface from its import and export views (each may omit unused types)."""
    return Interface(a.name, {**b.types, **a.types}, {**b.functions, **a.functions})
