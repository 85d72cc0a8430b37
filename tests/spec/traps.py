"""Traps compared by kind: the spec's wording and wasmtime 50's, mapped to one kind.

The spec names the subject of some traps ("null array reference") where wasmtime gives
one code for all of them ("null reference"); a trap passes when the kind of the spec's
text is the kind of the trap wasmport raised.  wasmport's ``Trap.code`` (a
``wasmtime.TrapCode``) decides the kind; the engine's wording is the fallback for a trap
without a code, and must agree with the code when both are there.

``TABLE`` below is that table (kind -> the spec's texts, the TrapCode, wasmtime's words);
tests/README.md shows it as a table.
"""

from __future__ import annotations

import re

import wasmport

# kind -> (spec texts, TrapCode name, wasmtime wording)
TABLE: dict[str, tuple[tuple[str, ...], str, str]] = {
    "unreachable": (("unreachable",), "UNREACHABLE", "wasm `unreachable` instruction executed"),
    "div-by-zero": (("integer divide by zero",), "INTEGER_DIVISION_BY_ZERO",
                    "integer divide by zero"),
    "int-overflow": (("integer overflow",), "INTEGER_OVERFLOW", "integer overflow"),
    "bad-conversion": (("invalid conversion to integer",), "BAD_CONVERSION_TO_INTEGER",
                       "invalid conversion to integer"),
    "memory-oob": (("out of bounds memory access",), "MEMORY_OUT_OF_BOUNDS",
                   "out of bounds memory access"),
    "table-oob": (("out of bounds table access", "undefined element"), "TABLE_OUT_OF_BOUNDS",
                  "undefined element: out of bounds table access"),
    "null-table-entry": (("uninitialized element",), "INDIRECT_CALL_TO_NULL",
                         "uninitialized element"),
    "signature": (("indirect call type mismatch",), "BAD_SIGNATURE",
                  "indirect call type mismatch"),
    "null-reference": (("null reference", "null function reference",
                        "null structure reference", "null array reference",
                        "null i31 reference", "null descriptor reference"),
                       "NULL_REFERENCE", "null reference"),
    "array-oob": (("out of bounds array access",), "ARRAY_OUT_OF_BOUNDS",
                  "out of bounds array access"),
    "cast-failure": (("cast failure", "descriptor cast failure"), "CAST_FAILURE",
                     "cast failure"),
    "unaligned-atomic": (("unaligned atomic",), "HEAP_MISALIGNED", "unaligned atomic"),
    "stack-exhausted": (("call stack exhausted",), "STACK_OVERFLOW", "call stack exhausted"),
    # An uncaught wasm exception is a wasmport.WasmException (by class, not by words).
    "exception": ((), "", "uncaught wasm exception"),
}

_BY_SPEC = {text: kind for kind, (texts, _, _) in TABLE.items() for text in texts}
_BY_CODE = {code: kind for kind, (_, code, _) in TABLE.items() if code}
# "uninitialized element 2" names the table index; the kind is the same.
_INDEXED = re.compile(r"^(uninitialized element) \d+$")


class UnknownTrapText(Exception):
    """A spec trap text the table does not know (a harness gap, reported as a failure)."""


def spec_kind(text: str) -> str:
    kind = _BY_SPEC.get(_INDEXED.sub(r"\1", text))
    if kind is None:
        raise UnknownTrapText(f"no trap kind for the spec's text {text!r}: add it to traps.TABLE")
    return kind


def engine_kind(trap: wasmport.Trap) -> str | None:
    """The kind of a trap wasmport raised: by code, checked against the wording; an
    uncaught wasm exception by its class."""
    if isinstance(trap, wasmport.WasmException):
        return "exception"
    by_code = _BY_CODE.get(getattr(trap.code, "name", ""))
    by_text = next((k for k, (_, _, words) in TABLE.items() if words in str(trap)), None)
    if by_code is not None and by_text is not None and by_code != by_text:
        return None  # inconsistent: neither can be trusted
    return by_code or by_text


def check(want: str, trap: wasmport.Trap) -> str | None:
    """None when ``trap`` is of kind ``want``, else what differs."""
    got = engine_kind(trap)
    if want == got:
        return None
    code = getattr(trap.code, "name", None)
    return f"expected a trap of kind {want}, got kind {got} (code {code}): {trap}"
