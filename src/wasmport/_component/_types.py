"""The world of a component as Python values: WIT types, functions, interfaces.

Read from the compiled component (``_introspect``), never from WIT text.  Types
compare structurally, the way wasmtime compares them; the WIT name of a nominal
type (record, variant, enum, flags, resource) travels with it but takes no part
in equality, so every use of one type shares one node, and one generated class::

    World
    ├── imports / exports: {"ns:pkg/iface@1.0.0": Interface, "tick": Function, ...}
    Interface
    ├── types:     {"point": TypeDef(RecordType, origin=None), "blob": TypeDef(...), ...}
    └── functions: {"area": Function, "[method]blob.size": Function, ...}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PRIMITIVES = ("bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64",
              "f32", "f64", "char", "string")


@dataclass(frozen=True)
class Prim:
    kind: str  # one of PRIMITIVES


@dataclass(frozen=True)
class ListType:
    element: WitType


@dataclass(frozen=True)
class TupleType:
    items: tuple[WitType, ...]


@dataclass(frozen=True)
class OptionType:
    some: WitType


@dataclass(frozen=True)
class ResultType:
    ok: WitType | None
    err: WitType | None


@dataclass(frozen=True)
class Named:
    """Base of the nominal types: the name and defining interface are not compared."""

    name: str | None = field(default=None, compare=False, kw_only=True)
    interface: str | None = field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True)
class RecordType(Named):
    fields: tuple[tuple[str, WitType], ...]


@dataclass(frozen=True)
class VariantType(Named):
    cases: tuple[tuple[str, WitType | None], ...]


@dataclass(frozen=True)
class EnumType(Named):
    cases: tuple[str, ...]


@dataclass(frozen=True)
class FlagsType(Named):
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ResourceType(Named):
    ident: int  # equal resource types (wasmtime's judgement) share one ident


@dataclass(frozen=True)
class HandleType:
    resource: ResourceType
    own: bool


@dataclass(frozen=True)
class UnsupportedType:
    what: str  # future, stream, error-context, map, fixed-size list


WitType = (Prim | ListType | TupleType | OptionType | ResultType | RecordType | VariantType
           | EnumType | FlagsType | ResourceType | HandleType | UnsupportedType)
NOMINAL = (RecordType, VariantType, EnumType, FlagsType, ResourceType)


@dataclass(frozen=True)
class FuncType:
    params: tuple[tuple[str, WitType], ...]
    result: WitType | None


_FUNC_NAME = re.compile(r"\[(constructor|method|static)\]([^.]+)(?:\.(.+))?\Z")


@dataclass(frozen=True)
class Function:
    """A component function as the world names it (``[method]blob.size`` included)."""

    name: str
    type: FuncType

    @property
    def kind(self) -> str:
        """``freestanding``, ``constructor``, ``method`` or ``static``."""
        found = _FUNC_NAME.match(self.name)
        return found.group(1) if found else "freestanding"

    @property
    def resource(self) -> str | None:
        found = _FUNC_NAME.match(self.name)
        return found.group(2) if found else None

    @property
    def short(self) -> str:
        """The name without its resource prefix: ``size`` for ``[method]blob.size``."""
        found = _FUNC_NAME.match(self.name)
        if not found:
            return self.name
        return found.group(3) or found.group(2)


@dataclass(frozen=True)
class TypeDef:
    """A named type in an interface or world; ``origin`` is the interface it is used from."""

    name: str
    type: WitType
    origin: str | None = None
    origin_name: str | None = None  # the name in the origin, for ``use i.{a as b}``


@dataclass
class Interface:
    name: str
    types: dict[str, TypeDef] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)

    @property
    def id(self) -> InterfaceName:
        return InterfaceName.parse(self.name)

    def resource_functions(self, resource: str) -> list[Function]:
        return [f for f in self.functions.values() if f.resource == resource]


@dataclass(frozen=True)
class Unsupported:
    """A world item wasmport cannot use (a core module, a nested component)."""

    name: str
    what: str


WorldItem = Interface | Function | TypeDef | Unsupported


@dataclass
class World:
    imports: dict[str, WorldItem] = field(default_factory=dict)
    exports: dict[str, WorldItem] = field(default_factory=dict)

    def interfaces(self) -> list[Interface]:
        items = [*self.imports.values(), *self.exports.values()]
        return [item for item in items if isinstance(item, Interface)]


_IFACE = re.compile(r"(?P<ns>[^:/@]+):(?P<pkg>[^:/@]+)/(?P<iface>[^:/@]+)(?:@(?P<ver>.+))?\Z")


@dataclass(frozen=True)
class InterfaceName:
    """``ns:pkg/iface@1.0.0`` taken apart; a plain kebab name has only ``interface``."""

    interface: str
    namespace: str | None = None
    package: str | None = None
    version: str | None = None

    @classmethod
    def parse(cls, text: str) -> InterfaceName:
        found = _IFACE.match(text)
        if not found:
            return cls(text)
        return cls(found["iface"], found["ns"], found["pkg"], found["ver"])

    @property
    def package_id(self) -> str | None:
        """``ns:pkg@1.0.0``, or None for a plain name."""
        if self.namespace is None:
            return None
        version = f"@{self.version}" if self.version else ""
        return f"{self.namespace}:{self.package}{version}"

    @property
    def unversioned(self) -> str:
        if self.namespace is None:
            return self.interface
        return f"{self.namespace}:{self.package}/{self.interface}"
