"""What each type index of a module binary defines: "func", "struct", "array" or "cont".

wasmport shows a concrete reference type as ``(ref $3)``; whether ``$3`` is a function or
a GC type decides which gap (gaps.py) a command falls into, so the harness reads the type
section itself: rec groups, sub types and composite types, as in the 3.0 binary format.
"""

from __future__ import annotations

from pathlib import Path

_COMPOSITE = {0x60: "func", 0x5F: "struct", 0x5E: "array", 0x5D: "cont"}


class _Reader:
    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def byte(self) -> int:
        b = self.data[self.pos]
        self.pos += 1
        return b

    def leb(self, signed: bool = False) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if signed and b & 0x40:
            result -= 1 << shift
        return result

    def valtype(self) -> None:
        b = self.byte()
        if b in (0x63, 0x64):  # (ref null? heaptype)
            if self.data[self.pos] == 0x62:  # exact (custom descriptors)
                self.pos += 1
            self.leb(signed=True)

    def fieldtype(self) -> None:
        self.valtype()  # i8 (0x78) and i16 (0x77) are single bytes like a numtype
        self.byte()  # mutability


def composite_kinds(wasm: bytes) -> list[str]:
    """The kind of each type index, in order; [] for a module without a type section."""
    r = _Reader(wasm, 8)
    while r.pos < len(wasm):
        section, size = r.byte(), r.leb()
        if section == 1:
            return _types(_Reader(wasm[r.pos:r.pos + size]))
        r.pos += size
    return []


def _types(r: _Reader) -> list[str]:
    kinds: list[str] = []
    for _ in range(r.leb()):
        if r.data[r.pos] == 0x4E:  # rec group
            r.pos += 1
            kinds.extend(_subtype(r) for _ in range(r.leb()))
        else:
            kinds.append(_subtype(r))
    return kinds


def _subtype(r: _Reader) -> str:
    if r.data[r.pos] in (0x50, 0x4F):  # sub / sub final, then the supertypes
        r.pos += 1
        for _ in range(r.leb()):
            r.leb()
    while r.data[r.pos] in (0x4D, 0x4C):  # describes / descriptor (custom descriptors)
        r.pos += 1
        r.leb()
    kind = _COMPOSITE[r.byte()]
    _BODY[kind](r)
    return kind


def _func(r: _Reader) -> None:
    for _ in range(2):  # parameters, then results
        for _ in range(r.leb()):
            r.valtype()


def _struct(r: _Reader) -> None:
    for _ in range(r.leb()):
        r.fieldtype()


def _cont(r: _Reader) -> None:
    r.leb()  # the function type index


_BODY = {"func": _func, "struct": _struct, "array": _Reader.fieldtype, "cont": _cont}


def kinds_of_file(path: Path) -> list[str]:
    try:
        return composite_kinds(path.read_bytes())
    except (IndexError, KeyError):  # not a module this reader understands
        return []
