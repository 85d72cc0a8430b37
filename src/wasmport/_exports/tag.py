"""Exception tags: what a wasm module exports with ``(tag (export "e") (param i32))``."""

from __future__ import annotations

import wasmtime

from .._engine.store import StoreContext
from .._engine.valtypes import describe
from .base import ExternValue


class Tag(ExternValue):
    """A wasm exception tag, exported by one module to be imported by another.

    Tags only identify exceptions thrown and caught inside wasm; from Python a tag
    is something to pass on (in ``imports``, an import map or a host module).
    ``type`` reads like ``tag (i32)``.
    """

    def __init__(self) -> None:
        raise TypeError("tags come from wasm exports; they cannot be created from Python yet")

    @classmethod
    def _wrap(cls, ctx: StoreContext, tag: wasmtime.Tag, name: str) -> Tag:
        self = cls.__new__(cls)
        self._bind(ctx, tag, name)
        return self

    @property
    def type(self) -> str:
        return describe(self._raw.type(self._ctx.store))

    def __repr__(self) -> str:
        return f"<wasm tag {self.name!r} ({self.type})>"


def wrap_tag(ctx: StoreContext, tag: wasmtime.Tag, name: str) -> Tag:
    """A Tag for an engine tag (an exception's, say)."""
    return Tag._wrap(ctx, tag, name)
