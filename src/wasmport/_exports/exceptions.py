"""Wasm exceptions across the boundary, both ways.

Out: an exception wasm throws and no wasm code catches ends the call with a trap
("thrown Wasm exception") and stays pending in the store; :func:`raise_failure` takes it
and raises :class:`wasmport.WasmException` with its tag, payload and exnref.

In: a host function that raises ``WasmException(tag, *payload)`` (or re-raises one it
caught, with its ``exnref``) throws that exception into the wasm code that called it:
:func:`thrown_trap` makes the exception, sets it pending and returns the trap the
callback hands the engine.
"""

from __future__ import annotations

import ctypes
from typing import Any, NoReturn

from .._engine import gcrefs, vals
from .._engine.boundary import raise_boundary_error
from .._engine.refs import Rooted
from .._engine.typenames import slot
from .._engine.valtypes import func_sig
from .._errors import WasmException
from .base import context_of, raw_of
from .convert import Codec
from .gc import ExnRef, rooted_of
from .tag import Tag


def raise_failure(codec: Codec, err: BaseException, where: str) -> NoReturn:
    """Raise what a failed call into wasm means: the uncaught wasm exception, the host
    exception behind it, or a Trap (boundary.py)."""
    ctx = codec.ctx
    rooted = None if ctx.closed else gcrefs.take_exception(ctx.address)
    if rooted is None:
        raise_boundary_error(err, where)
    exnref = codec.to_python(rooted)
    tag, payload = exnref.tag, exnref.payload
    shown = ", ".join(map(repr, payload))
    frames = tuple((f.module_name, f.func_name, f.func_offset)
                   for f in (getattr(err, "frames", None) or ()))
    raise WasmException(tag, *payload, exnref=exnref, frames=frames,
                        message=f"{where}: uncaught wasm exception ({tag.type}): "
                                f"payload ({shown})") from err


def thrown_trap(codec: Codec, exc: BaseException) -> int | None:
    """The trap that throws ``exc`` into wasm, if it is a WasmException of this realm's
    tags; None for anything else (the caller then parks it as a host exception)."""
    if not isinstance(exc, WasmException):
        return None
    ctx = codec.ctx
    if isinstance(exc.exnref, ExnRef) and rooted_of(exc.exnref).store_id:
        rooted = rooted_of(exc.exnref)
    elif isinstance(exc.tag, Tag) and context_of(exc.tag) is ctx:
        rooted = _new_exception(codec, exc.tag, exc.payload)
    else:
        return None
    return gcrefs.throw(ctx.address, rooted)


def _new_exception(codec: Codec, tag: Tag, payload: tuple[Any, ...]) -> Rooted:
    ctx = codec.ctx
    params = func_sig(raw_of(tag).type(ctx.store).functype)[0]
    if len(payload) != len(params):
        raise TypeError(f"WasmException({tag!r}, ...): the tag takes {len(params)} values "
                        f"({', '.join(params)}), got {len(payload)}")
    array = (vals.VAL * max(len(params), 1))()
    temps: list[Any] = []
    try:
        for i, (text, value) in enumerate(zip(params, payload, strict=True)):
            engine = codec.to_engine(text, value, f"WasmException payload {i + 1}")
            vals.lower(ctx, slot(text), engine, array[i], temps)
        return gcrefs.new_exception(ctx.address, raw_of(tag), ctypes.addressof(array),
                                    len(params))
    finally:
        vals.release(temps)
