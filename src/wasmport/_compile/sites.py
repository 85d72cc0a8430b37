"""Where an import is: the importing file, ("module", "field") and the declared type."""

from __future__ import annotations

from typing import Any

from .._engine.valtypes import describe, kind_of
from .._errors import IncompatibleImportError


class Site:
    """One import of a module, for linking and for messages."""

    __slots__ = ("where", "module", "field", "ty", "opaque")

    def __init__(self, where: str, module: str, field: str, ty: Any,
                 opaque: str | None = None) -> None:
        self.where, self.module, self.field, self.ty = where, module, field, ty
        self.opaque = opaque  # the type's text when it has v128, GC or concrete types

    def __str__(self) -> str:
        return f'{self.where}: import "{self.module}"."{self.field}"'

    @property
    def kind(self) -> str:
        return kind_of(self.ty)

    def expected(self) -> str:
        """The import's type as text."""
        return f"{kind_of(self.ty)} {self.opaque}" if self.opaque else describe(self.ty)

    def incompatible(self, found: str, remedy: str) -> IncompatibleImportError:
        expected = self.expected()
        return IncompatibleImportError(
            f"{self}: expected {expected}, found {found}; {remedy}", path=self.where,
            module=self.module, field=self.field, expected=expected, found=found)
