"""Host value types for v128 and references: values that cross as themselves.

The engine layer converts them (a parameter arrives as the Python value a call would
return; a result is checked as a call argument would be), so lifting and lowering are
the identity here.  None of them lives in linear memory.
"""

from __future__ import annotations

from typing import Any

from .._engine.vectors import lower_v128
from .kinds import HostType


class Passed(HostType):
    """One core value of type ``core``, given to the method and taken back as it is."""

    identity = True

    def __init__(self, name: str, core: str) -> None:
        self.name = name
        self.params = self.results = (core,)

    def lift(self, memory: Any, value: Any) -> Any:
        return value

    def lower(self, memory: Any, value: Any) -> tuple[Any]:
        return (value,)


class Vector(Passed):
    """v128: an int (0 .. 2**128 - 1 as a parameter; either spelling or 16 bytes back)."""

    def lower(self, memory: Any, value: Any) -> tuple[Any]:
        return (lower_v128(value, "v128"),)

    def check_default(self, value: Any) -> None:
        lower_v128(value, "a V128 default")


V128 = Vector("V128", "v128")
EXTERNREF = Passed("Externref", "externref")
FUNCREF = Passed("Funcref", "funcref")
ANYREF = Passed("Anyref", "anyref")
EQREF = Passed("Eqref", "eqref")
EXNREF = Passed("Exnref", "exnref")
