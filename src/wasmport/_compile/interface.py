"""A core module's interface as data: its imports and exports with their exact types.

Read from the binary by :func:`wasmport._compile.sections.read_interface`, without
compiling; the tools (``wasmport stubs``, ``inspect``, ``compat``) work from it.  The
``text`` of each type is the form ``Module.imports``/``exports`` and LinkError show
(``func (i32, i32) -> i32``, ``memory 1..2``, ``global mut i64``, ``table 1 funcref``),
with what that form leaves out added (``table i64 ...``, ``memory 1 (page 1)``).
A component's interface will stand beside ``CoreInterface`` with ``kind = "component"``.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Any, ClassVar

#: Value types the engine's plain type queries describe (others need typenames.py).
DESCRIBABLE = frozenset(("i32", "i64", "f32", "f64", "funcref", "externref"))
WASM_PAGE_LOG2 = 16


@dataclass(frozen=True)
class Limits:
    """The size limits of a memory (in pages) or a table (in elements)."""

    min: int
    max: int | None = None

    @property
    def text(self) -> str:
        return f"{self.min}" if self.max is None else f"{self.min}..{self.max}"

    def to_json(self) -> dict[str, Any]:
        return {"min": self.min, "max": self.max}


def _results_text(results: tuple[str, ...]) -> str:
    return "nil" if not results else results[0] if len(results) == 1 else (
        f"({', '.join(results)})")


@dataclass(frozen=True)
class FuncType:
    kind: ClassVar[str] = "func"
    params: tuple[str, ...]
    results: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"func ({', '.join(self.params)}) -> {_results_text(self.results)}"

    @property
    def valtypes(self) -> tuple[str, ...]:
        return self.params + self.results

    def to_json(self) -> dict[str, Any]:
        return {"params": list(self.params), "results": list(self.results)}


@dataclass(frozen=True)
class TableType:
    kind: ClassVar[str] = "table"
    element: str
    limits: Limits
    index64: bool = False

    @property
    def text(self) -> str:
        return f"table{' i64' if self.index64 else ''} {self.limits.text} {self.element}"

    @property
    def valtypes(self) -> tuple[str, ...]:
        return (self.element,)

    def to_json(self) -> dict[str, Any]:
        return {"element": self.element, **self.limits.to_json(),
                "index": "i64" if self.index64 else "i32"}


@dataclass(frozen=True)
class MemoryType:
    kind: ClassVar[str] = "memory"
    limits: Limits
    index64: bool = False
    shared: bool = False
    page_size_log2: int = WASM_PAGE_LOG2

    @property
    def text(self) -> str:
        page = "" if self.page_size_log2 == WASM_PAGE_LOG2 else (
            f" (page {1 << self.page_size_log2})")
        return (f"memory{' i64' if self.index64 else ''} {self.limits.text}"
                f"{' shared' if self.shared else ''}{page}")

    @property
    def valtypes(self) -> tuple[str, ...]:
        return ()

    def to_json(self) -> dict[str, Any]:
        return {**self.limits.to_json(), "index": "i64" if self.index64 else "i32",
                "shared": self.shared, "page_size": 1 << self.page_size_log2}


@dataclass(frozen=True)
class GlobalType:
    kind: ClassVar[str] = "global"
    content: str
    mutable: bool

    @property
    def text(self) -> str:
        return f"global {'mut ' if self.mutable else ''}{self.content}"

    @property
    def valtypes(self) -> tuple[str, ...]:
        return (self.content,)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.content, "mutable": self.mutable}


@dataclass(frozen=True)
class TagType:
    kind: ClassVar[str] = "tag"
    params: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"tag ({', '.join(self.params)})"

    @property
    def valtypes(self) -> tuple[str, ...]:
        return self.params

    def to_json(self) -> dict[str, Any]:
        return {"params": list(self.params)}


ExternType = FuncType | TableType | MemoryType | GlobalType | TagType


def describable(ty: ExternType) -> bool:
    """Whether the engine's plain type queries describe the type (v128 and typed
    references need another query)."""
    return DESCRIBABLE.issuperset(ty.valtypes)


def type_json(ty: ExternType) -> dict[str, Any]:
    return {"kind": ty.kind, "text": ty.text, **ty.to_json()}


@dataclass(frozen=True)
class Import:
    module: str
    name: str
    type: ExternType

    @property
    def where(self) -> str:
        return f'import "{self.module}"."{self.name}"'


@dataclass(frozen=True)
class Export:
    name: str
    type: ExternType
    #: A function's parameter names from the name section ("" where it gives none).
    param_names: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f'export "{self.name}"'


@dataclass(frozen=True)
class CustomSection:
    name: str
    size: int


@dataclass(frozen=True)
class CoreInterface:
    """What a core module imports and exports, and what its binary says about itself."""

    kind: ClassVar[str] = "core"
    size: int
    imports: tuple[Import, ...]
    exports: tuple[Export, ...]
    has_start: bool = False
    custom_sections: tuple[CustomSection, ...] = ()
    #: The name section's module name, if any.
    module_name: str | None = None
    #: The producers section: field (language, processed-by, sdk) -> ((name, version), ...).
    producers: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    def export(self, name: str) -> Export | None:
        return next((e for e in self.exports if e.name == name), None)

    def param_names(self, name: str) -> tuple[str, ...]:
        """The function export's parameter names: the name section's where it gives a
        usable one, else ``p0``, ``p1``... (as ``inspect.signature`` shows them)."""
        export = self.export(name)
        if export is None or not isinstance(export.type, FuncType):
            return ()
        return usable_names(export.param_names, len(export.type.params))


def usable_names(given: tuple[str, ...], count: int) -> tuple[str, ...]:
    """``given`` where each is a distinct Python identifier, else ``p<i>``."""
    names: list[str] = []
    for i in range(count):
        name = given[i] if i < len(given) else ""
        ok = name.isidentifier() and not keyword.iskeyword(name) and name not in names
        names.append(name if ok and not name.startswith("__") else f"p{i}")
    return tuple(names) if len(set(names)) == count else tuple(f"p{i}" for i in range(count))
