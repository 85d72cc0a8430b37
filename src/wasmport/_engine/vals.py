"""``wasmtime_val_t`` <-> the engine layer's Python forms, for every value kind.

The forms (the layers above turn references into their public handles)::

    i32 i64        int (lowered from either spelling; lifted signed)
    f32 f64        float (f32 at the bit level: floats.py)
    v128           int in 0 .. 2**128 - 1 (lane 0 in the low bits)
    funcref        wasmtime.Func or None
    externref      the Python object it holds, a refs.Rooted (an anyref: a wasm value
                   made external), or None
    anyref         a refs.Rooted (i31, struct, array), the Python object of an
                   externref made internal, or None
    exnref         a refs.Rooted or None

Lowering takes values already checked against their type by the caller (ranges,
classes, nullability); the engine checks what only it can (concrete types).

Ownership: vals given to a call, a global or a table are *borrowed* by the engine, so
references we create for them (externrefs of Python objects) go into ``temps`` and are
unrooted by :func:`release` afterwards; vals a host function returns are *taken* by the
engine (``give=True``): roots are cloned for it and nothing is kept.
"""

from __future__ import annotations

import ctypes
from ctypes import byref
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from . import bridge, refs
from .floats import f32_bits, f32_value
from .gcrefs import is_eq
from .store import StoreContext
from .typenames import Slot

VAL = ffi.wasmtime_val_t
KINDS = {"i32": 0, "i64": 1, "f32": 2, "f64": 3, "v128": 4, "funcref": 5, "externref": 6,
         "anyref": 7, "exnref": 8}
_NAMES = {kind: name for name, kind in KINDS.items()}
_M64 = (1 << 64) - 1


def lower(sc: StoreContext, slot: Slot, value: Any, out: Any, temps: list[Any],
          give: bool = False) -> None:
    """Write ``value`` as a val of ``slot`` into ``out``."""
    kind = slot.slot
    out.kind = KINDS[kind]
    of = out.of
    if kind == "i32":
        of.i32 = value - (1 << 32) if value >= 1 << 31 else value
    elif kind == "i64":
        of.i64 = value - (1 << 64) if value >= 1 << 63 else value
    elif kind == "f32":
        bits = f32_bits(value)
        of.i32 = bits - (1 << 32) if bits >= 1 << 31 else bits
    elif kind == "f64":
        of.f64 = value
    elif kind == "v128":
        ctypes.memmove(of.v128, (value & ((1 << 128) - 1)).to_bytes(16, "little"), 16)
    elif kind == "funcref":
        of.funcref = value._func if value is not None else ffi.wasmtime_func_t()
    else:
        _lower_ref(sc, kind, value, of, temps, give)


def _lower_ref(sc: StoreContext, kind: str, value: Any, of: Any, temps: list[Any],
               give: bool) -> None:
    if value is None:
        getattr(of, kind).store_id = 0
        return
    if kind == "externref":
        made = externref_for(sc, value)
        of.externref = made
        if not give:
            temps.append(made)
        return
    rooted: Any = anyref_for(sc, value) if kind == "anyref" else value
    temps.append(rooted)  # keeps a new root alive until the val is used
    setattr(of, kind, refs.clone(kind, rooted.ref) if give else rooted.ref)


def externref_for(sc: StoreContext, value: Any) -> Any:
    """A new externref (the caller unroots it) for an engine form: a Python object, or a
    wasm value leaving as an externref (``extern.convert_any``); None for None."""
    if value is None:
        return None
    if isinstance(value, refs.Rooted):
        return bridge.externalize(sc, value)
    return refs.new_externref(sc.address, value)


def anyref_for(sc: StoreContext, value: Any) -> Any:
    """A root for an anyref engine form: itself, or a Python object entering as an
    internal externref (``any.convert_extern``); None for None."""
    if value is None or isinstance(value, refs.Rooted):
        return value
    extern = refs.new_externref(sc.address, value)
    try:
        return bridge.internalize(sc, extern)
    finally:
        refs.externref_unroot(byref(extern))


def release(temps: list[Any]) -> None:
    """Unroot the externrefs :func:`lower` made for borrowed vals."""
    for made in temps:
        if isinstance(made, ffi.wasmtime_externref_t):
            refs.externref_unroot(byref(made))
    temps.clear()


def lift(sc: StoreContext, val: Any, owned: bool) -> Any:
    """The Python form of ``val``.  ``owned``: the val is ours (a call's result, a global
    or table read), so its root is taken over or dropped; else it is lent (a host call's
    parameter) and roots are cloned."""
    kind = _NAMES.get(val.kind)
    of = val.of
    if kind == "i32":
        return int(of.i32)
    if kind == "i64":
        return int(of.i64)
    if kind == "f32":
        return f32_value(ctypes.c_uint32.from_buffer(of).value)
    if kind == "f64":
        return float(of.f64)
    if kind == "v128":
        return int.from_bytes(bytes(of.v128), "little")
    if kind == "funcref":
        func = of.funcref
        return wasmtime.Func._from_raw(type(func).from_buffer_copy(func)) if func.store_id else None
    if kind == "externref":
        return _lift_externref(sc, of.externref, owned)
    if kind in ("anyref", "exnref"):
        ref = getattr(of, kind)
        rooted = refs.owned(kind, ref) if owned else refs.borrowed(kind, ref)
        return rooted if kind == "exnref" or rooted is None else lift_anyref(sc, rooted)
    raise ValueError(f"unknown value kind {val.kind}")


def _lift_externref(sc: StoreContext, ref: Any, owned: bool) -> Any:
    if not ref.store_id:
        return None
    try:
        return externref_value(sc, ref)
    finally:
        if owned:
            refs.externref_unroot(byref(ref))


def externref_value(sc: StoreContext, ref: Any) -> Any:
    """The engine form of a non-null externref: the Python object it holds, or the wasm
    value it was made of (``any.convert_extern`` of it)."""
    found = refs.host_object(sc.address, ref)
    if found is refs.NO_DATA:
        return bridge.internalize(sc, ref)
    return found


def lift_anyref(sc: StoreContext, rooted: refs.Rooted) -> Any:
    """An anyref root as its Python form: itself, or the Python object of an externref
    made internal (the only anyrefs that are not eqrefs)."""
    if is_eq(sc.address, rooted):
        return rooted
    extern = bridge.externalize(sc, rooted)
    try:
        found = refs.host_object(sc.address, extern)
    finally:
        refs.externref_unroot(byref(extern))
    return rooted if found is refs.NO_DATA else found

