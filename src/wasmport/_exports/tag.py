"""Exception tags: what a wasm module exports with ``(tag (export "e") (param i32))``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import wasmtime

if TYPE_CHECKING:
    from .._realm import Realm


class Tag:
    """A wasm exception tag, exported by one module to be imported by another.

    Tags only identify exceptions thrown and caught inside wasm; from Python a tag
    is something to pass on (in ``imports``, an import map or a host module).
    ``type`` reads like ``tag (i32)``.
    """

    _realm: Realm
    _tag: wasmtime.Tag
    name: str

    def __init__(self) -> None:
        raise TypeError("tags come from wasm exports; they cannot be created from Python yet")

    @classmethod
    def _wrap(cls, realm: Realm, tag: wasmtime.Tag, name: str) -> Tag:
        self = cls.__new__(cls)
        self._realm, self._tag, self.name = realm, tag, name
        return self

    @property
    def type(self) -> str:
        from .._engine.valtypes import describe

        return describe(self._tag.type(self._realm.store))

    def __repr__(self) -> str:
        return f"<wasm tag {self.name!r} ({self.type})>"
