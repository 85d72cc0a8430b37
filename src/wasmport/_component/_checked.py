"""Value errors found while lowering, with the path to the bad part.

A lowerer raises ``Bad``; each container around it adds its step to the path on
the way out (no cost while nothing is wrong), and the call wrapper turns it into
the TypeError or OverflowError the user sees::

    shapes.area(): parameter s: s.value.x: expected an int (s32), got str 'a'
"""

from __future__ import annotations

from typing import Any


class Bad(Exception):
    """A value that does not fit its WIT type; ``kind`` is TypeError or OverflowError."""

    def __init__(self, fact: str, kind: type[Exception] = TypeError) -> None:
        super().__init__(fact)
        self.fact = fact
        self.kind = kind
        self.path: list[str] = []

    def at(self, step: str) -> Bad:
        self.path.append(step)
        return self

    def error(self, where: str, root: str) -> Exception:
        """The exception to raise: ``where: root.path: fact``."""
        path = root + "".join(reversed(self.path))
        err = self.kind(f"{where}: {path}: {self.fact}")
        err.__cause__ = self.__cause__
        return err


def show(value: Any) -> str:
    """A short description of a wrong value for messages."""
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"
