"""Is NEW a drop-in replacement for OLD?  The semver verdict between two core modules
(the rules here) or two components (compcompat.py).

Exports must not lose what importers and Python hosts rely on (NEW's type a subtype of
OLD's); imports must not ask more of whoever provides them (OLD's type a subtype of
NEW's).  The rules, with their reasons, are ``RULES``; docs/compat.md shows the same
table (a test keeps the two equal).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .._compile.interface import (
    CoreInterface,
    ExternType,
    GlobalType,
    Limits,
    MemoryType,
    TableType,
    type_json,
)
from . import compcompat
from .compcompat import WitText
from .compsource import source_component, world_items
from .source import Binary, Target, read_binary
from .subtype import limits_sub, valtype_sub

PATCH, MINOR, MAJOR = "patch", "minor", "major"
LEVELS = (PATCH, MINOR, MAJOR)
SCHEMA = 1

#: rule -> (level, reason).  docs/compat.md lists the same rules.
RULES: dict[str, tuple[str, str]] = {
    "export-added": (MINOR, "nothing that used the old module can notice a new export"),
    "export-removed": (MAJOR, "importers of it no longer link; Python code gets "
                              "AttributeError"),
    "import-added": (MAJOR, "whoever instantiates the module must now provide it too"),
    "import-removed": (MINOR, "providing an import nobody asks for is harmless"),
    "kind-changed": (MAJOR, "an import matches only an export of the same kind"),
    "func-type": (MAJOR, "a function matches only its exact type; Python callers pass or "
                         "get other values"),
    "tag-type": (MAJOR, "a tag matches only its exact type"),
    "global-mutability": (MAJOR, "an import matches only a global of the mutability it "
                                 "declares; Python reads a constant or a live value"),
    "global-type": (MAJOR, "the value type changed beyond what the other side accepts "
                           "(a mutable global matches only its exact type)"),
    "global-type-compatible": (MINOR, "an immutable global's value type may narrow as an "
                                      "export and widen as an import"),
    "export-limits-narrowed": (MINOR, "a larger minimum or a smaller maximum still matches "
                                      "every importer (growing past the new maximum fails)"),
    "export-limits-widened": (MAJOR, "an importer declaring the old minimum or maximum no "
                                     "longer links"),
    "import-limits-widened": (MINOR, "every memory or table accepted before still is"),
    "import-limits-narrowed": (MAJOR, "a memory or table accepted before may now be too "
                                      "small or allowed to grow too far"),
    "index-type": (MAJOR, "32-bit and 64-bit memories (or tables) do not match each other"),
    "memory-shared": (MAJOR, "shared and unshared memories do not match each other"),
    "memory-page-size": (MAJOR, "memories match only with the same page size"),
    "table-element": (MAJOR, "a table matches only its exact element type (tables are "
                             "writable both ways)"),
    "start-added": (PATCH, "not part of the interface, but instantiating now runs code"),
    "start-removed": (PATCH, "not part of the interface, but instantiating runs less"),
    "param-names": (PATCH, "parameters are positional-only: no caller passes them by name"),
}


@dataclass(frozen=True)
class Change:
    """One difference between OLD and NEW, its level and why."""

    rule: str
    where: str
    what: str
    old: ExternType | WitText | None = None
    new: ExternType | WitText | None = None
    kind: str = "core"  # whose rules: "core" (RULES) or "component" (compcompat.RULES)

    @property
    def level(self) -> str:
        return self._rules[self.rule][0]

    @property
    def reason(self) -> str:
        return self._rules[self.rule][1]

    @property
    def _rules(self) -> dict[str, tuple[str, str]]:
        return RULES if self.kind == "core" else compcompat.RULES

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.what}: {self.reason} [{self.rule}]"

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "rule": self.rule, "where": self.where,
                "what": self.what, "reason": self.reason,
                "old": _type_json(self.old), "new": _type_json(self.new)}


def _type_json(ty: ExternType | WitText | None) -> dict[str, Any] | None:
    if ty is None:
        return None
    return ty.to_json() if isinstance(ty, WitText) else type_json(ty)


@dataclass(frozen=True)
class Verdict:
    """``str(verdict)`` is the word: ``patch``, ``minor`` or ``major``."""

    level: str
    changes: tuple[Change, ...]
    kind: str = "core"  # "component" for two components, "mixed" for one of each

    @property
    def drop_in(self) -> bool:
        """NEW can replace OLD: the verdict is patch or minor."""
        return self.level != MAJOR

    def __str__(self) -> str:
        return self.level

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "verdict": self.level, "kind": self.kind,
                "changes": [c.to_json() for c in self.changes]}


def compat(old: Target, new: Target) -> Verdict:
    """Whether ``new`` can replace ``old``: paths (.wasm/.wat), bytes, Modules or
    Components (two components: by their worlds, which compiles them through the
    default realm's code cache; a core module and a component: major).

    Raises CompileError for unreadable or invalid input.

    Example::

        verdict = wasmport.compat("plugin-1.2.wasm", "plugin-1.3.wasm")
        if not verdict.drop_in:
            print(*verdict.changes, sep="\\n")
    """
    a, b = read_binary(old), read_binary(new)
    if a.kind == b.kind == "core":
        return compare(a.interface(), b.interface())
    if a.kind != b.kind:
        return _verdict([Change("binary-kind", "the binary", f"a {_kind(a)} is now a "
                                f"{_kind(b)}", WitText("binary", a.kind),
                                WitText("binary", b.kind), kind="component")], "mixed")
    diffs = compcompat.diff_worlds(world_items(source_component(a, old)),
                                   world_items(source_component(b, new)))
    return _verdict([Change(d.rule, d.where, d.what, d.old, d.new, kind="component")
                     for d in diffs], "component")


def _kind(binary: Binary) -> str:
    return "core module" if binary.kind == "core" else "component"


def compare(old: CoreInterface, new: CoreInterface) -> Verdict:
    return _verdict([*_exports(old, new), *_imports(old, new), *_start(old, new)], "core")


def _verdict(changes: list[Change], kind: str) -> Verdict:
    level = max((c.level for c in changes), key=LEVELS.index, default=PATCH)
    return Verdict(level, tuple(changes), kind)


def _exports(old: CoreInterface, new: CoreInterface) -> list[Change]:
    before = {e.name: e for e in old.exports}
    after = {e.name: e for e in new.exports}
    out = [Change("export-removed", e.where, "removed", old=e.type)
           for name, e in before.items() if name not in after]
    for name, e in after.items():
        if name not in before:
            out.append(Change("export-added", e.where, "added", new=e.type))
            continue
        out += _retyped(e.where, before[name].type, e.type, export=True)
        if before[name].type == e.type and old.param_names(name) != new.param_names(name):
            out.append(Change("param-names", e.where, f"parameters {old.param_names(name)} "
                              f"are now {new.param_names(name)}"))
    return out


def _keyed_imports(iface: CoreInterface) -> dict[tuple[str, str, int], ExternType]:
    """Imports by (module, name, occurrence): a module may import one name twice."""
    seen: Counter[tuple[str, str]] = Counter()
    keyed = {}
    for i in iface.imports:
        keyed[(i.module, i.name, seen[(i.module, i.name)])] = i.type
        seen[(i.module, i.name)] += 1
    return keyed


def _imports(old: CoreInterface, new: CoreInterface) -> list[Change]:
    before, after = _keyed_imports(old), _keyed_imports(new)

    def where(key: tuple[str, str, int]) -> str:
        return f'import "{key[0]}"."{key[1]}"' + (f" (#{key[2] + 1})" if key[2] else "")

    out = [Change("import-removed", where(k), "removed", old=t)
           for k, t in before.items() if k not in after]
    for key, ty in after.items():
        if key not in before:
            out.append(Change("import-added", where(key), f"added ({ty.text})", new=ty))
        else:
            out += _retyped(where(key), before[key], ty, export=False)
    return out


def _start(old: CoreInterface, new: CoreInterface) -> list[Change]:
    if old.has_start == new.has_start:
        return []
    rule = "start-added" if new.has_start else "start-removed"
    return [Change(rule, "start function", rule.removeprefix("start-"))]


def _retyped(where: str, old: ExternType, new: ExternType, *, export: bool) -> list[Change]:
    if old == new:
        return []
    what = f"{old.text} is now {new.text}"
    return [Change(rule, where, what, old, new) for rule in _rules_for(old, new, export)]


def _rules_for(old: ExternType, new: ExternType, export: bool) -> list[str]:
    if old.kind != new.kind:
        return ["kind-changed"]
    if isinstance(old, GlobalType) and isinstance(new, GlobalType):
        return [_global_rule(old, new, export)]
    if isinstance(old, (MemoryType, TableType)) and isinstance(new, type(old)):
        return _sized_rules(old, new, export)
    return ["func-type" if old.kind == "func" else "tag-type"]


def _global_rule(old: GlobalType, new: GlobalType, export: bool) -> str:
    if old.mutable != new.mutable:
        return "global-mutability"
    narrow, wide = (new, old) if export else (old, new)
    if not old.mutable and valtype_sub(narrow.content, wide.content):
        return "global-type-compatible"
    return "global-type"


def _sized_rules(old: MemoryType | TableType, new: MemoryType | TableType,
                 export: bool) -> list[str]:
    rules = []
    if old.index64 != new.index64:
        rules.append("index-type")
    if isinstance(old, MemoryType) and isinstance(new, MemoryType):
        if old.shared != new.shared:
            rules.append("memory-shared")
        if old.page_size_log2 != new.page_size_log2:
            rules.append("memory-page-size")
    if isinstance(old, TableType) and isinstance(new, TableType) and old.element != new.element:
        rules.append("table-element")
    if old.limits != new.limits:
        rules.append(_limits_rule(old.limits, new.limits, export))
    return rules


def _limits_rule(old: Limits, new: Limits, export: bool) -> str:
    if export:
        return "export-limits-narrowed" if limits_sub(new, old) else "export-limits-widened"
    return "import-limits-widened" if limits_sub(old, new) else "import-limits-narrowed"
