"""The exports of a module that is compiled but not instantiated: what a dry run links to.

``wasmport check`` resolves imports as a realm would, but instantiates nothing, since
instantiating runs the start function.  Its load callback therefore gives the resolver an
:class:`ExportTypes` (each export's declared type) where the realm's gives an
instance-phase module; the providers look fields up in it as in any mapping, and
``values.check_extern`` matches each :class:`Declared` by the rules and words it uses
for live values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._compile.module import Module, compiled_of, opaque_export
from .._engine.valtypes import describe, kind_of


class Declared:
    """One export as declared: where, its name, its engine type (and its text when the
    engine cannot describe it, see sigscan.py)."""

    __slots__ = ("where", "name", "ty", "opaque")

    def __init__(self, where: str, name: str, ty: Any, opaque: str | None) -> None:
        self.where, self.name, self.ty, self.opaque = where, name, ty, opaque

    @property
    def kind(self) -> str:
        return kind_of(self.ty)

    @property
    def type(self) -> str:
        """The type as error messages show it (as ``Function.type`` and the others do)."""
        return f"{self.kind} {self.opaque}" if self.opaque else describe(self.ty)


class ExportTypes(Mapping[str, Declared]):
    """A compiled module's exports by name, and ``failure``: the first error linking the
    module itself would raise (its own imports), or None."""

    def __init__(self, module: Module, failure: Exception | None = None) -> None:
        self.where = module.where
        self.failure = failure
        self._exports = {e.name: Declared(module.where, e.name, e.type,
                                          opaque_export(module, e.name))
                         for e in compiled_of(module).exports}

    def __getitem__(self, name: str) -> Declared:
        return self._exports[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._exports)

    def __len__(self) -> int:
        return len(self._exports)

    def __repr__(self) -> str:
        return f"<export types of {self.where}>"
