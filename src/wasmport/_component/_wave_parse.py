"""WAVE text -> the Python value of a WIT type (``wasmport run --invoke`` on components).

WAVE (the WebAssembly Value Encoding, the syntax of ``wasmtime run --invoke``) reads a
value against its type: ``{x: 1, y: -2}`` is a record, ``circle(2.5)`` a variant case,
``some(3)`` or a bare ``3`` an option, ``ok(1)``/``err("no")`` or a bare value a result,
``{read, write}`` flags, ``'x'`` a char, ``"a\\tb"`` (or a ``\"\"\"`` block) a string.
The value built is what the component's own wrappers take (the generated dataclasses,
enums, flags and variant case classes, ``Some``/``Ok``/``Err``), so the call then checks
it exactly as a Python call would.  Every mistake is a WaveError with its column.

This file has the cursor and the scalars; ``wave`` the types made of others.
"""

from __future__ import annotations

import re
import struct
from typing import Any

from ._pytypes import TypeSpace
from ._types import (
    Prim,
    WitType,
)
from ._wave_print import type_text

LABEL = re.compile(r"%?[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_SKIP = re.compile(r"(?:\s+|//[^\n]*)*")
_ESCAPES = {"'": "'", '"': '"', "t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
_RANGES = {"s8": (-2**7, 2**7 - 1), "u8": (0, 2**8 - 1), "s16": (-2**15, 2**15 - 1),
           "u16": (0, 2**16 - 1), "s32": (-2**31, 2**31 - 1), "u32": (0, 2**32 - 1),
           "s64": (-2**63, 2**63 - 1), "u64": (0, 2**64 - 1)}


class WaveError(ValueError):
    """WAVE text that does not fit its WIT type; ``column`` counts from 1."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"at column {column}: {message}")
        self.column = column


class Reader:
    """A cursor over WAVE text, reading values against WIT types (``READERS``: WIT type
    class -> its reader; ``wave.WaveReader`` has them all)."""

    READERS: dict[type, Any] = {}

    def __init__(self, text: str, space: TypeSpace) -> None:
        self.text, self.pos, self.space = text, 0, space

    # -- the cursor
    def fail(self, message: str, at: int | None = None) -> WaveError:
        return WaveError(message, (self.pos if at is None else at) + 1)

    def skip(self) -> None:
        found = _SKIP.match(self.text, self.pos)
        self.pos = found.end() if found else self.pos

    def peek(self, token: str) -> bool:
        self.skip()
        return self.text.startswith(token, self.pos)

    def take(self, token: str) -> bool:
        if self.peek(token):
            self.pos += len(token)
            return True
        return False

    def expect(self, token: str, what: str) -> None:
        if not self.take(token):
            raise self.fail(f"expected {token!r} {what}, got {self.shown()}")

    def shown(self) -> str:
        self.skip()
        rest = self.text[self.pos:self.pos + 12]
        return repr(rest) if rest else "the end of the text"

    def label(self) -> tuple[str, bool, int]:
        """(label without ``%``, whether it had ``%``, where it starts)."""
        self.skip()
        found = LABEL.match(self.text, self.pos)
        if found is None:
            raise self.fail(f"expected a name, got {self.shown()}")
        self.pos = found.end()
        word = found.group()
        return word.lstrip("%"), word.startswith("%"), found.start()

    def keyword(self, words: tuple[str, ...]) -> str | None:
        """The keyword at the cursor (one of ``words``), taken; else None, nothing taken."""
        self.skip()
        found = LABEL.match(self.text, self.pos)
        if found is not None and found.group() in words:
            self.pos = found.end()
            return found.group()
        return None

    def end(self) -> None:
        self.skip()
        if self.pos != len(self.text):
            raise self.fail(f"unexpected {self.shown()} after the value")

    # -- values
    def value(self, ty: WitType) -> Any:
        self.skip()
        reader = self.READERS.get(type(ty))
        if reader is None:
            raise self.fail(f"a {type_text(ty)} cannot be given as text")
        return reader(self, ty)

    def items(self, close: str, item: Any) -> list[Any]:
        """Comma-separated items up to ``close`` (a trailing comma allowed)."""
        out: list[Any] = []
        while not self.take(close):
            if out:
                self.expect(",", "between items")
                if self.take(close):
                    break
            out.append(item())
        return out


def read_prim(r: Reader, ty: Prim) -> Any:
    kind = ty.kind
    if kind == "bool":
        word, _, at = r.label()
        if word not in ("true", "false"):
            raise r.fail(f"expected true or false, got {word!r}", at)
        return word == "true"
    if kind == "char":
        return _char(r)
    if kind == "string":
        return _string(r)
    return _number(r, kind)


def _number(r: Reader, kind: str) -> Any:
    at = r.pos
    if kind in ("f32", "f64"):
        for word, value in (("nan", float("nan")), ("-inf", float("-inf")),
                            ("inf", float("inf"))):
            if r.text.startswith(word, at) and not LABEL.match(r.text, at + len(word)):
                r.pos = at + len(word)
                return value
    found = _NUMBER.match(r.text, at)
    if found is None:
        raise r.fail(f"expected a number ({kind}), got {r.shown()}")
    r.pos, word = found.end(), found.group()
    if kind == "f64":
        return float(word)
    if kind == "f32":  # the nearest f32, as the component will hold it
        try:
            return struct.unpack("<f", struct.pack("<f", float(word)))[0]
        except OverflowError:
            raise r.fail(f"{word} is out of range for f32", at) from None
    if not _INTEGER.match(word):
        raise r.fail(f"expected an integer ({kind}), got {word!r}", at)
    low, high = _RANGES[kind]
    if not low <= int(word) <= high:
        raise r.fail(f"{word} is out of range for {kind} ({low}..{high})", at)
    return int(word)


def _escape(r: Reader) -> str:
    at = r.pos
    r.pos += 1  # the backslash
    code = r.text[r.pos:r.pos + 1]
    if code in _ESCAPES:
        r.pos += 1
        return _ESCAPES[code]
    found = re.compile(r"u\{([0-9a-fA-F]{1,6})\}").match(r.text, r.pos)
    if found is None:
        raise r.fail("a bad escape: use \\' \\\" \\t \\n \\r \\\\ or \\u{hex}", at)
    r.pos = found.end()
    point = int(found.group(1), 16)
    if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
        raise r.fail(f"\\u{{{found.group(1)}}} is not a Unicode scalar value", at)
    return chr(point)


def _chars(r: Reader, end: str, lines: bool = False) -> str:
    """The characters up to ``end`` (taken), escapes read; a line break is an error
    unless ``lines``."""
    out: list[str] = []
    while True:
        ch = r.text[r.pos:r.pos + 1]
        if ch == "" or (ch == "\n" and not lines):
            raise r.fail("unterminated " + ("char" if end == "'" else "string"))
        if ch == end:
            r.pos += 1
            return "".join(out)
        if ch == "\\":
            out.append(_escape(r))
        else:
            out.append(ch)
            r.pos += 1


def _char(r: Reader) -> str:
    at = r.pos
    r.expect("'", "to open a char")
    text = _chars(r, "'")
    if len(text) != 1:
        raise r.fail(f"a char is one character, got {len(text)}", at)
    return text


def _string(r: Reader) -> str:
    if r.take('"""'):
        return _block(r)
    r.expect('"', "to open a string")
    return _chars(r, '"')


def _block(r: Reader) -> str:
    """A multiline string: the closing delimiter's indentation comes off every line."""
    at = r.pos
    close = r.text.find('"""', r.pos)
    if not r.text.startswith("\n", r.pos) or close < 0:
        raise r.fail('a """ string starts with a line break and ends with """', at)
    body = r.text[r.pos + 1:close]
    r.pos = close + 3
    lines = body.split("\n")
    indent = lines[-1]
    if indent.strip(" "):
        raise r.fail('the closing """ must stand on a line of its own', at)
    sub = Reader("\n".join(line.removeprefix(indent) for line in lines[:-1]) + "\0", r.space)
    return _chars(sub, "\0", lines=True)
