"""Value types for typed host modules (see docs/host-modules.md).

Annotate the parameters and the result of a :class:`wasmport.HostModule` method with
these; a static type checker sees the Python type on the right::

    type         wasm parameter        Python value            wasm result
    Int8..Int64  i32 / i64             int (signed)            same
    Uint8..64    i32 / i64             int (unsigned)          same
    Float32/64   f32 / f64             float                   same
    V128         v128                  int (unsigned)          int or 16 bytes
    Externref    externref             any object, or None     same (by identity)
    Anyref       anyref                object, I31, Struct...  same
    Eqref        eqref                 I31, Struct, Array      same
    Funcref      funcref               wasmport.Function/None  same
    Exnref       exnref                wasmport.ExnRef/None    same
    Bool         i32                   bool (nonzero: True)    i32 0 / 1
    Bytes        (ptr i32, len i32)    bytes (a copy)          -
    String       (ptr i32, len i32)    str (strict UTF-8)      -
    Buffer       (ptr i32, len i32)    Buffer (writable view)  -
    Array[T]     (ptr i32, count i32)  Array[T] (view)         -
    Pointer[T]   ptr i32               Pointer[T] (view)       -
    None         -                     -                       no result
    Errno        -                     None or int             i32: 0, or the code
    Result[T]    -                     T                       T's results, then i32 errno

``T`` in Array/Pointer is a scalar or a struct: a dataclass whose fields are scalars or
structs, laid out as C does on wasm32 (:func:`layout`).  Every pointer and length is
checked against the calling instance's memory before the method runs.

Example::

    >>> from dataclasses import dataclass
    >>> from wasmport.types import Int64, Uint8, Uint32, layout
    >>> @dataclass
    ... class Entry:
    ...     flags: Uint8
    ...     size: Uint32
    ...     version: Int64
    >>> [(f.name, f.offset) for f in layout(Entry).fields], layout(Entry).size
    ([('flags', 0), ('size', 4), ('version', 8)], 16)
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from ._host import kinds as _kinds
from ._host import pointers as _pointers
from ._host import references as _references
from ._host import results as _results
from ._host.kinds import HostType as HostType
from ._host.memory import CallerMemory as CallerMemory
from ._host.resolve import RESULT as _RESULT
from ._host.resolve import Unsupported as _Unsupported
from ._host.resolve import resolve as _resolve
from ._host.resolve import resolve_memory as _resolve_memory
from ._host.resolve import struct_type as _struct_type
from ._host.results import ErrnoError as ErrnoError
from ._host.structs import StructField as StructField
from ._host.structs import StructLayout as StructLayout
from ._host.views import Array as Array
from ._host.views import Buffer as Buffer
from ._host.views import Pointer as Pointer

_T = TypeVar("_T")

Int8 = Annotated[int, _kinds.INT8]
Uint8 = Annotated[int, _kinds.UINT8]
Int16 = Annotated[int, _kinds.INT16]
Uint16 = Annotated[int, _kinds.UINT16]
Int32 = Annotated[int, _kinds.INT32]
Uint32 = Annotated[int, _kinds.UINT32]
Int64 = Annotated[int, _kinds.INT64]
Uint64 = Annotated[int, _kinds.UINT64]
Float32 = Annotated[float, _kinds.FLOAT32]
Float64 = Annotated[float, _kinds.FLOAT64]
Bool = Annotated[bool, _kinds.BOOL]
V128 = Annotated[int, _references.V128]
Externref = Annotated[Any, _references.EXTERNREF]
Anyref = Annotated[Any, _references.ANYREF]
Eqref = Annotated[Any, _references.EQREF]
Funcref = Annotated[Any, _references.FUNCREF]
Exnref = Annotated[Any, _references.EXNREF]
Bytes = Annotated[bytes, _pointers.BYTES]
String = Annotated[str, _pointers.STRING]

#: A result: 0 when the method returns None, else the int it returns (or raises as
#: :class:`ErrnoError`).
Errno = Annotated[int | None, _results.ERRNO]

#: ``Result[T]``: T's results and then an i32 errno (0); raising ``ErrnoError(code)``
#: gives a zero T and ``code``.  C receives it as a two-field struct (see the docs).
Result = Annotated[_T, _RESULT]


def host_type(annotation: Any) -> HostType:
    """The :class:`HostType` an annotation stands for; TypeError if it names none."""
    try:
        return _resolve(annotation)
    except _Unsupported as err:
        raise TypeError(str(err)) from None


def layout(cls: type) -> StructLayout:
    """The C layout (size, alignment, field offsets) of a struct dataclass."""
    try:
        return _struct_type(cls).layout
    except _Unsupported as err:
        raise TypeError(str(err)) from None


def sizeof(annotation: Any) -> int:
    """The size in bytes of a scalar or struct in memory (as C's ``sizeof``)."""
    try:
        found = _resolve_memory(annotation, "sizeof()'s argument")
    except _Unsupported as err:
        raise TypeError(str(err)) from None
    assert found.size is not None
    return found.size


__all__ = [
    "Anyref",
    "Array",
    "Bool",
    "Buffer",
    "Bytes",
    "CallerMemory",
    "Errno",
    "ErrnoError",
    "Eqref",
    "Exnref",
    "Externref",
    "Float32",
    "Float64",
    "Funcref",
    "HostType",
    "Int16",
    "Int32",
    "Int64",
    "Int8",
    "Pointer",
    "Result",
    "String",
    "StructField",
    "StructLayout",
    "Uint16",
    "Uint32",
    "Uint64",
    "Uint8",
    "V128",
    "host_type",
    "layout",
    "sizeof",
]
