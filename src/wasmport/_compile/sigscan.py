"""Find the imports and exports with types beyond i32, i64, f32, f64, funcref and
externref, and spell them as the binary does.

Such types (v128, ``(ref $t)``, ``(ref func)``, anyref, exnref...) are read through the
engine elsewhere (_engine/typenames.py); this reads just enough of a compiled module's
(already validated) binary -- the type, import, function, table, global, tag and export
sections -- for two things the engine cannot give: descriptors that show a module's own
type indices (``global (ref $0)``, where the engine spells the concrete type out), and the
mark on an import whose match only the engine can judge (reference subtyping), so that a
wasm export given for it passes through unexamined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .binary import Reader

_NUM = {0x7F, 0x7E, 0x7D, 0x7C}
_FUNCREF, _EXTERNREF = 0x70, 0x6F
_ABSTRACT = {0x70: "func", 0x6F: "extern", 0x73: "nofunc", 0x72: "noextern", 0x71: "none",
             0x6E: "any", 0x6D: "eq", 0x6C: "i31", 0x6B: "struct", 0x6A: "array",
             0x69: "exn", 0x74: "noexn", 0x68: "cont", 0x75: "nocont"}
_KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}


def heaptype(r: Reader) -> str:
    if r.peek() in _ABSTRACT:
        return _ABSTRACT[r.byte()]
    index = r.sleb()
    if index < 0:
        raise ValueError("unknown heap type")
    return f"${index}"


_NUM_NAMES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64"}


def valtype_text(r: Reader) -> tuple[str, bool]:
    """A value type's text form, and whether the engine cannot describe it."""
    b = r.byte()
    if b in _NUM_NAMES:
        return _NUM_NAMES[b], False
    if b == _FUNCREF:
        return "funcref", False
    if b == _EXTERNREF:
        return "externref", False
    if b == 0x7B:
        return "v128", True
    if b in (0x63, 0x64):
        heap = heaptype(r)
        if b == 0x63 and heap in ("func", "extern"):
            return f"{heap}ref", False  # (ref null func) is funcref, (ref null extern) externref
        return f"(ref {'null ' if b == 0x63 else ''}{heap})", True
    if b in _ABSTRACT:
        return f"{_ABSTRACT[b]}ref", True
    raise ValueError(f"unknown value type 0x{b:02x}")


def _valtype(r: Reader) -> str | None:
    """Read a value type; None when the engine can describe it, else its text form."""
    text, bad = valtype_text(r)
    return text if bad else None


@dataclass(frozen=True)
class FuncSig:
    """A function type as text: parameter and result types, and whether the engine can
    describe all of them."""

    params: tuple[str, ...]
    results: tuple[str, ...]
    describable: bool

    def opaque_text(self) -> str | None:
        """``(v128) -> nil`` when the engine cannot describe it, else None."""
        if self.describable:
            return None
        res = self.results
        shown = "nil" if not res else res[0] if len(res) == 1 else f"({', '.join(res)})"
        return f"({', '.join(self.params)}) -> {shown}"


def _comptype(r: Reader) -> FuncSig | None:
    form = r.byte()
    if form == 0x60:  # func: the only kind imports and exports refer to
        params = [valtype_text(r) for _ in range(r.uleb())]
        results = [valtype_text(r) for _ in range(r.uleb())]
        return FuncSig(tuple(t for t, _ in params), tuple(t for t, _ in results),
                       not any(bad for _, bad in params + results))
    fields = r.uleb() if form == 0x5F else 1 if form == 0x5E else None
    if fields is None:
        if form == 0x5D:  # cont $t
            r.sleb()
            return None
        raise ValueError(f"unknown composite type 0x{form:02x}")
    for _ in range(fields):
        if r.peek() in (0x78, 0x77):  # packed i8 / i16
            r.byte()
        else:
            _valtype(r)
        r.byte()  # mutability
    return None


def _subtype(r: Reader) -> FuncSig | None:
    if r.peek() in (0x50, 0x4F):
        r.byte()
        for _ in range(r.uleb()):
            r.uleb()
    return _comptype(r)


def read_types(r: Reader) -> list[FuncSig | None]:
    """The type section: each entry's function type, None for struct, array, cont."""
    types: list[FuncSig | None] = []
    for _ in range(r.uleb()):
        if r.peek() == 0x4E:  # rec group
            r.byte()
            types.extend(_subtype(r) for _ in range(r.uleb()))
        else:
            types.append(_subtype(r))
    return types


def read_limits(r: Reader) -> tuple[int, int, int | None, int | None]:
    """A memory's or table's limits: (flags, min, max or None, log2 of a custom page
    size or None).  Flags: 1 has a max, 2 shared, 4 64-bit indices, 8 custom page size."""
    flags = r.byte()
    low = r.uleb()
    high = r.uleb() if flags & 1 else None
    page = r.uleb() if flags & 8 else None
    return flags, low, high, page


def _tabletype(r: Reader) -> str | None:
    bad = _valtype(r)
    read_limits(r)
    return bad


def _globaltype(r: Reader) -> str | None:
    bad = _valtype(r)
    mutable = r.byte() & 1
    return f"mut {bad}" if bad and mutable else bad


# Constant-expression opcodes and how to skip their immediates.
_IMM_NONE = {0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E}
_IMM_ULEB = {0x23, 0xD2}
_GC_IMMS = {0: 1, 1: 1, 6: 1, 7: 1, 8: 2, 9: 2, 10: 2, 0x1A: 0, 0x1B: 0, 0x1C: 0}


def skip_const_expr(r: Reader) -> None:
    while True:
        op = r.byte()
        if op == 0x0B:
            return
        if op in (0x41, 0x42):
            r.sleb()
        elif op in (0x43, 0x44):
            r.skip(4 if op == 0x43 else 8)
        elif op in _IMM_ULEB:
            r.uleb()
        elif op == 0xD0:
            heaptype(r)
        elif op == 0xFB and r.peek() in _GC_IMMS:
            for _ in range(_GC_IMMS[r.uleb()]):
                r.uleb()
        elif op == 0xFD and r.peek() == 0x0C:  # v128.const
            r.uleb()
            r.skip(16)
        elif op not in _IMM_NONE:
            raise ValueError(f"unknown constant instruction 0x{op:02x}")


class _Spaces:
    """What each index space holds: the bad type text (or None) of each entry."""

    def __init__(self) -> None:
        self.types: list[FuncSig | None] = []
        self.func: list[str | None] = []
        self.table: list[str | None] = []
        self.memory: list[str | None] = []
        self.global_: list[str | None] = []
        self.tag: list[str | None] = []

    def space(self, kind: int) -> list[str | None]:
        return [self.func, self.table, self.memory, self.global_, self.tag][kind]

    def functype(self, index: int) -> str | None:
        sig = self.types[index] if index < len(self.types) else None
        return None if sig is None else sig.opaque_text()


def _import(r: Reader, s: _Spaces) -> tuple[str, str | None]:
    where = f'import "{r.name()}"."{r.name()}"'
    kind = r.byte()
    if kind == 0:
        bad = s.functype(r.uleb())
    elif kind == 1:
        bad = _tabletype(r)
    elif kind == 2:
        read_limits(r)
        bad = None
    elif kind == 3:
        bad = _globaltype(r)
    elif kind == 4:
        r.byte()
        bad = s.functype(r.uleb())
    else:
        raise ValueError(f"unknown import kind {kind}")
    s.space(kind).append(bad)
    return where, bad


@dataclass(frozen=True)
class Opaque:
    """The imports (by index) and exports (by name) whose types the engine cannot
    describe, each with its text form; such values are passed through unexamined."""

    imports: dict[int, str] = field(default_factory=dict)
    exports: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.imports or self.exports)

    def to_json(self) -> dict[str, Any]:
        return {"imports": {str(k): v for k, v in self.imports.items()},
                "exports": dict(self.exports)}

    @classmethod
    def from_json(cls, value: Any) -> Opaque:
        if not isinstance(value, dict):
            return NOTHING
        return cls({int(k): str(v) for k, v in value.get("imports", {}).items()},
                   {str(k): str(v) for k, v in value.get("exports", {}).items()})


NOTHING = Opaque()


def _section(r: Reader, sid: int, s: _Spaces, found: Opaque) -> None:
    """Read one section, noting each import and export with an undescribable type."""
    if sid == 1:
        s.types = read_types(r)
    elif sid == 2:
        for index in range(r.uleb()):
            _, bad = _import(r, s)
            if bad:
                found.imports[index] = bad
    elif sid == 3:
        # Unless some type is undescribable no function can be: skip the decoding.
        if not all(t is None or t.describable for t in s.types):
            s.func.extend(s.functype(r.uleb()) for _ in range(r.uleb()))
        else:
            s.func.extend([None] * r.uleb())
    elif sid == 4:
        for _ in range(r.uleb()):
            init = r.peek() == 0x40
            if init:
                r.skip(2)
            s.table.append(_tabletype(r))
            if init:
                skip_const_expr(r)
    elif sid == 6:
        for _ in range(r.uleb()):
            s.global_.append(_globaltype(r))
            skip_const_expr(r)
    elif sid == 13:
        for _ in range(r.uleb()):
            r.byte()
            s.tag.append(s.functype(r.uleb()))
    elif sid == 7:
        for _ in range(r.uleb()):
            name, kind, index = r.name(), r.byte(), r.uleb()
            space = s.space(kind) if kind in _KINDS else []
            bad = space[index] if index < len(space) else None
            if bad:
                found.exports[name] = bad


def opaque_sites(wasm: bytes) -> Opaque:
    """Every import and export of a valid module whose type the engine cannot describe.

    Raises ValueError when the sections cannot be read.
    """
    r = Reader(wasm, 8)
    spaces, found = _Spaces(), Opaque()
    while r.pos < r.end:
        sid, size = r.byte(), r.uleb()
        body = Reader(wasm, r.pos, r.pos + size)
        r.skip(size)
        if sid in (1, 2, 3, 4, 6, 7, 13):
            _section(body, sid, spaces, found)
    return found if found else NOTHING
