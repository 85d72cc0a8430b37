"""Every value type as text, read through the one C API query that never aborts.

wasm.h's ``wasm_valtype_kind`` aborts the process (a Rust panic) for v128 and for every
reference type but ``funcref`` and ``externref``; wasmtime's ``wasmtime_valtype_new``
describes any value type (kind, nullability, heap type, the concrete type behind it).
So types are only ever read here, and shown as the text format shows them::

    i32 i64 f32 f64 v128                    numbers and vectors
    funcref externref anyref eqref i31ref   nullable abstract references (and structref,
    structref arrayref exnref nullref ...   arrayref, exnref, nullref, nullfuncref, ...)
    (ref func) (ref extern) (ref any) ...   non-nullable abstract references
    (ref null (func (i32) -> i32))          concrete types, spelt out (one level deep;
    (ref (struct i32 (mut i64)))            a concrete type inside one is ``(ref $struct)``)

:func:`slot` reads such a text back into what a value of the type needs to cross.
(The contref types of stack switching would still abort; no engine here enables that
proposal, and _compile/sigscan.py keeps such modules away from these queries.)
"""

from __future__ import annotations

import ctypes
import functools
from ctypes import POINTER, byref, c_bool, c_size_t
from dataclasses import dataclass
from typing import Any

from wasmtime import _ffi as ffi

from .capi import PYDLL


def _proto(name: str, restype: Any, argtypes: list[Any]) -> Any:
    func = PYDLL[name]  # a function object of our own: others set other prototypes
    func.restype, func.argtypes = restype, argtypes
    return func


_valtype_new = _proto("wasmtime_valtype_new", None,
                      [c_size_t, POINTER(ffi.wasmtime_valtype_t)])
_valtype_delete = _proto("wasmtime_valtype_delete", None, [POINTER(ffi.wasmtime_valtype_t)])
_struct_fields = _proto("wasmtime_struct_type_num_fields", c_size_t, [c_size_t])
_struct_field = _proto("wasmtime_struct_type_field", c_bool,
                       [c_size_t, c_size_t, POINTER(ffi.wasmtime_field_type_t)])
_field_delete = _proto("wasmtime_field_type_delete", None, [POINTER(ffi.wasmtime_field_type_t)])
_array_element = _proto("wasmtime_array_type_element", None,
                        [c_size_t, POINTER(ffi.wasmtime_field_type_t)])
_functype_params = _proto("wasm_functype_params", c_size_t, [c_size_t])
_functype_results = _proto("wasm_functype_results", c_size_t, [c_size_t])
_exn_tagtype = _proto("wasmtime_exn_type_tag_type", c_size_t, [c_size_t])
_tagtype_functype = _proto("wasm_tagtype_functype", c_size_t, [c_size_t])
_tagtype_delete = _proto("wasm_tagtype_delete", None, [c_size_t])

NUMBERS = ("i32", "i64", "f32", "f64", "v128")
# wasmtime_heaptype_kind_t -> (abstract name, nullable shorthand); concrete kinds: None.
HEAPS = {0: ("extern", "externref"), 1: ("noextern", "nullexternref"),
          2: ("func", "funcref"), 4: ("nofunc", "nullfuncref"), 5: ("any", "anyref"),
          6: ("none", "nullref"), 7: ("eq", "eqref"), 8: ("i31", "i31ref"),
          9: ("array", "arrayref"), 11: ("struct", "structref"), 13: ("exn", "exnref"),
          15: ("noexn", "nullexnref")}
_CONCRETE_FUNC, _CONCRETE_ARRAY, _CONCRETE_STRUCT, _CONCRETE_EXN = 3, 10, 12, 14


def name_at(valtype: int, depth: int = 0) -> str:
    """The text of the ``wasm_valtype_t*`` at address ``valtype``."""
    out: Any = ffi.wasmtime_valtype_t()
    _valtype_new(valtype, byref(out))
    try:
        if out.kind < 5:
            return NUMBERS[out.kind]
        return _reftype(out.reftype, depth)
    finally:
        _valtype_delete(byref(out))


def names_of_vec(vec: int, depth: int = 0) -> tuple[str, ...]:
    """The texts of a ``wasm_valtype_vec_t*``."""
    size, data = (c_size_t * 2).from_address(vec)
    if not size:
        return ()
    return tuple(name_at(vt, depth) for vt in (c_size_t * size).from_address(data))


def functype_names(functype: int, depth: int = 0) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(params, results) of a ``wasm_functype_t*``."""
    return (names_of_vec(_functype_params(functype), depth),
            names_of_vec(_functype_results(functype), depth))


def _reftype(ref: Any, depth: int) -> str:
    heap = ref.heaptype
    known = HEAPS.get(heap.kind)
    if known is not None:
        return known[1] if ref.nullable else f"(ref {known[0]})"
    null = "null " if ref.nullable else ""
    address = ctypes.cast(heap.of.concrete_func, ctypes.c_void_p).value or 0
    return f"(ref {null}{_concrete(heap.kind, address, depth)})"


def _concrete(kind: int, address: int, depth: int) -> str:
    word = {_CONCRETE_FUNC: "func", _CONCRETE_ARRAY: "array", _CONCRETE_STRUCT: "struct",
            _CONCRETE_EXN: "exn"}[kind]
    if depth > 0:
        return f"${word}"
    if kind == _CONCRETE_FUNC:
        return f"(func {signature_text(*functype_names(address, 1))})"
    if kind == _CONCRETE_EXN:
        tagtype = _exn_tagtype(address)
        try:
            params = functype_names(_tagtype_functype(tagtype), 1)[0]
        finally:
            _tagtype_delete(tagtype)
        return f"(exn ({', '.join(params)}))"
    if kind == _CONCRETE_ARRAY:
        return f"(array {_shown(array_element_type(address))})"
    fields = struct_field_types(address)
    return "(struct" + "".join(f" {_shown(f)}" for f in fields) + ")"


def _shown(field: tuple[str, bool]) -> str:
    return f"(mut {field[0]})" if field[1] else field[0]


def struct_field_types(struct_type: int) -> tuple[tuple[str, bool], ...]:
    """Each field of a ``wasmtime_struct_type_t*``: (storage type text, mutable); the
    packed storage types are ``i8`` and ``i16``."""
    return tuple(_field(struct_type, i) for i in range(_struct_fields(struct_type)))


def array_element_type(array_type: int) -> tuple[str, bool]:
    """The element of a ``wasmtime_array_type_t*``: (storage type text, mutable)."""
    return _field(array_type, None)


def _field(type_address: int, index: int | None) -> tuple[str, bool]:
    field: Any = ffi.wasmtime_field_type_t()
    if index is None:
        _array_element(type_address, byref(field))
    else:
        _struct_field(type_address, index, byref(field))
    try:
        storage = field.storage
        text = ("i8", "i16")[storage.kind] if storage.kind < 2 else name_at(
            ctypes.cast(storage.valtype, ctypes.c_void_p).value or 0, 1)
        return text, bool(field.mutable_)
    finally:
        _field_delete(byref(field))


def signature_text(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    """``(i32, i32) -> i32`` in the text format's words (``nil``: no result)."""
    res = "nil" if not results else results[0] if len(results) == 1 else (
        f"({', '.join(results)})")
    return f"({', '.join(params)}) -> {res}"


def parse_signature(signature: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``"func (i32, externref) -> (f64, i32)"`` (``func`` optional; ``nil`` or nothing
    after ``->``: no result) or a ``(params, results)`` pair, as two tuples of checked
    type texts; ValueError/TypeError naming what is wrong."""
    if isinstance(signature, tuple) and len(signature) == 2:
        params, results = (tuple(part) for part in signature)
    elif isinstance(signature, str):
        params, results = _parse_text(signature)
    else:
        raise TypeError(f"a signature is a text like 'func (i32) -> i32' or a (params, "
                        f"results) pair, not {type(signature).__name__}")
    return tuple(map(canonical, params)), tuple(map(canonical, results))


def canonical(text: str) -> str:
    """A value type's text as the engine shows it: ``(ref null extern)`` is
    ``externref``; ValueError for a name that is no value type."""
    found = slot(" ".join(str(text).split()))
    if not found.is_ref or found.concrete:
        return " ".join(str(text).split())
    short = _SHORTHAND_OF.get(found.heap)
    return short if found.nullable and short else f"(ref {found.heap})"


def _parse_text(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    body = text.strip().removeprefix("func").strip()
    left, arrow, right = body.partition("->")
    right = right.strip()
    if not arrow or not left.strip().startswith("(") or not left.strip().endswith(")"):
        raise ValueError(f"signature {text!r}: expected '(params) -> results', like "
                         "'func (i32, i32) -> i32'")
    params = _split(left.strip()[1:-1])
    if right in ("", "nil", "()"):
        return params, ()
    if right.startswith("(") and not right.startswith("(ref "):
        return params, _split(right[1:-1])
    return params, (right,)


def _split(items: str) -> tuple[str, ...]:
    out, depth, start = [], 0, 0
    for i, char in enumerate(items + ","):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            if items[start:i].strip():
                out.append(" ".join(items[start:i].split()))
            start = i + 1
    return tuple(out)


# -- reading a text back --------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """What a value of one type needs to cross: its ``slot`` (``i32`` ... ``v128``,
    ``funcref``, ``externref``, ``anyref``, ``exnref``: the C API's value kinds), whether
    it may be null, its heap type (``func``, ``eq``, ``struct``...; the kind of a
    concrete type) and whether that heap type is concrete (the engine checks those)."""

    slot: str
    nullable: bool = False
    heap: str = ""
    concrete: bool = False

    @property
    def is_ref(self) -> bool:
        return bool(self.heap)


_SLOT_OF_HEAP = {"func": "funcref", "nofunc": "funcref", "extern": "externref",
                 "noextern": "externref", "exn": "exnref", "noexn": "exnref",
                 "any": "anyref", "none": "anyref", "eq": "anyref", "i31": "anyref",
                 "struct": "anyref", "array": "anyref"}
_SHORTHANDS = {short: heap for heap, short in HEAPS.values()}
_SHORTHAND_OF = dict(HEAPS.values())


@functools.cache
def slot(text: str) -> Slot:
    """The :class:`Slot` of a type text made here; ValueError for anything else."""
    if text in NUMBERS:
        return Slot(text)
    heap = _SHORTHANDS.get(text)
    if heap is not None:
        return Slot(_SLOT_OF_HEAP[heap], True, heap)
    if text.startswith("(ref ") and text.endswith(")"):
        inner = text[5:-1]
        nullable = inner.startswith("null ")
        inner = inner.removeprefix("null ")
        if inner in _SLOT_OF_HEAP:
            return Slot(_SLOT_OF_HEAP[inner], nullable, inner)
        word = inner.lstrip("($").split(" ", 1)[0].rstrip(")")
        if word in ("func", "struct", "array", "exn"):
            return Slot(_SLOT_OF_HEAP[word], nullable, word, concrete=True)
    raise ValueError(f"unknown value type {text!r}")

