"""Imports resolved through Python's import system: a wasm module found on the path is
linked directly; a Python module only if it opts in with ``__wasm_exports__``.

Import names come from the wasm module's author, so finding a module never runs one:
a module not imported yet is imported only if its source mentions ``__wasm_exports__``,
and parent packages are looked up, not imported, until the leaf is known.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
from typing import Any

from .._compile.module import Module
from .._exports.namespace import InstanceModule
from .._resolve.specifiers import find_module_file, is_dotted_name, is_path, split_phase
from .policy import Load
from .providers import Provider, Refused


def python_provider(load: Load, module: Module, mname: str) -> Provider | None:
    """The provider of import module ``mname`` found through the import system, or None."""
    return _found(load, module.name.rpartition(".")[0] or None, mname)


def entry_provider(load: Load, spec: str, base_dir: str | None,
                   package: str | None) -> Provider:
    """What the string of an import-map or explicit entry names: a path (or a specifier
    with a phase) is a wasm file; a module name is what the import system finds for it, a
    wasm module or a Python module that opts in.  ModuleNotFoundError saying why when
    nothing is found (the resolver names the entry)."""
    if is_path(split_phase(spec)[0]) or split_phase(spec)[1] is not None \
            or not is_dotted_name(spec):
        return Provider(spec, load(spec, base_dir, None), by="file")
    found = _found(load, package, spec)
    if found is None:
        raise ModuleNotFoundError(f"no wasm module or Python module named {spec!r} "
                                  "(looked through Python's import system)", name=spec)
    return found


def _found(load: Load, package: str | None, mname: str) -> Provider | None:
    try:
        fullname = importlib.util.resolve_name(mname, package)
    except (ImportError, ValueError):
        return None
    spec, parent_path = find_quietly(fullname)
    if spec is not None and not getattr(spec.loader, "is_wasmport_loader", False):
        return _opted_in(spec, fullname)
    if spec is not None:
        path = spec.origin
    elif "." in fullname and parent_path is None:
        return None  # no such package: nothing to search (and nothing imported)
    else:
        path = find_module_file(fullname, parent_path)
    if path is None:
        return None
    return Provider(f"module {fullname!r}", load(path, None, fullname), by="file")


def _opted_in(spec: importlib.machinery.ModuleSpec, fullname: str) -> Provider:
    if fullname not in sys.modules:
        opts_in = _source_opts_in(spec)  # a module that does not opt in never runs
        if opts_in is not True:
            return Refused(fullname, without_source=opts_in is None)
    return _python_provider(importlib.import_module(fullname), fullname)


def find_quietly(fullname: str) -> tuple[importlib.machinery.ModuleSpec | None, list[str] | None]:
    """The spec of ``fullname`` and its package's search path, found without running any
    module's code: parents that are not imported yet are looked up, not imported
    (``antigravity.x`` must not run ``antigravity``)."""
    parts = fullname.split(".")
    path: list[str] | None = None
    for depth in range(1, len(parts) + 1):
        spec, search = _spec_and_search(".".join(parts[:depth]), path)
        if depth == len(parts):
            return spec, path
        if search is None:
            return None, None
        path = list(search)
    return None, None


def _spec_and_search(name: str, path: list[str] | None) -> tuple[Any, Any]:
    imported = sys.modules.get(name)
    if imported is not None:
        return getattr(imported, "__spec__", None), getattr(imported, "__path__", None)
    spec = _find_spec(name, path)
    return spec, spec.submodule_search_locations if spec is not None else None


def _find_spec(name: str, path: list[str] | None) -> importlib.machinery.ModuleSpec | None:
    """What the import system would find for ``name`` (no module runs), or None."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        try:
            spec = find(name, path)
        except (ImportError, ValueError):
            continue
        if spec is not None:
            return spec  # type: ignore[no-any-return]
    return None


def _source_opts_in(spec: importlib.machinery.ModuleSpec) -> bool | None:
    """Whether a module not imported yet can opt in, judged from its source text.

    A module without Python source (an extension module, a namespace package) must be
    imported by the application first: None says there is no source.
    """
    origin = spec.origin
    if not origin or not origin.endswith(".py") or not os.path.isfile(origin):
        return None
    try:
        with open(origin, "rb") as f:
            return b"__wasm_exports__" in f.read()
    except OSError:
        return None


def _python_provider(pymod: Any, fullname: str) -> Provider:
    if isinstance(pymod, InstanceModule):
        return Provider(f"module {fullname!r}", pymod, by="file")
    offered = getattr(pymod, "__wasm_exports__", None)
    if offered is None:
        return Refused(fullname)
    return Provider(f"Python module {fullname!r}", pymod, by="python module",
                    allowed=frozenset(offered))
