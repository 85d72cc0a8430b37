"""Read a core module's interface from its binary, without compiling it.

Reads the sections that declare the interface (type, import, function, table, memory,
global, export, start, tag) and two custom sections: ``name`` (the module's name and
its functions' parameter names) and ``producers``.  The module must be valid: the
caller validates it first.  Nobody validates custom sections, so a malformed ``name``
or ``producers`` section is ignored, as engines ignore it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .binary import Reader
from .interface import (
    WASM_PAGE_LOG2,
    CoreInterface,
    CustomSection,
    Export,
    ExternType,
    FuncType,
    GlobalType,
    Import,
    Limits,
    MemoryType,
    TableType,
    TagType,
)
from .sigscan import FuncSig, read_limits, read_types, skip_const_expr, valtype_text

WASM_MAGIC = b"\0asm"
_COMPONENT_LAYER = b"\x01\x00"


def binary_kind(wasm: bytes) -> str:
    """``"core"`` or ``"component"``; ValueError when it is not a WebAssembly binary."""
    if wasm[:4] != WASM_MAGIC or len(wasm) < 8:
        raise ValueError("not a WebAssembly binary (it does not start with \\0asm)")
    return "component" if wasm[6:8] == _COMPONENT_LAYER else "core"


@dataclass
class _Spaces:
    """The index spaces as the sections fill them (imports first, as in the binary)."""

    types: list[FuncSig | None] = field(default_factory=list)
    funcs: list[int] = field(default_factory=list)  # type index of each function
    tables: list[TableType] = field(default_factory=list)
    memories: list[MemoryType] = field(default_factory=list)
    globals: list[GlobalType] = field(default_factory=list)
    tags: list[TagType] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    exports: list[tuple[str, int, int]] = field(default_factory=list)  # name, kind, index
    has_start: bool = False
    customs: list[CustomSection] = field(default_factory=list)
    local_names: dict[int, dict[int, str]] = field(default_factory=dict)
    module_name: str | None = None
    producers: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    def functype(self, type_index: int) -> FuncType:
        sig = self.types[type_index]
        if sig is None:
            raise ValueError(f"type {type_index} is not a function type")
        return FuncType(sig.params, sig.results)

    def export_type(self, kind: int, index: int) -> ExternType:
        if kind == 0:
            return self.functype(self.funcs[index])
        space: Sequence[ExternType] = (self.tables, self.memories, self.globals,
                                       self.tags)[kind - 1]
        return space[index]


def _tabletype(r: Reader) -> TableType:
    element = valtype_text(r)[0]
    flags, low, high, _ = read_limits(r)
    return TableType(element, Limits(low, high), bool(flags & 4))


def _memorytype(r: Reader) -> MemoryType:
    flags, low, high, page = read_limits(r)
    return MemoryType(Limits(low, high), bool(flags & 4), bool(flags & 2),
                      WASM_PAGE_LOG2 if page is None else page)


def _globaltype(r: Reader) -> GlobalType:
    content = valtype_text(r)[0]
    return GlobalType(content, bool(r.byte() & 1))


def _tagtype(r: Reader, s: _Spaces) -> TagType:
    r.byte()  # attribute: 0, an exception
    return TagType(s.functype(r.uleb()).params)


def _import_type(r: Reader, s: _Spaces, kind: int) -> ExternType:
    ty: ExternType
    if kind == 0:
        s.funcs.append(r.uleb())
        return s.functype(s.funcs[-1])
    if kind == 1:
        s.tables.append(ty := _tabletype(r))
    elif kind == 2:
        s.memories.append(ty := _memorytype(r))
    elif kind == 3:
        s.globals.append(ty := _globaltype(r))
    elif kind == 4:
        s.tags.append(ty := _tagtype(r, s))
    else:
        raise ValueError(f"unknown import kind {kind}")
    return ty


def _imports(r: Reader, s: _Spaces) -> None:
    for _ in range(r.uleb()):
        module, name = r.name(), r.name()
        s.imports.append(Import(module, name, _import_type(r, s, r.byte())))


def _tables(r: Reader, s: _Spaces) -> None:
    for _ in range(r.uleb()):
        init = r.peek() == 0x40  # a table with an initializer expression
        if init:
            r.skip(2)
        s.tables.append(_tabletype(r))
        if init:
            skip_const_expr(r)


def _globals(r: Reader, s: _Spaces) -> None:
    for _ in range(r.uleb()):
        s.globals.append(_globaltype(r))
        skip_const_expr(r)


def _exports(r: Reader, s: _Spaces) -> None:
    for _ in range(r.uleb()):
        name = r.name()
        s.exports.append((name, r.byte(), r.uleb()))


def _start(r: Reader, s: _Spaces) -> None:
    s.has_start = True


def _custom(r: Reader, s: _Spaces) -> None:
    start = r.pos
    name = r.name()
    s.customs.append(CustomSection(name, r.end - start))
    try:
        if name == "name":
            _names(r, s)
        elif name == "producers":
            s.producers = _producers(r)
    except (ValueError, IndexError):
        pass  # a malformed custom section means nothing (engines skip it too)


def _names(r: Reader, s: _Spaces) -> None:
    module_name, local_names = None, {}
    while r.pos < r.end:
        sub, size = r.byte(), r.uleb()
        body = Reader(r.data, r.pos, r.pos + size)
        r.skip(size)
        if sub == 0:
            module_name = body.name()
        elif sub == 2:
            local_names = _local_names(body)
    s.module_name, s.local_names = module_name, local_names


def _local_names(r: Reader) -> dict[int, dict[int, str]]:
    found: dict[int, dict[int, str]] = {}
    for _ in range(r.uleb()):
        func = found.setdefault(r.uleb(), {})
        for _ in range(r.uleb()):
            index = r.uleb()
            func[index] = r.name()
    return found


def _producers(r: Reader) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    fields = []
    for _ in range(r.uleb()):
        name = r.name()
        values = []
        for _ in range(r.uleb()):
            tool = r.name()
            values.append((tool, r.name()))
        fields.append((name, tuple(values)))
    return tuple(fields)


_SECTIONS: dict[int, Callable[[Reader, _Spaces], None]] = {
    0: _custom,
    1: lambda r, s: s.types.extend(read_types(r)),
    2: _imports,
    3: lambda r, s: s.funcs.extend(r.uleb() for _ in range(r.uleb())),
    4: _tables,
    5: lambda r, s: s.memories.extend(_memorytype(r) for _ in range(r.uleb())),
    6: _globals,
    7: _exports,
    8: _start,
    13: lambda r, s: s.tags.extend(_tagtype(r, s) for _ in range(r.uleb())),
}


def read_interface(wasm: bytes) -> CoreInterface:
    """The interface of a valid core module.  ValueError when the binary cannot be read
    (not a module, a component, or cut short)."""
    if binary_kind(wasm) != "core":
        raise ValueError("a component, not a core module")
    r, s = Reader(wasm, 8), _Spaces()
    while r.pos < r.end:
        sid, size = r.byte(), r.uleb()
        body = Reader(wasm, r.pos, r.pos + size)
        r.skip(size)
        handler = _SECTIONS.get(sid)
        if handler is not None:
            handler(body, s)
    return CoreInterface(len(wasm), tuple(s.imports), _exports_of(s), s.has_start,
                         tuple(s.customs), s.module_name, s.producers)


def _exports_of(s: _Spaces) -> tuple[Export, ...]:
    out = []
    for name, kind, index in s.exports:
        ty = s.export_type(kind, index)
        names = s.local_names.get(index, {}) if kind == 0 else {}
        count = len(ty.params) if isinstance(ty, FuncType) else 0
        out.append(Export(name, ty, tuple(names.get(i, "") for i in range(count))))
    return tuple(out)
