"""The meta path finders: instance phase (``import foo``) and source phase
(``import wasmport.source.foo``)."""

from __future__ import annotations

import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

from .._resolve.locations import invalidate_caches
from .._resolve.specifiers import find_module_file
from .loader import PackageShim, SourceLoader, WasmLoader

SOURCE_PACKAGE = "wasmport.source"


class WasmFinder:
    """Finds ``foo.wasm`` / ``foo.wat`` on sys.path or a package's ``__path__``.

    It sits at the end of sys.meta_path, so .py files and packages win.
    """

    @classmethod
    def find_spec(cls, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname == SOURCE_PACKAGE or fullname.startswith(SOURCE_PACKAGE + "."):
            return None
        found = find_module_file(fullname, path)
        if found is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, WasmLoader(found), origin=found)

    @classmethod
    def invalidate_caches(cls) -> None:
        """Forget the cached directory listings and archive indexes (as FileFinder's
        ``invalidate_caches``; ``importlib.invalidate_caches()`` calls it)."""
        invalidate_caches()


class SourceFinder:
    """Finds ``wasmport.source.<name>``: the source phase of the wasm module ``<name>``.

    Installed when ``wasmport.source`` is first imported, with or without the hook.
    """

    @classmethod
    def find_spec(cls, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(SOURCE_PACKAGE + "."):
            return None
        target_name = fullname[len(SOURCE_PACKAGE) + 1:]
        found = find_module_file(target_name)
        if found is not None:
            return importlib.machinery.ModuleSpec(fullname, SourceLoader(found, target_name),
                                                  origin=found)
        spec = importlib.util.find_spec(target_name)
        if spec is not None and spec.submodule_search_locations is not None:
            # A Python package: mirror it so ``wasmport.source.pkg.codec`` can be found.
            return importlib.machinery.ModuleSpec(fullname, PackageShim(target_name),
                                                  is_package=True)
        return None


def install() -> None:
    """Install the import hook (idempotent): ``import foo`` then finds foo.wasm/foo.wat."""
    if WasmFinder not in sys.meta_path:
        sys.meta_path.append(WasmFinder)


def uninstall() -> None:
    """Remove the import hook (idempotent); modules already imported stay imported."""
    while WasmFinder in sys.meta_path:
        sys.meta_path.remove(WasmFinder)


def is_installed() -> bool:
    return WasmFinder in sys.meta_path


def install_source_finder() -> None:
    if SourceFinder not in sys.meta_path:
        sys.meta_path.append(SourceFinder)
