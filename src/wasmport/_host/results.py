"""Result host types: None, Errno and Result[T], and the ErrnoError a method raises."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .kinds import HostType, Integer

if TYPE_CHECKING:
    from .memory import CallerMemory


class NoneType(HostType):
    """``-> None``: no results."""

    name = "None"
    results = ()

    def lower(self, memory: CallerMemory | None, value: Any) -> tuple[()]:
        if value is not None:
            raise TypeError("the method is declared -> None")
        return ()


class ErrnoType(HostType):
    """One ``i32`` result: 0 for success (the method returned None), else the error code."""

    name = "Errno"
    results = ("i32",)
    _i32 = Integer("Errno", 32, True)

    def lower(self, memory: CallerMemory | None, value: Any) -> tuple[int]:
        if value is None:
            return (0,)
        return self._i32.lower(memory, value)

    def error(self, code: int) -> tuple[Any, ...]:
        return (code,)


class ResultType(HostType):
    """A value and an errno: ``T``'s results followed by an ``i32`` code (0 = success)."""

    def __init__(self, value: HostType) -> None:
        assert value.results is not None
        self.value = value
        self.name = f"Result[{value.name}]"
        self.results = value.results + ("i32",)
        self.uses_memory = value.uses_memory
        self._zeros = tuple(0.0 if core[0] == "f" else 0 for core in value.results)

    def lower(self, memory: CallerMemory | None, value: Any) -> tuple[Any, ...]:
        return self.value.lower(memory, value) + (0,)

    def error(self, code: int) -> tuple[Any, ...]:
        return self._zeros + (code,)


class ErrnoError(Exception):
    """Raise it in a method declared ``-> Errno`` or ``-> Result[T]`` to return ``code``.

    The guest gets the code (and, for ``Result[T]``, a zero value); in any other method
    it is an ordinary exception that reaches the Python caller of the wasm export.
    """

    def __init__(self, code: int, message: str = "") -> None:
        if type(code) is not int or code == 0 or not -(2**31) <= code < 2**31:
            raise ValueError(f"an errno code is a nonzero i32 int, not {code!r}")
        super().__init__(code, message) if message else super().__init__(code)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"errno {self.code}" + (f": {self.message}" if self.message else "")


NONE = NoneType()
ERRNO = ErrnoType()
