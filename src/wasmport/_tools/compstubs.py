"""``.pyi`` stubs for a component's instance-phase module (docs/cli.md, "wasmport stubs").

Written from the same World the runtime builds the module from, with the runtime's
naming (``_component._names``, ``_namespace.short_names``, ``TypeSpace``)::

    export add: func(a: u32) -> u32      def add(a: int) -> int: ...
    world-level record point             @dataclass class Point: ...  (a real class)
    export ns:pkg/my-api                 my_api: Final[MyApiNamespace]
                                         MyApiNamespace: its functions, types, resources
    import ns:pkg/host (types)           host: Final[HostNamespace]
    import ns:pkg/host (to implement)    class HostImport(Protocol): ...
    import tick: func() -> u32           class TickImport(Protocol): __call__

The namespace classes and Protocols exist for type checkers only
(``@type_check_only``): a namespace is a ``Namespace`` object at run time, so its
types are annotated through the class (``def f(p: app.MyApiNamespace.Point)``).
"""

from __future__ import annotations

import json
import os

from .._compile.assets import asset_for_file
from .._component._instance import hidden
from .._component._names import camel, snake
from .._component._namespace import short_names
from .._component._types import (
    Function,
    Interface,
    RecordType,
    ResourceType,
    TypeDef,
    World,
)
from .._realm import default_realm, load_asset
from .compstubs_host import protocols
from .compstubs_types import Spelling, indented
from .stubs import header

_IMPORTS = [
    "import builtins as _builtins",
    "import enum as _enum",
    "from dataclasses import dataclass as _dataclass",
    "from typing import Any as _Any",
    "from typing import Final as _Final",
    "from typing import Protocol as _Protocol",
    "from typing import TypeAlias as _TypeAlias",
    "from typing import type_check_only as _type_check_only",
    "",
    "import wasmport as _wasmport",
]


def namespaces(world: World) -> dict[str, tuple[Interface, bool]]:
    """Full name -> (interface, exported), in the runtime's order: exported interfaces
    (with the types of the same interface imported) first."""
    out: dict[str, tuple[Interface, bool]] = {}
    for name, item in world.exports.items():
        if isinstance(item, Interface) and not hidden(name, item):
            imported = world.imports.get(name)
            if isinstance(imported, Interface):
                item = Interface(item.name, {**imported.types, **item.types}, item.functions)
            out[name] = (item, True)
    for name, item in world.imports.items():
        if isinstance(item, Interface) and name not in out:
            out[name] = (item, False)
    return out


class _Plan:
    """The names the runtime gives the module, and the stub's own."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.roots = {snake(n): f for n, f in world.exports.items() if isinstance(f, Function)}
        self.world_types = [t for t in world.imports.values() if isinstance(t, TypeDef)]
        self.spaces = namespaces(world)
        probe = Spelling(set(), set())
        members = set(self.roots)
        for td in self.world_types:
            members.update(probe.space.named(td))
        self.shorts = short_names(list(self.spaces), members)
        self.members = members | set(self.shorts.values())
        self.s = Spelling(self.members | {"__wasm_component__"}, self._declared(probe))
        self.classes = {full: self.s.free(camel(iface.id.interface) + "Namespace")
                        for full, (iface, _e) in self.spaces.items()}
        self._register_resources()

    def _declared(self, probe: Spelling) -> set[str]:
        names = set(self.members)
        for iface, _exported in self.spaces.values():
            names.update(snake(f.short) for f in iface.functions.values())
            for td in iface.types.values():
                names.update(probe.space.named(td))
                if isinstance(td.type, RecordType):
                    names.update(snake(f) for f, _t in td.type.fields)
        return names

    def _register_resources(self) -> None:
        """Guest resources: the class of the exported namespace.  Host resources: the
        Protocol of the host's objects (compstubs_host names it)."""
        for full, (iface, exported) in self.spaces.items():
            for td in iface.types.values():
                node = td.type
                if isinstance(node, ResourceType) and exported and node not in self.s.guest:
                    self.s.guest[node] = f"{self.classes[full]}.{camel(td.name)}"
        for item in self.world.imports.values():
            if isinstance(item, Interface):
                for td in item.types.values():
                    if isinstance(td.type, ResourceType) and td.origin is None:
                        self.s.host[td.type] = self.s.free(
                            camel(item.id.interface) + camel(td.name))


def _def(name: str, func: Function, s: Spelling, *, self_: bool, skip: int = 0) -> str:
    params = [f"{snake(n)}: {s.ann(t)}" for n, t in func.type.params[skip:]]
    if self_:
        taken = {snake(n) for n, _ in func.type.params[skip:]}
        params.insert(0, "self_" if "self" in taken else "self")
    result = s.ann(func.type.result, returned=True)
    return f"def {name}({', '.join(params)}) -> {result}: ..."


def _resource(td: TypeDef, iface: Interface, s: Spelling) -> list[str]:
    """A guest resource's class, as ``_instance.resource_class`` makes it."""
    assert isinstance(td.type, ResourceType)
    path = s.guest[td.type]
    body: list[str] = []
    methods = set()
    for func in iface.resource_functions(td.name):
        if func.kind == "constructor":
            params = ", ".join(f"{snake(n)}: {s.ann(t)}" for n, t in func.type.params)
            body.append(f"def __init__(self{', ' if params else ''}{params}) -> None: ...")
        elif func.kind == "static":
            body += ["@staticmethod", _def(snake(func.short), func, s, self_=False)]
        else:
            body.append(_def(snake(func.short), func, s, self_=True, skip=1))
        methods.add(snake(func.short))
    if "drop" not in methods:
        body.append("def drop(self) -> None: ...")
    body += [f"def __enter__(self) -> {path}: ...",
             f"def __exit__(self, *exc: {s.b('object')}) -> None: ..."]
    if td.type in s.host:
        body.insert(0, f"# implemented by the host: its values are {s.host[td.type]} objects")
    return [f"class {camel(td.name)}:", *indented(body)]


def _namespace_types(iface: Interface, cls: str, s: Spelling) -> list[str]:
    return [line for td in iface.types.values() if not isinstance(td.type, ResourceType)
            for line in s.typedef(td, f"{cls}.")]


def _namespace(full: str, iface: Interface, exported: bool, plan: _Plan,
               types: list[str]) -> list[str]:
    s, cls = plan.s, plan.classes[full]
    body = list(types)
    if exported:
        body += [line for td in iface.types.values() if isinstance(td.type, ResourceType)
                 for line in _resource(td, iface, s)]
        body += [_def(snake(n), f, s, self_=True) for n, f in iface.functions.items()
                 if f.kind == "freestanding"]
    body += [f"def __getitem__(self, wit_name: {s.b('str')}) -> _Any: ...",
             f"def __contains__(self, wit_name: {s.b('object')}) -> {s.b('bool')}: ..."]
    kind = "exported" if exported else "imported (its types)"
    return [f"# {full}: {kind}", "@_type_check_only", f"class {cls}:", *indented(body), ""]


def component_world(path: str) -> World:
    """The world of the component at ``path``, read as the default realm compiles it
    (through the code cache: the runtime's own type model)."""
    component = load_asset(default_realm(), asset_for_file(os.path.abspath(path)), None,
                           "source")
    world: World = component.world
    return world


def render_component(world: World, *, source: str, sha256: str) -> str:
    """The stub's text for a component's world read from ``source`` (for the header)."""
    plan = _Plan(world)
    s = plan.s
    # Every named type first, in the runtime's order, so that functions refer to them.
    world_types = [line for td in plan.world_types for line in s.typedef(td, "")]
    types = {full: _namespace_types(iface, plan.classes[full], s)
             for full, (iface, _e) in plan.spaces.items()}
    body = [*_all(sorted(plan.members)), ""]
    body += [_def(name, f, s, self_=False) for name, f in plan.roots.items()]
    body += world_types
    for full, short in plan.shorts.items():
        body.append(f"{short}: _Final[{plan.classes[full]}]")
    body += ["__wasm_component__: _Final[_wasmport.Component]", ""]
    for full, (iface, exported) in plan.spaces.items():
        body += _namespace(full, iface, exported, plan, types[full])
    body += protocols(world, s)
    body += s.late
    imports = _IMPORTS if s.qualify else _IMPORTS[1:]
    return "\n".join([*header(source, sha256), "", *imports, "", *body]).rstrip("\n") + "\n"


def _all(names: list[str]) -> list[str]:
    one_line = f"__all__ = {json.dumps(names)}"
    if len(one_line) <= 88:
        return [one_line]
    return ["__all__ = [", *(f"    {json.dumps(name)}," for name in names), "]"]

