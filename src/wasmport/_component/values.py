"""The values of WIT ``option`` and ``result`` types that need a wrapper in Python.

``option<T>`` is ``T | None``; only a nested option (``option<option<T>>``) needs
``Some`` to tell ``Some(None)`` from ``None``.  A function whose WIT result is a
``result<T, E>`` returns T or raises ``Err(e)``; a ``result`` anywhere else (in a
list, a record, ...) is an ``Ok(value)`` or an ``Err(value)``.  The same names a
componentize-py guest author uses.

>>> Some(None) == Some(None), Ok(3).value
(True, 3)
>>> try:
...     raise Err("division by zero")
... except Err as err:
...     err.value
'division by zero'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar, Union

T = TypeVar("T")
E = TypeVar("E")


@dataclass(frozen=True)
class Some(Generic[T]):
    """The present case of a nested ``option``."""

    value: T


@dataclass(frozen=True)
class Ok(Generic[T]):
    """The success case of a ``result`` value."""

    value: T


class Err(Exception, Generic[E]):
    """The error case of a ``result``: raised by functions, a plain value elsewhere."""

    def __init__(self, value: E) -> None:
        super().__init__(value)
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.value == self.value

    def __hash__(self) -> int:
        return hash((Err, self.value))

    def __repr__(self) -> str:
        return f"Err({self.value!r})"

    def __str__(self) -> str:
        return f"Err({self.value!r})"


Result = Union[Ok[T], Err[E]]  # noqa: UP007  (a generic alias: subscriptable on 3.10)

__all__ = ["Err", "Ok", "Result", "Some"]
