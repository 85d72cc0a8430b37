"""Exception tags: what a wasm module exports with ``(tag (export "e") (param i32))``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import wasmtime

from .._engine.store import StoreContext, context_for
from .._engine.typemake import tag_type
from .._engine.typenames import canonical
from .._engine.valtypes import describe
from .base import ExternValue, context_of, raw_of


class Tag(ExternValue):
    """A wasm exception tag: exported by a module, or made with ``Tag(params, realm=None)``
    (``Tag(["i32", "f64"])``) to give to imports.

    A tag identifies an exception and its payload's types; ``type`` reads like
    ``tag (i32)``.  Python raises a wasm exception of one with
    :class:`wasmport.WasmException` and catches one as it.  Two Tag objects are equal
    when they are the same tag.
    """

    def __init__(self, params: Iterable[str] = (), *, realm: Any = None) -> None:
        if isinstance(params, str):
            raise TypeError("Tag() takes a list of value types, like Tag(['i32'])")
        ctx = context_for(realm)
        texts = tuple(canonical(p) for p in params)
        self._bind(ctx, wasmtime.Tag(ctx.store, tag_type(texts)), "tag")

    @classmethod
    def _wrap(cls, ctx: StoreContext, tag: wasmtime.Tag, name: str) -> Tag:
        self = cls.__new__(cls)
        self._bind(ctx, tag, name)
        return self

    @property
    def type(self) -> str:
        return describe(self._raw.type(self._ctx.store))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Tag) and context_of(other) is self._ctx
                and bool(self._raw.eq(self._ctx.store, raw_of(other))))

    def __hash__(self) -> int:
        return hash(id(self._ctx))  # equal tags are one store's: enough to be consistent

    def __repr__(self) -> str:
        return f"<wasm tag {self.name!r} ({self.type})>"


def wrap_tag(ctx: StoreContext, tag: wasmtime.Tag, name: str) -> Tag:
    """A Tag for an engine tag (an exception's, say)."""
    return Tag._wrap(ctx, tag, name)
