"""How a component stub spells WIT types, and the class definitions of the named ones.

The annotations are the runtime's (``_component._names.annotation``), with each
generated class written as the path the stub declares it under::

    option<option<u32>>        _wasmport.Some[int | None] | None
    result<u32, string>        int (a function's own result: Err is raised)
    list<result<u32, color>>   list[_wasmport.Ok[int] | _wasmport.Err[EchoNamespace.Color]]
    borrow<blob> (host's)      HostBlob (the Protocol of the host's objects)

One class per type node, as the runtime's ``TypeSpace`` has one: the first place a node
is named defines it, every later one is an alias of that definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .._component._names import camel, snake, upper
from .._component._pytypes import TypeSpace
from .._component._types import (
    EnumType,
    FlagsType,
    HandleType,
    ListType,
    OptionType,
    Prim,
    RecordType,
    ResourceType,
    ResultType,
    TupleType,
    TypeDef,
    VariantType,
    WitType,
)

_PRIMS = {"bool": "bool", "char": "str", "string": "str", "f32": "float", "f64": "float"}
#: Builtins a stub spells; a name the stub declares with one of them makes it qualify all.
BUILTINS = ("int", "float", "bool", "str", "bytes", "list", "tuple", "object", "type")
INDENT = "    "


@dataclass
class Defined:
    """Where the stub declares a node's classes: the main one and, for a variant, each
    case class by its runtime name."""

    path: str
    cases: dict[str, str] = field(default_factory=dict)


class Spelling:
    """The stub's names for everything it refers to: generated classes, helpers it adds
    (out of the runtime's names' way), builtins."""

    def __init__(self, runtime_names: set[str], declared: set[str]) -> None:
        self.taken = set(runtime_names)
        self.qualify = bool(declared & set(BUILTINS))
        self.nodes: dict[WitType, Defined] = {}
        self.guest: dict[ResourceType, str] = {}
        self.host: dict[ResourceType, str] = {}
        self.space = TypeSpace()  # the runtime's own class names (variant cases)
        self.late: list[str] = []  # anonymous nodes: private classes at the end

    def free(self, name: str) -> str:
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        return name

    def b(self, name: str) -> str:
        return f"_builtins.{name}" if self.qualify else name

    def ann(self, ty: WitType | None, *, host: bool = False, returned: bool = False) -> str:
        """The annotation of ``ty``; ``host`` for a host implementation's parameters (its
        own resources are Any there: its methods take its own class)."""
        if ty is None:
            return "None"
        if isinstance(ty, Prim):
            return self.b(_PRIMS.get(ty.kind, "int"))
        if isinstance(ty, ListType):
            if ty.element == Prim("u8"):
                return self.b("bytes")
            return f"{self.b('list')}[{self.ann(ty.element, host=host)}]"
        if isinstance(ty, TupleType):
            items = ", ".join(self.ann(t, host=host) for t in ty.items) or "()"
            return f"{self.b('tuple')}[{items}]"
        if isinstance(ty, OptionType):
            inner = self.ann(ty.some, host=host)
            if isinstance(ty.some, OptionType):
                return f"_wasmport.Some[{inner}] | None"
            return f"{inner} | None"
        if isinstance(ty, ResultType):
            if returned:
                return self.ann(ty.ok, host=host)
            return (f"_wasmport.Ok[{self.ann(ty.ok, host=host)}] | "
                    f"_wasmport.Err[{self.ann(ty.err, host=host)}]")
        if isinstance(ty, (HandleType, ResourceType)):
            return self._resource(ty.resource if isinstance(ty, HandleType) else ty, host)
        if isinstance(ty, (RecordType, VariantType, EnumType, FlagsType)):
            return self.defined(ty).path
        return self.b("object")  # future, stream, error-context: not supported values

    def _resource(self, node: ResourceType, host: bool) -> str:
        if node in self.host:
            return "_Any" if host else self.host[node]
        return self.guest.get(node, self.b("object"))

    def defined(self, ty: WitType) -> Defined:
        """The declaration of a node, made now (private, at the end) when no named type
        of the world gave it one."""
        found = self.nodes.get(ty)
        if found is None:
            name = self.free(f"_{camel(getattr(ty, 'name', None) or 'anonymous')}")
            found = self.nodes[ty] = Defined(name)
            self.late += _type_check_only(self.definition(name, ty, ""))
        return found

    # -- definitions -----------------------------------------------------------------
    def typedef(self, td: TypeDef, prefix: str) -> list[str]:
        """What one named type gives a scope (``prefix`` is its path, ``""`` at module
        level): the classes the first time its node is met, aliases after that."""
        ty = td.type
        attrs = self.space.named(td)
        if not attrs:
            return []
        known = self.nodes.get(ty)
        if known is not None:
            return [f"{name}: _TypeAlias = {known.cases.get(name, known.path)}"
                    for name in attrs]
        self.nodes[ty] = Defined(prefix + camel(td.name))
        return self.definition(camel(td.name), ty, prefix)

    def definition(self, name: str, ty: WitType, prefix: str) -> list[str]:
        if isinstance(ty, RecordType):
            return _dataclass(name, [(snake(f), self.ann(t)) for f, t in ty.fields])
        if isinstance(ty, EnumType):
            return _enum(name, "Enum", [(upper(c), i) for i, c in enumerate(ty.cases)])
        if isinstance(ty, FlagsType):
            return _enum(name, "Flag", [(upper(f), 1 << i) for i, f in enumerate(ty.flags)])
        assert isinstance(ty, VariantType)
        out: list[str] = []
        cases = []
        for cls, (_case, payload) in zip(self.space.variant(ty).cases, ty.cases, strict=True):
            fields = [] if payload is None else [("value", self.ann(payload))]
            out += _dataclass(cls.__name__, fields)
            cases.append(prefix + cls.__name__)
        self.nodes.setdefault(ty, Defined(prefix + name)).cases.update(
            {cls.__name__: path for cls, path in zip(self.space.variant(ty).cases, cases,
                                                     strict=True)})
        return [*out, f"{name}: _TypeAlias = {' | '.join(cases)}"]


def _dataclass(name: str, fields: list[tuple[str, str]]) -> list[str]:
    body = [f"{INDENT}{f}: {t}" for f, t in fields] or [f"{INDENT}pass"]
    return ["@_dataclass", f"class {name}:", *body]


def _enum(name: str, base: str, members: list[tuple[str, int]]) -> list[str]:
    body = [f"{INDENT}{m} = {v}" for m, v in members] or [f"{INDENT}pass"]
    return [f"class {name}(_enum.{base}):", *body]


def _type_check_only(lines: list[str]) -> list[str]:
    """Mark each top-level class of ``lines`` as existing for type checkers only."""
    out: list[str] = []
    for line in lines:
        if line.startswith(("class ", "@_dataclass")) and (not out or out[-1] != "@_dataclass"):
            out.append("@_type_check_only")
        out.append(line)
    return out


def indented(lines: list[str]) -> list[str]:
    return [INDENT + line if line else line for line in lines]

