"""Is NEW a drop-in replacement for OLD?  The differences between two components' worlds.

NEW replaces OLD when NEW's component type is a subtype of OLD's (the component model's
rule, which ``wasm-tools component semver-check --prev NEW --new OLD`` also checks): it
exports at least what OLD exported and imports at most what OLD imported, and every
value type it shares with OLD is the same (the model has no subtyping of records,
variants, enums or flags: their fields and cases are matched by position).  Items are
matched by name without their ``@version``; the versions are judged by semver tracks,
as wasmtime's linker matches them.  ``RULES`` is the table docs/compat.md shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .._component._types import (
    NOMINAL,
    EnumType,
    FlagsType,
    Function,
    Interface,
    InterfaceName,
    RecordType,
    ResourceType,
    TypeDef,
    VariantType,
    WitType,
)
from .._component._wit import func_text, type_text

MINOR, MAJOR = "minor", "major"

#: rule -> (level, reason), for components.  docs/compat.md lists the same rules.
RULES: dict[str, tuple[str, str]] = {
    "export-added": (MINOR, "nothing that used the old component can notice a new export"),
    "export-removed": (MAJOR, "a host or composed component using it no longer finds it "
                              "(Python: AttributeError)"),
    "import-added": (MAJOR, "whoever instantiates the component must now provide it too"),
    "import-removed": (MINOR, "providing an import nobody asks for is harmless"),
    "kind-changed": (MAJOR, "an interface, a function and a type match only their own kind"),
    "function-added": (MINOR, "a new function of an exported interface is invisible to "
                              "whoever used the interface"),
    "function-removed": (MAJOR, "callers of it fail (Python: AttributeError); an importer "
                                "of the interface no longer links"),
    "import-function-added": (MAJOR, "the provider of the interface must now implement it "
                                     "too"),
    "import-function-removed": (MINOR, "an implementation may offer more than is asked"),
    "func-type": (MAJOR, "functions match only with equal types: the canonical ABI lays "
                         "out parameters and results by type"),
    "param-renamed": (MAJOR, "a component function type includes its parameter names, so "
                             "composition rejects it (Python callers pass by position and "
                             "do not notice)"),
    "type-added": (MINOR, "a new type asks nothing of either side"),
    "type-removed": (MAJOR, "an importer of the interface expects the type (Python: its "
                            "class is gone)"),
    "import-type-removed": (MINOR, "a provider may define more types than are asked for"),
    "import-resource-added": (MAJOR, "the provider of the interface must now give the "
                                     "resource's class"),
    "record-fields": (MAJOR, "records match only with the same fields (names, types, "
                             "order)"),
    "variant-cases": (MAJOR, "variants match only with the same cases and payloads: a new "
                             "case is a value old code cannot take"),
    "enum-cases": (MAJOR, "enums match only with the same cases in the same order (a case "
                          "is its index)"),
    "flags-changed": (MAJOR, "flags match only with the same names in the same order (a "
                             "flag is its bit)"),
    "type-changed": (MAJOR, "a named type matches only the same definition"),
    "world-type-added": (MAJOR, "the component model counts a world's type as an import, "
                                "which a composition must supply (a wasmport realm needs "
                                "nothing for it)"),
    "world-type-removed": (MINOR, "a type nobody asks for any more is harmless"),
    "version-compatible": (MINOR, "the same semver track (@1.x, @0.2.x): wasmtime's linker "
                                  "matches either version to the other, a realm the "
                                  "unversioned name"),
    "version-incompatible": (MAJOR, "another semver track (@1 and @2, @0.1 and @0.2, a "
                                    "prerelease, or no version): linkers do not match it "
                                    "to the old one"),
    "binary-kind": (MAJOR, "a core module and a component are different kinds of binary: "
                           "nothing that linked to one links to the other"),
}


@dataclass(frozen=True)
class WitText:
    """An item's WIT form in a change: ``kind`` func, interface, type, version, binary."""

    kind: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Diff:
    rule: str
    where: str
    what: str
    old: WitText | None = None
    new: WitText | None = None


def diff_worlds(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Diff]:
    """The changes from OLD to NEW: each is ``{"imports": {...}, "exports": {...}}``."""
    out: list[Diff] = []
    for side in ("export", "import"):
        out += _side(side, old[side + "s"], new[side + "s"])
    return out


def _keyed(items: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Items by name without version (by full name where two versions meet)."""
    shorts = [InterfaceName.parse(n).unversioned for n in items]
    return {(s if shorts.count(s) == 1 else n): (n, item)
            for s, (n, item) in zip(shorts, items.items(), strict=True)}


def _side(side: str, old: dict[str, Any], new: dict[str, Any]) -> list[Diff]:
    before, after = _keyed(old), _keyed(new)
    out = []
    for key, (name, item) in before.items():
        if key not in after:
            rule = "world-type-removed" if isinstance(item, TypeDef) else f"{side}-removed"
            out.append(Diff(rule, f'{side} "{name}"', "removed", old=_wit(name, item)))
    for key, (name, item) in after.items():
        if key not in before:
            rule = "world-type-added" if isinstance(item, TypeDef) else f"{side}-added"
            out.append(Diff(rule, f'{side} "{name}"', "added", new=_wit(name, item)))
        else:
            out += _item(side, before[key], (name, item))
    return out


def _wit(name: str, item: Any) -> WitText:
    if isinstance(item, Function):
        return WitText("func", func_text(item, name))
    if isinstance(item, Interface):
        return WitText("interface", name)
    if isinstance(item, TypeDef):
        return WitText("type", f"{item.name}: {definition(item)}")
    return WitText(getattr(item, "what", "item"), name)


def _item(side: str, old: tuple[str, Any], new: tuple[str, Any]) -> list[Diff]:
    (old_name, a), (new_name, b) = old, new
    where = f'{side} "{new_name}"'
    out = _version(where, old_name, new_name)
    if type(a) is not type(b):
        return [*out, Diff("kind-changed", where, f"{_kind(a)} is now {_kind(b)}",
                           _wit(old_name, a), _wit(new_name, b))]
    if isinstance(a, Function):
        out += _function(where, a, b, new_name)
    elif isinstance(a, Interface):
        out += [*_types(side, where, a.types, b.types), *_functions(side, where, a, b)]
    elif isinstance(a, TypeDef):
        out += _typedef(where, a, b)
    elif a != b:
        out.append(Diff("kind-changed", where, f"{_kind(a)} is now {_kind(b)}"))
    return out


def _kind(item: Any) -> str:
    return {Function: "a function", Interface: "an interface", TypeDef: "a type"}.get(
        type(item), f"a {getattr(item, 'what', 'item')}")


_SEMVER = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?\Z")


def track(version: str | None) -> tuple[Any, ...] | None:
    """The semver track wasmtime's linker matches within: ``(1,)`` for 1.x.y, ``(0, 2)``
    for 0.2.x, the whole version for 0.0.z or a prerelease; None without a version."""
    if version is None:
        return None
    found = _SEMVER.match(version)
    if found is None or found[4] is not None:
        return (version,)
    major, minor, patch = int(found[1]), int(found[2]), int(found[3])
    return (major,) if major else (0, minor) if minor else (0, 0, patch)


def _version(where: str, old: str, new: str) -> list[Diff]:
    a, b = InterfaceName.parse(old).version, InterfaceName.parse(new).version
    if a == b:
        return []
    rule = "version-compatible" if a and b and track(a) == track(b) else \
        "version-incompatible"
    return [Diff(rule, where, f"version {a or 'none'} is now {b or 'none'}",
                 WitText("version", a or ""), WitText("version", b or ""))]


def _function(where: str, a: Function, b: Function, name: str) -> list[Diff]:
    if func_text(a) == func_text(b):
        return []
    old, new = WitText("func", func_text(a, name)), WitText("func", func_text(b, name))
    renamed = [t for _p, t in a.type.params] == [t for _p, t in b.type.params] and \
        a.type.result == b.type.result and _texts(a) == _texts(b)
    if renamed:
        names = [p for p, _t in a.type.params], [p for p, _t in b.type.params]
        return [Diff("param-renamed", where, f"parameters {', '.join(names[0])} are now "
                     f"{', '.join(names[1])}", old, new)]
    return [Diff("func-type", where, f"{old.text} is now {new.text}", old, new)]


def _texts(f: Function) -> list[str]:
    return [_text(t) for _p, t in f.type.params] + [_text(f.type.result)]


def _functions(side: str, where: str, a: Interface, b: Interface) -> Iterator[Diff]:
    prefix = "" if side == "export" else "import-"
    for name, func in a.functions.items():
        if name not in b.functions:
            yield Diff(f"{prefix}function-removed", f"{where} {_fname(func)}", "removed",
                       old=WitText("func", func_text(func)))
    for name, func in b.functions.items():
        here = f"{where} {_fname(func)}"
        if name not in a.functions:
            yield Diff(f"{prefix}function-added", here, "added",
                       new=WitText("func", func_text(func)))
        else:
            yield from _function(here, a.functions[name], func, name)


def _fname(func: Function) -> str:
    if func.kind == "freestanding":
        return f'func "{func.name}"'
    return f'{func.kind} "{func.resource}.{func.short}"'.replace(
        f'constructor "{func.resource}.{func.resource}"', f'constructor "{func.resource}"')


def _types(side: str, where: str, a: dict[str, TypeDef], b: dict[str, TypeDef]
           ) -> Iterator[Diff]:
    for name, td in a.items():
        if name not in b:
            rule = "type-removed" if side == "export" else "import-type-removed"
            yield Diff(rule, f'{where} type "{name}"', "removed", old=_wit(name, td))
    for name, td in b.items():
        here = f'{where} type "{name}"'
        if name not in a:
            resource = side == "import" and isinstance(td.type, ResourceType)
            yield Diff("import-resource-added" if resource else "type-added", here, "added",
                       new=_wit(name, td))
        else:
            yield from _typedef(here, a[name], td)


def _typedef(where: str, a: TypeDef, b: TypeDef) -> list[Diff]:
    old, new = definition(a), definition(b)
    if old == new:
        return []
    rule = _type_rule(a.type, b.type) if a.origin is None and b.origin is None \
        else "type-changed"
    what = _members(a.type, b.type) if rule != "type-changed" else f"{old} is now {new}"
    return [Diff(rule, where, what, WitText("type", old), WitText("type", new))]


def _type_rule(a: WitType, b: WitType) -> str:
    rules = {RecordType: "record-fields", VariantType: "variant-cases",
             EnumType: "enum-cases", FlagsType: "flags-changed"}
    return rules.get(type(a), "type-changed") if type(a) is type(b) else "type-changed"


def definition(td: TypeDef) -> str:
    if td.origin is not None:
        return f"use {td.origin}.{{{td.origin_name or td.name}}}"
    return _structure(td.type)


def _structure(ty: WitType) -> str:
    """A named type's definition, each type it refers to by its name."""
    if isinstance(ty, RecordType):
        return "record { " + ", ".join(f"{f}: {_text(t)}" for f, t in ty.fields) + " }"
    if isinstance(ty, VariantType):
        return "variant { " + ", ".join(c if t is None else f"{c}({_text(t)})"
                                        for c, t in ty.cases) + " }"
    if isinstance(ty, EnumType):
        return "enum { " + ", ".join(ty.cases) + " }"
    if isinstance(ty, FlagsType):
        return "flags { " + ", ".join(ty.flags) + " }"
    if isinstance(ty, ResourceType):
        return "resource"
    return _text(ty)


def _text(ty: WitType | None) -> str:
    """A type where it is used: by name, or by structure when it has no name."""
    if isinstance(ty, NOMINAL) and not ty.name:
        return _structure(ty)
    return type_text(ty)


def _members(a: WitType, b: WitType) -> str:
    """Which fields, cases or flags were added, removed, retyped or reordered."""
    old, new = dict(_entries(a)), dict(_entries(b))
    noun = {RecordType: "field", FlagsType: "flag"}.get(type(a), "case")
    parts = [f"{noun} {_entry(n, new[n])} added" for n in new if n not in old]
    parts += [f"{noun} {_entry(n, old[n])} removed" for n in old if n not in new]
    parts += [f"{noun} {n}: {old[n] or 'no payload'} is now {new[n] or 'no payload'}"
              for n in new if n in old and old[n] != new[n]]
    if not parts:
        parts = [f"reordered: {', '.join(old)} is now {', '.join(new)}"]
    return "; ".join(parts)


def _entry(name: str, ty: str) -> str:
    return f"{name}: {ty}" if ty else name


def _entries(ty: WitType) -> list[tuple[str, str]]:
    if isinstance(ty, RecordType):
        return [(f, _text(t)) for f, t in ty.fields]
    if isinstance(ty, VariantType):
        return [(c, "" if t is None else _text(t)) for c, t in ty.cases]
    if isinstance(ty, EnumType):
        return [(c, "") for c in ty.cases]
    return [(f, "") for f in getattr(ty, "flags", ())]
