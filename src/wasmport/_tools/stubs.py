"""``.pyi`` stubs for the instance phase of a core module: what ``import foo`` gives.

The stub says what the runtime does (docs/cli.md, "wasmport stubs"):

    export                        stub
    func (i32, f64) -> i64        def f(a: int, b: float, /) -> int: ...
    func () -> (i32, i32)         def g() -> tuple[int, int]: ...
    global i32 (immutable)        NAME: Final[int]
    global mut i64                name: int            (read live on each access)
    memory / table / tag          name: Final[wasmport.Memory]   (Table, Tag)
    v128                          int (0 .. 2**128 - 1)
    funcref / externref value     wasmport.Function | None / object
    i31ref, structref, arrayref   wasmport.I31 / Struct / Array (| None when nullable)
    exnref                        wasmport.ExnRef | None
    other references              object (anyref, eqref, a module's own types)

Parameter names come from the name section, as ``inspect.signature`` shows them.
``__all__`` is the runtime's: identifiers not starting with ``_``.  Exports whose names
are not usable as Python names are listed in a comment and typed through a module
``__getattr__``.  The header records the module's sha256, so ``--check`` can tell a
stale stub.
"""

from __future__ import annotations

import json
import keyword

from .._compile.interface import (
    CoreInterface,
    Export,
    FuncType,
    GlobalType,
)
from .._version import __version__

_SCALARS = {"i32": "int", "i64": "int", "f32": "float", "f64": "float", "v128": "int"}
#: Abstract reference heap types with a wasmport class of their own.
_HANDLES = {"func": "Function", "i31": "I31", "struct": "Struct", "array": "Array",
            "exn": "ExnRef"}
_WRAPPERS = {"memory": "Memory", "table": "Table", "tag": "Tag"}
#: Names a stub itself uses; an export with one of them makes the stub import an alias.
_BUILTINS = ("int", "float", "object", "tuple", "str")


def is_python_name(name: str) -> bool:
    """Whether ``module.name`` can be written: an identifier, no keyword, no dunder
    (the import system's own ``__name__``, ``__file__``... win at run time)."""
    dunder = name.startswith("__") and name.endswith("__")
    return name.isidentifier() and not keyword.iskeyword(name) and not dunder


def runtime_all(iface: CoreInterface) -> list[str]:
    """The instance-phase module's ``__all__``: what ``from foo import *`` binds."""
    return sorted(e.name for e in iface.exports if is_python_name(e.name)
                  and not e.name.startswith("_"))


class _Names:
    """How the stub spells the names it needs (out of the exports' way), and which
    imports it therefore needs."""

    def __init__(self, exports: set[str]) -> None:
        self.taken = exports
        self.used: set[str] = set()
        self._wasmport = self._free("wasmport")
        self._final = self._free("Final")
        self._builtins = self._free("_builtins") if self.taken & set(_BUILTINS) else None

    def _free(self, name: str) -> str:
        alias = name
        while alias in self.taken:
            alias = "_" + alias
        return alias

    def wasmport(self, name: str) -> str:
        self.used.add("wasmport")
        return f"{self._wasmport}.{name}"

    def final(self, inner: str) -> str:
        self.used.add("Final")
        return f"{self._final}[{inner}]"

    def builtin(self, name: str) -> str:
        return name if self._builtins is None else f"{self._builtins}.{name}"

    def value(self, vt: str) -> str:
        if vt in _SCALARS:
            return self.builtin(_SCALARS[vt])
        heap, nullable = _heap_of(vt)
        handle = _HANDLES.get(heap)
        if handle is None:
            return self.builtin("object")  # externref, anyref, eqref, concrete types
        return self.wasmport(handle) + (" | None" if nullable else "")

    def results(self, results: tuple[str, ...]) -> str:
        if not results:
            return "None"
        shown = [self.value(vt) for vt in results]
        return shown[0] if len(shown) == 1 else f"{self.builtin('tuple')}[{', '.join(shown)}]"

    def imports(self) -> list[str]:
        lines = []
        if "Final" in self.used:
            alias = "" if self._final == "Final" else f" as {self._final}"
            lines += [f"from typing import Final{alias}", ""]
        if self._builtins is not None:
            lines.append(f"import builtins as {self._builtins}")
        if "wasmport" in self.used:
            alias = "" if self._wasmport == "wasmport" else f" as {self._wasmport}"
            lines.append(f"import wasmport{alias}")
        return [*lines, ""] if lines else []


def _heap_of(vt: str) -> tuple[str, bool]:
    """("func", True) for ``funcref``, ("i31", False) for ``(ref i31)``; a concrete
    type's heap (``$0``) is its index text."""
    if vt.endswith("ref") and not vt.startswith("("):
        return vt[:-3], True
    words = vt.strip("()").split()
    nullable = len(words) > 1 and words[1] == "null"
    return (words[-1] if words else vt), nullable


def _declaration(export: Export, params: tuple[str, ...], n: _Names) -> str:
    ty = export.type
    if isinstance(ty, FuncType):
        args = [f"{name}: {n.value(vt)}" for name, vt in zip(params, ty.params, strict=True)]
        slash = ", /" if args else ""
        return f"def {export.name}({', '.join(args)}{slash}) -> {n.results(ty.results)}: ..."
    if isinstance(ty, GlobalType):
        if ty.mutable:
            return f"{export.name}: {n.value(ty.content)}  # {ty.text}: read live"
        return f"{export.name}: {n.final(n.value(ty.content))}"
    return f"{export.name}: {n.final(n.wasmport(_WRAPPERS[ty.kind]))}  # {ty.text}"


def header(source: str, sha256: str) -> list[str]:
    """The same whichever way the stub was asked for, so --check compares like with like."""
    return [f"# Stub of the WebAssembly module {source}, written by wasmport {__version__}.",
            "# Do not edit: regenerate with `wasmport stubs`; `wasmport stubs --check` "
            "tells a stale stub.",
            f"# sha256: {sha256}"]


def _all(names: list[str]) -> list[str]:
    one_line = f"__all__ = {json.dumps(names)}"
    if len(one_line) <= 88:
        return [one_line]
    return ["__all__ = [", *(f"    {json.dumps(name)}," for name in names), "]"]


def render(iface: CoreInterface, *, source: str, sha256: str) -> str:
    """The stub's text for a module read from ``source`` (a file name, for the header)."""
    usable = [e for e in iface.exports if is_python_name(e.name)]
    odd = [e for e in iface.exports if not is_python_name(e.name)]
    n = _Names({e.name for e in usable})
    body = [*_all(runtime_all(iface)), ""]
    body += [_declaration(e, iface.param_names(e.name), n) for e in usable]
    if odd:
        body += ["", "# Exports whose names are not Python names: getattr(module, NAME).",
                 *(f"#   {json.dumps(e.name)}: {e.type.text}" for e in odd),
                 f"def __getattr__(name: {n.builtin('str')}) -> {n.builtin('object')}: ..."]
    return "\n".join([*header(source, sha256), "", *n.imports(), *body]) + "\n"


def recorded_sha256(text: str) -> str | None:
    """The sha256 a stub's header records, or None when it has none."""
    for line in text.splitlines()[:5]:
        if line.startswith("# sha256: "):
            return line.removeprefix("# sha256: ").strip()
    return None
