"""f32 values at the bit level: Python floats are f64, and the hardware's f32 <-> f64
conversions quiet a signalling NaN (0x7fa00000 becomes 0x7fe00000).

A NaN therefore crosses by its bits: an f32 NaN's 23-bit payload sits in the top of the
f64 payload, sign and signalling bit included, and back::

    f32  s 11111111 pppppppppppppppppppppp_p            (23 payload bits)
    f64  s 11111111111 pppppppppppppppppppppp_p 000...0  (the same 23, then 29 zeros)

so every f32 NaN survives a round trip exactly.  An f64 NaN whose top 23 payload bits
are all zero (possible only for NaNs made as f64) becomes the quiet f32 NaN of its
sign.  Any other value is converted as wasm's ``f32.demote_f64`` does: rounded to the
nearest f32 (ties to even), overflowing to an infinity.
"""

from __future__ import annotations

import struct

_F32, _U32 = struct.Struct("<f"), struct.Struct("<I")
_F64, _U64 = struct.Struct("<d"), struct.Struct("<Q")
_EXP32, _EXP64 = 0x7F80_0000, 0x7FF0_0000_0000_0000
_QUIET32 = 0x0040_0000


def f32_bits(value: float) -> int:
    """The f32 bit pattern (unsigned) a Python float stands for."""
    if value != value:
        bits = int(_U64.unpack(_F64.pack(value))[0])
        payload = (bits >> 29) & 0x7F_FFFF
        return ((bits >> 63) << 31) | _EXP32 | (payload or _QUIET32)
    try:
        return int(_U32.unpack(_F32.pack(value))[0])
    except OverflowError:  # rounds to an infinity, as f32.demote_f64 does
        return _EXP32 | (0x8000_0000 if value < 0 else 0)


def f32_value(bits: int) -> float:
    """The Python float for an f32 bit pattern (signed or unsigned)."""
    bits &= 0xFFFF_FFFF
    if bits & _EXP32 == _EXP32 and bits & 0x7F_FFFF:
        wide = ((bits >> 31) << 63) | _EXP64 | ((bits & 0x7F_FFFF) << 29)
        return float(_F64.unpack(_U64.pack(wide))[0])
    return float(_F32.unpack(_U32.pack(bits))[0])


def is_nan_bits(bits: int) -> bool:
    return bits & _EXP32 == _EXP32 and bits & 0x7F_FFFF != 0
