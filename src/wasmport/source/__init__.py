"""The source phase as imports: ``from wasmport.source import foo`` gives foo's
compiled, unlinked :class:`wasmport.Module`; so does
``import wasmport.source.pkg.codec as Codec``.  Works with or without the hook.
"""

from __future__ import annotations

import importlib
from typing import Any

from .._importer.finder import install_source_finder

install_source_finder()


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as err:
        raise AttributeError(f"no WebAssembly module named {name!r} for the source phase") from err
