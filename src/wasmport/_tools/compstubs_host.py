"""The Protocols a host implementation of a component's imports type-checks against.

What ``_component._host.target_of`` looks up, as types::

    interface host {                         class HostImport(Protocol):
      add: func(a: u32) -> u32;                  def add(self, a: int, /) -> int: ...
      resource blob {                            @property
        constructor(data: list<u8>);             def Blob(self) -> HostBlobClass: ...
        size: func() -> u32;                 class HostBlob(Protocol):       (its objects)
        concat: static func(...) -> blob;        def size(self) -> int: ...
      }                                      class HostBlobClass(Protocol):  (the class)
    }                                            def __call__(self, data: bytes, /) -> HostBlob
                                                 def concat(self, a: Any, b: Any, /) -> ...
    import tick: func() -> u32;              class TickImport(Protocol): def __call__(...)

Parameters are positional-only: the runtime calls the implementation positionally, so
its parameter names are free.  A host resource passed *to* the host is ``Any``: the
implementation's methods take its own class, which no Protocol can name.
"""

from __future__ import annotations

from .._component._names import camel, snake
from .._component._types import Function, Interface, ResourceType, World
from .compstubs_types import Spelling, indented


def _method(name: str, func: Function, s: Spelling, skip: int = 0) -> str:
    params = ["self", *(f"{snake(n)}: {s.ann(t, host=True)}" for n, t in func.type.params[skip:])]
    slash = ", /" if len(params) > 1 else ""
    result = s.ann(func.type.result, returned=True)
    return f"def {name}({', '.join(params)}{slash}) -> {result}: ..."


def _protocol(name: str, body: list[str], what: str) -> list[str]:
    return [f"# {what}", "@_type_check_only", f"class {name}(_Protocol):",
            *indented(body or ["pass"]), ""]


def _resource(iface: Interface, res: str, node: ResourceType, s: Spelling
              ) -> tuple[list[str], str]:
    """The Protocols of one host resource (its objects, its class) and the class's name."""
    instance = s.host[node]
    cls = s.free(instance + "Class")
    methods: list[str] = []
    statics: list[str] = []
    for func in iface.resource_functions(res):
        if func.kind == "method":
            methods.append(_method(snake(func.short), func, s, skip=1))
        elif func.kind == "static":
            statics.append(_method(snake(func.short), func, s))
        else:
            params = [f"{snake(n)}: {s.ann(t, host=True)}" for n, t in func.type.params]
            slash = ", /" if params else ""
            statics.insert(0, f"def __call__(self, {', '.join(params)}{slash}) -> {instance}: ..."
                           .replace("(self, )", "(self)"))
    wit = f"resource {res} of {iface.name}"
    out = _protocol(instance, methods, f"{wit}: the host's objects")
    out += _protocol(cls, statics, f"{wit}: the host's class (constructor, static functions)")
    return out, cls


def interface_protocol(iface: Interface, s: Spelling) -> list[str]:
    name = s.free(camel(iface.id.interface) + "Import")
    out: list[str] = []
    body: list[str] = []
    for td in iface.types.values():
        node = td.type
        if isinstance(node, ResourceType) and node in s.host and td.origin is None:
            lines, cls = _resource(iface, td.name, node, s)
            out += lines
            if iface.resource_functions(td.name):  # target_of looks the class up then
                body += ["@property", f"def {camel(td.name)}(self) -> {cls}: ..."]
    body += [_method(snake(n), f, s) for n, f in iface.functions.items()
             if f.kind == "freestanding"]
    return [*out, *_protocol(name, body, f"{iface.name}: what a host implementation provides")]


def protocols(world: World, s: Spelling) -> list[str]:
    """The Protocol of each imported interface and world-level imported function."""
    out: list[str] = []
    for name, item in world.imports.items():
        if isinstance(item, Interface):  # types only: an object is still asked for
            out += interface_protocol(item, s)
        elif isinstance(item, Function):
            call = _method("__call__", item, s)
            out += _protocol(s.free(camel(name) + "Import"), [call],
                             f"import {name}: a callable")
    return out
