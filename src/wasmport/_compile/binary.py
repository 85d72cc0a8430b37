"""A reader of the WebAssembly binary format's primitives: bytes, LEB128 numbers, names.

Every read is bounds-checked against the end of the region being read (a section, say)
and raises ValueError("unexpected end") past it.
"""

from __future__ import annotations


class Reader:
    """Reads ``data[pos:end]`` front to back."""

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data, self.pos = data, pos
        self.end = len(data) if end is None else end

    def byte(self) -> int:
        if self.pos >= self.end:
            raise ValueError("unexpected end")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def peek(self) -> int:
        if self.pos >= self.end:
            raise ValueError("unexpected end")
        return self.data[self.pos]

    def _leb(self, signed: bool) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result - (1 << shift) if signed and b & 0x40 else result

    def uleb(self) -> int:
        return self._leb(False)

    def sleb(self) -> int:
        return self._leb(True)

    def skip(self, n: int) -> None:
        self.pos += n
        if self.pos > self.end:
            raise ValueError("unexpected end")

    def name(self) -> str:
        n = self.uleb()
        start = self.pos
        self.skip(n)
        return self.data[start:self.pos].decode("utf-8", "replace")
