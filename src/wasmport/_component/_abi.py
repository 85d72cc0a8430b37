"""Facts of the value ABI shared by the converters: value kinds, integer ranges, and
where CPython keeps a bytes object's data (so a string argument needs no copy)."""

from __future__ import annotations

import ctypes
import struct

# wasmtime_component_valkind_t
KIND = {"bool": 0, "s8": 1, "u8": 2, "s16": 3, "u16": 4, "s32": 5, "u32": 6, "s64": 7,
        "u64": 8, "f32": 9, "f64": 10, "char": 11, "string": 12}
LIST, RECORD, TUPLE, VARIANT, ENUM, OPTION, RESULT, FLAGS, RESOURCE = range(13, 22)

INT_RANGES = {"s8": (-(2**7), 2**7 - 1), "u8": (0, 2**8 - 1), "s16": (-(2**15), 2**15 - 1),
              "u16": (0, 2**16 - 1), "s32": (-(2**31), 2**31 - 1), "u32": (0, 2**32 - 1),
              "s64": (-(2**63), 2**63 - 1), "u64": (0, 2**64 - 1)}
_FORMATS = {"s8": "b", "u8": "B", "s16": "h", "u16": "H", "s32": "i", "u32": "I",
            "s64": "q", "u64": "Q", "f32": "f", "f64": "d", "bool": "?", "char": "I"}
PACKERS = {name: struct.Struct(f"<B7x{code}").pack_into for name, code in _FORMATS.items()}
F32_MAX = 3.4028234663852886e38

# Where a bytes object keeps its data: a CPython fact, checked here once.
BYTES_DATA = bytes.__basicsize__ - 1
_probe = b"wasmport"
if ctypes.string_at(id(_probe) + BYTES_DATA, len(_probe)) != _probe:  # pragma: no cover
    raise ImportError("wasmport: cannot locate the data of a bytes object")


def data_address(data: bytes) -> int:
    """The address of an exact ``bytes`` object's data (valid while it lives)."""
    return id(data) + BYTES_DATA


# All of the address space as one memoryview: values the engine made are read (and
# host results written) at the addresses it gives, with struct and slicing and no
# ctypes call per access.  Nothing is touched but at those addresses; the same trust
# as ``ctypes.string_at``, a third of the cost.
MEM = memoryview((ctypes.c_char * (1 << 47)).from_address(0)).cast("B")
