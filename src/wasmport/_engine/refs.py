"""References across the boundary: Python objects as externrefs, and rooted GC references.

A Python object crosses into wasm as a new engine ``externref`` whose data is a key in
:data:`HOST_OBJECTS`; the engine calls :data:`FINALIZER` when it collects that externref,
which drops the key, so an object lives exactly as long as wasm holds it (or Python
does).  Coming back, the key gives the very same object.  An externref that holds no
such key (``extern.convert_any`` of a wasm value) is not host data: see bridge.py.

Every other reference the host keeps (anyref and its subtypes, exnref) is a
:class:`Rooted`: the engine's owned root (``wasmtime_anyref_t`` / ``wasmtime_exnref_t``,
an ``OwnedRooted`` underneath), unrooted when the Rooted is collected.  Unrooting only
drops a reference count, so it is safe from any thread and after the store is gone.

Raw slots (the fast path) carry references as numbers: a u32 for anyref, externref and
exnref (``*_to_raw``/``*_from_raw``), a pointer for funcref.  A raw number is only valid
until the next garbage collection unless something roots the reference, so callers
convert results at once and keep their argument roots until the call returns.

Every function takes the store's context address (``capi.context_address``).
"""

from __future__ import annotations

import ctypes
import itertools
from ctypes import CFUNCTYPE, POINTER, byref, c_bool, c_size_t, c_uint32, c_void_p
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from .capi import PYDLL

EXTERN, ANY, EXN = ffi.wasmtime_externref_t, ffi.wasmtime_anyref_t, ffi.wasmtime_exnref_t


def proto(name: str, restype: Any, *argtypes: Any) -> Any:
    """A prototype of our own over the GIL-keeping handle."""
    func = PYDLL[name]  # a function object of our own: others set other prototypes
    func.restype, func.argtypes = restype, list(argtypes)
    return func


FINALIZER_TYPE = CFUNCTYPE(None, c_size_t)
externref_new = proto("wasmtime_externref_new", c_bool, c_size_t, c_size_t, FINALIZER_TYPE,
                       POINTER(EXTERN))
externref_data = proto("wasmtime_externref_data", c_size_t, c_size_t, POINTER(EXTERN))
externref_unroot = proto("wasmtime_externref_unroot", None, POINTER(EXTERN))
externref_to_raw = proto("wasmtime_externref_to_raw", c_uint32, c_size_t, POINTER(EXTERN))
externref_from_raw = proto("wasmtime_externref_from_raw", None, c_size_t, c_uint32,
                            POINTER(EXTERN))
anyref_to_raw = proto("wasmtime_anyref_to_raw", c_uint32, c_size_t, POINTER(ANY))
anyref_from_raw = proto("wasmtime_anyref_from_raw", None, c_size_t, c_uint32, POINTER(ANY))
anyref_clone = proto("wasmtime_anyref_clone", None, POINTER(ANY), POINTER(ANY))
anyref_unroot = proto("wasmtime_anyref_unroot", None, POINTER(ANY))
anyref_from_i31 = proto("wasmtime_anyref_from_i31", None, c_size_t, c_uint32, POINTER(ANY))
exnref_to_raw = proto("wasmtime_exnref_to_raw", c_uint32, c_size_t, POINTER(EXN))
exnref_from_raw = proto("wasmtime_exnref_from_raw", None, c_size_t, c_uint32, POINTER(EXN))
exnref_clone = proto("wasmtime_exnref_clone", None, POINTER(EXN), POINTER(EXN))
exnref_unroot = proto("wasmtime_exnref_unroot", None, POINTER(EXN))
func_to_raw = proto("wasmtime_func_to_raw", c_size_t, c_size_t, POINTER(ffi.wasmtime_func_t))
func_from_raw = proto("wasmtime_func_from_raw", None, c_size_t, c_size_t,
                       POINTER(ffi.wasmtime_func_t))

# -- Python objects as externrefs ---------------------------------------------------------

#: key -> the Python object an engine externref holds (one key per engine externref).
HOST_OBJECTS: dict[int, Any] = {}
_keys = itertools.count(1)


def _release(key: int) -> None:
    try:
        HOST_OBJECTS.pop(key, None)
    except BaseException:  # noqa: S110 - interpreter teardown: nothing left to release
        pass


FINALIZER = FINALIZER_TYPE(_release)
# The engine may collect an externref late in interpreter shutdown, after this module's
# globals are gone; it would then call a freed libffi closure.  Never free this one.
ctypes.pythonapi.Py_IncRef(ctypes.py_object(FINALIZER))


def new_externref(ctx: int, obj: Any) -> Any:
    """A new rooted externref holding ``obj`` (the caller unroots it)."""
    key = next(_keys)
    HOST_OBJECTS[key] = obj
    out = EXTERN()
    if not externref_new(ctx, key, FINALIZER, byref(out)):
        HOST_OBJECTS.pop(key, None)
        raise MemoryError("the engine could not allocate an externref")
    return out


_NO_DATA = object()


def host_object(ctx: int, ref: Any) -> Any:
    """The Python object a non-null externref holds, or :data:`NO_DATA` when it holds a
    wasm value instead (``extern.convert_any``)."""
    key = externref_data(ctx, byref(ref))
    return HOST_OBJECTS.get(key, _NO_DATA) if key else _NO_DATA


NO_DATA = _NO_DATA


def externref_of_raw(ctx: int, raw: int) -> Any:
    """A rooted externref from a raw slot value (None for 0); the caller unroots it."""
    if not raw:
        return None
    out = EXTERN()
    externref_from_raw(ctx, raw, byref(out))
    return out if out.store_id else None


def externref_raw(ctx: int, ref: Any) -> int:
    """The raw slot number of an externref (0 for None)."""
    return 0 if ref is None else int(externref_to_raw(ctx, byref(ref)))


def drop_externref(ref: Any) -> None:
    if ref is not None:
        externref_unroot(byref(ref))


def func_raw(ctx: int, func: wasmtime.Func | None) -> int:
    """The raw slot number of a function (0 for None)."""
    return 0 if func is None else int(func_to_raw(ctx, byref(func._func)))


def func_of_raw(ctx: int, raw: int) -> wasmtime.Func | None:
    if not raw:  # wasmtime_func_from_raw panics on a null
        return None
    out = ffi.wasmtime_func_t()
    func_from_raw(ctx, raw, byref(out))
    return wasmtime.Func._from_raw(out)


# -- rooted GC references -----------------------------------------------------------------

_UNROOT = {"anyref": anyref_unroot, "exnref": exnref_unroot}
_TO_RAW = {"anyref": anyref_to_raw, "exnref": exnref_to_raw}
_FROM_RAW = {"anyref": (ANY, anyref_from_raw), "exnref": (EXN, exnref_from_raw)}


class Rooted:
    """One engine root of an anyref (or subtype) or exnref, unrooted on collection.

    ``ref`` is the C API's struct (``wasmtime_anyref_t`` / ``wasmtime_exnref_t``),
    ``kind`` its value kind, ``store_id`` the store it belongs to.
    """

    __slots__ = ("kind", "ref", "__weakref__")

    def __init__(self, kind: str, ref: Any) -> None:
        self.kind, self.ref = kind, ref

    @property
    def store_id(self) -> int:
        return int(self.ref.store_id)

    def raw(self, ctx: int) -> int:
        """The raw u32 for a slot; valid while this root lives, until a collection."""
        return int(_TO_RAW[self.kind](ctx, byref(self.ref)))

    def __del__(self) -> None:
        try:
            _UNROOT[self.kind](byref(self.ref))
        except BaseException:  # noqa: S110 - interpreter teardown: the library is gone
            pass


def rooted_of_raw(ctx: int, kind: str, raw: int) -> Rooted | None:
    """The reference in a raw slot (``kind``: anyref or exnref) as a new root; None for
    null."""
    if not raw:
        return None
    cls, from_raw = _FROM_RAW[kind]
    out = cls()
    from_raw(ctx, raw, byref(out))
    return Rooted(kind, out) if out.store_id else None


def owned(kind: str, ref: Any) -> Rooted | None:
    """Take ownership of a reference the engine gave us (None for null)."""
    if not ref.store_id:
        return None
    copy = type(ref).from_buffer_copy(ref)
    return Rooted(kind, copy)


def clone(kind: str, ref: Any) -> Any:
    """A new root of the same reference, as the C API's struct (whoever gets it owns it:
    the engine, for a host function's result)."""
    out = type(ref)()
    (anyref_clone if kind == "anyref" else exnref_clone)(byref(ref), byref(out))
    return out


def borrowed(kind: str, ref: Any) -> Rooted | None:
    """A root of our own for a reference the engine lends us (a host call's parameter)."""
    if not ref.store_id:
        return None
    return Rooted(kind, clone(kind, ref))


def i31(ctx: int, value: int) -> Rooted:
    """An i31ref of ``value`` (its low 31 bits); i31s need no unrooting, but are Rooted
    like the others so every anyref has one form."""
    out = ANY()
    anyref_from_i31(ctx, value & 0x7FFF_FFFF, byref(out))
    return Rooted("anyref", out)


# -- the same, for the fast path's raw slots ------------------------------------------------


def _untyped(name: str, restype: Any) -> Any:
    func: Any = PYDLL[name]
    func.restype, func.argtypes = restype, None  # ctypes objects only: no conversion
    return func


_new_u = _untyped("wasmtime_externref_new", c_bool)
_data_u = _untyped("wasmtime_externref_data", c_size_t)
_unroot_u = _untyped("wasmtime_externref_unroot", None)
_to_raw_u = _untyped("wasmtime_externref_to_raw", c_uint32)
_from_raw_u = _untyped("wasmtime_externref_from_raw", None)


class RawExterns:
    """The externref steps of one store's raw slots, with prototypes that convert nothing
    (each C call costs about half as much): bound to the store's context pointer, so
    only for calls into a store that is open (the fast path checks it first)."""

    __slots__ = ("_ctx",)

    def __init__(self, ctx: int) -> None:
        self._ctx = c_void_p(ctx)

    def new(self, obj: Any) -> Any:
        key = next(_keys)
        HOST_OBJECTS[key] = obj
        out = EXTERN()
        if not _new_u(self._ctx, c_size_t(key), FINALIZER, byref(out)):
            HOST_OBJECTS.pop(key, None)
            raise MemoryError("the engine could not allocate an externref")
        return out

    def raw(self, ref: Any) -> int:
        return 0 if ref is None else int(_to_raw_u(self._ctx, byref(ref)))

    def of_raw(self, raw: int) -> Any:
        if not raw:
            return None
        out = EXTERN()
        _from_raw_u(self._ctx, c_uint32(raw), byref(out))
        return out if out.store_id else None

    def host_object(self, ref: Any) -> Any:
        """As :func:`host_object`."""
        key = _data_u(self._ctx, byref(ref))
        return HOST_OBJECTS.get(key, _NO_DATA) if key else _NO_DATA

    @staticmethod
    def drop(ref: Any) -> None:
        if ref is not None:
            _unroot_u(byref(ref))
