"""The names of a world's own types, read from the component binary.

wasmtime's type API lists a component's imports and exports but leaves out the type
imports at the top of the world (``(import "point" (type (eq 3)))``, what WIT writes
as ``record point`` in a world), so world-level types reach the type model without
names.  This reader walks only the top-level sections that add to the type index
space (types, imports, aliases, exports), skips everything else by its size, and
gives each type import's name with the shape of what it stands for: enough to name
the anonymous types wasmtime reports.  Anything it does not understand ends the walk
with no names; it never raises.

    shape   ("record", ("x", "y")), ("variant", ("circle", "none")), ("enum", ...),
            ("flags", ...), ("prim", "u8"), ("use", "point") for a type an imported
            interface exports as "point", or ("other",)
"""

from __future__ import annotations

from typing import Any

PRIMS = {0x7F: "bool", 0x7E: "s8", 0x7D: "u8", 0x7C: "s16", 0x7B: "u16", 0x7A: "s32",
         0x79: "u32", 0x78: "s64", 0x77: "u64", 0x76: "f32", 0x75: "f64", 0x74: "char",
         0x73: "string", 0x64: "error-context"}
_TYPE_SECTION, _ALIAS_SECTION, _IMPORT_SECTION, _EXPORT_SECTION = 7, 6, 10, 11
_SORT_TYPE = 0x03


class _Unknown(Exception):
    """Something this reader does not know: stop, give no names."""


class _Reader:
    def __init__(self, data: bytes | memoryview, pos: int = 0, end: int | None = None) -> None:
        self.data, self.pos = data, pos
        self.end = len(data) if end is None else end

    def byte(self) -> int:
        if self.pos >= self.end:
            raise _Unknown("truncated")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def uleb(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    def string(self) -> str:
        size = self.uleb()
        text = self.data[self.pos:self.pos + size]
        self.pos += size
        return bytes(text).decode("utf-8")

    def valtype(self) -> Any:
        """A primitive's name, or a type index."""
        if self.pos < self.end and self.data[self.pos] in PRIMS:
            return PRIMS[self.byte()]
        return self.uleb()  # a non-negative s33 reads as its unsigned LEB

    def optional(self) -> Any:
        return self.valtype() if self.byte() == 0x01 else None

    def name(self) -> str:
        lead = self.byte()
        name = self.string()
        if lead == 0x02:  # extern name options (implements, version, external id)
            for _ in range(self.uleb()):
                self.byte()
                self.string()
        elif lead not in (0x00, 0x01):
            raise _Unknown(f"extern name {lead:#x}")
        return name

    def sort(self) -> int:
        sort = self.byte()
        if sort == 0x00:
            self.byte()  # the core sort
        return sort

    def externdesc(self) -> tuple[int, Any]:
        sort = self.sort()
        if sort == _SORT_TYPE:
            bound = self.byte()
            return sort, (self.uleb() if bound == 0x00 else None)
        if sort == 0x02:
            return sort, self.valtype()
        return sort, self.uleb()


def _defined(r: _Reader, lead: int) -> tuple[Any, ...]:
    """The shape of a defined value type whose first byte was ``lead``."""
    if lead in PRIMS:
        return ("prim", PRIMS[lead])
    if lead == 0x72:
        fields = []
        for _ in range(r.uleb()):
            fields.append(r.string())
            r.valtype()
        return ("record", tuple(fields))
    if lead == 0x71:
        cases = []
        for _ in range(r.uleb()):
            cases.append(r.string())
            r.optional()
            r.byte()
        return ("variant", tuple(cases))
    if lead in (0x6E, 0x6D):
        labels = tuple(r.string() for _ in range(r.uleb()))
        return ("flags" if lead == 0x6E else "enum", labels)
    _skip_structural(r, lead)
    return ("other",)


def _skip_structural(r: _Reader, lead: int) -> None:
    if lead in (0x70, 0x6B):  # list, option
        r.valtype()
    elif lead == 0x67:  # fixed-size list
        r.valtype()
        r.uleb()
    elif lead == 0x63:  # map
        r.valtype()
        r.valtype()
    elif lead == 0x6F:  # tuple
        for _ in range(r.uleb()):
            r.valtype()
    elif lead == 0x6A:  # result
        r.optional()
        r.optional()
    elif lead in (0x69, 0x68):  # own, borrow
        r.uleb()
    elif lead in (0x66, 0x65):  # stream, future
        r.optional()
    else:
        raise _Unknown(f"type {lead:#x}")


def _deftype(r: _Reader) -> tuple[Any, ...]:
    lead = r.byte()
    if lead == 0x3F:  # resource
        r.byte()
        if r.byte() == 0x01:
            r.uleb()
        return ("other",)
    if lead in (0x40, 0x43):  # function
        for _ in range(r.uleb()):
            r.string()
            r.valtype()
        if r.byte() == 0x00:
            r.valtype()
        else:
            r.byte()
        return ("other",)
    if lead in (0x41, 0x42):  # component or instance type
        for _ in range(r.uleb()):
            _declaration(r)
        return ("other",)
    return _defined(r, lead)


def _declaration(r: _Reader) -> None:
    kind = r.byte()
    if kind == 0x01:
        _deftype(r)
    elif kind == 0x02:
        _alias(r)
    elif kind in (0x03, 0x04):  # import or export declaration
        r.name()
        r.externdesc()
    else:  # a core type inside: not made by WIT tooling
        raise _Unknown(f"declaration {kind:#x}")


def _alias(r: _Reader) -> tuple[int, str | None]:
    """(sort, the export name an instance-export alias takes, else None)."""
    sort = r.sort()
    target = r.byte()
    if target in (0x00, 0x01):
        r.uleb()
        return sort, r.string() if target == 0x00 else (r.string() and None)
    if target == 0x02:
        r.uleb()
        r.uleb()
        return sort, None
    raise _Unknown(f"alias {target:#x}")


class _Types:
    """The top level's type index space: a shape, or the index an import equals."""

    def __init__(self) -> None:
        self.space: list[Any] = []
        self.names: list[tuple[str, int]] = []

    def section(self, section: int, r: _Reader) -> None:
        for _ in range(r.uleb()):
            if section == _TYPE_SECTION:
                self.space.append(_deftype(r))
            elif section == _ALIAS_SECTION:
                sort, export = _alias(r)
                if sort == _SORT_TYPE:  # a type of an imported interface: "use" it
                    self.space.append(("use", export) if export else ("other",))
            elif section == _IMPORT_SECTION:
                name = r.name()
                sort, ref = r.externdesc()
                if sort == _SORT_TYPE:
                    if ref is not None:
                        self.names.append((name, ref))
                    self.space.append(ref if ref is not None else ("other",))
            else:
                self._export(r)

    def _export(self, r: _Reader) -> None:
        r.name()
        sort = r.sort()
        index = r.uleb()
        if r.byte() == 0x01:
            r.externdesc()
        if sort == _SORT_TYPE:
            self.space.append(index)

    def shape(self, index: int) -> tuple[Any, ...]:
        for _ in range(len(self.space)):
            if not 0 <= index < len(self.space):
                return ("other",)
            found = self.space[index]
            if not isinstance(found, int):
                return found  # type: ignore[no-any-return]
            index = found
        return ("other",)


def world_type_shapes(data: bytes) -> list[tuple[str, tuple[Any, ...]]]:
    """(name, shape) of each top-level type import, in order; [] when unreadable."""
    view = memoryview(data)
    if bytes(view[:8]) != b"\x00asm\x0d\x00\x01\x00":
        return []
    types = _Types()
    r = _Reader(view, 8)
    try:
        while r.pos < r.end:
            section, size = r.byte(), r.uleb()
            start = r.pos
            if section in (_TYPE_SECTION, _ALIAS_SECTION, _IMPORT_SECTION, _EXPORT_SECTION):
                types.section(section, _Reader(view, start, start + size))
            r.pos = start + size
    except (_Unknown, UnicodeDecodeError, IndexError):
        return []
    return [(name, types.shape(index)) for name, index in types.names]
