"""The source phase as imports: ``from wasmport.source import foo`` gives foo's
compiled, unlinked :class:`wasmport.Module`; so does
``import wasmport.source.pkg.codec as Codec``.  Works with or without the hook.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .._importer.finder import install_source_finder

if TYPE_CHECKING:
    from .._compile.module import Module

install_source_finder()


# Annotated Module so that type checkers give ``from wasmport.source import foo`` that type
# (PEP 562): a package name gives the container of its modules instead (docs/cli.md).
def __getattr__(name: str) -> Module:
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f"{__name__}.{name}")  # type: ignore[return-value]
    except ModuleNotFoundError as err:
        raise AttributeError(f"no WebAssembly module named {name!r} for the source phase") from err
