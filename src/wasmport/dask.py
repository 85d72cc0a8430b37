"""Dask integration: ``WasmportPlugin``, a worker plugin (docs/distributed.md).

A public face, above every layer (it installs the import hook).  Importing it imports
``distributed`` and registers wasmport's values with Dask's ``normalize_token``
(``_api/pickling.py``); importing wasmport itself never imports dask.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from distributed import WorkerPlugin

from ._api.pickling import register_dask_tokens
from ._importer.finder import install
from ._realm import default_realm
from ._resolve.specifiers import is_path, split_phase

__all__ = ["WasmportPlugin"]


class WasmportPlugin(WorkerPlugin):  # type: ignore[misc,unused-ignore]  # Any without dask
    """Readies every worker, present and future, for tasks that call wasm.

    In ``setup``: registers the wasmport types with Dask's tokenizer, installs the import
    hook (``install=True``), so that a task's ``import foo`` finds ``foo.wasm``, and
    compiles each of ``modules`` through the on-disk code cache, so that a long compile
    does not land inside the first task.  ``instantiate=True`` also instantiates them
    in the worker's default realm (running their start functions once, there).

    ``modules`` are module names (found on the worker's ``sys.path``) or paths; a
    relative path (``./lib.wasm``) is made absolute here, on the client.

    Example::

        client.register_plugin(WasmportPlugin(["mathlib"]))
        client.map(mathlib.square, range(1000))
    """

    name = "wasmport"

    def __init__(self, modules: Iterable[str | os.PathLike[str]] = (), *,
                 install: bool = True, instantiate: bool = False) -> None:
        self.modules = tuple(_absolute(m) for m in modules)
        self.install = install
        self.instantiate = instantiate

    def setup(self, worker: Any = None) -> None:
        register_dask_tokens()
        if self.install:
            install()
        realm = default_realm()
        for specifier in self.modules:
            realm.load(specifier, phase="instance" if self.instantiate else "source")

    def __repr__(self) -> str:
        return f"<wasmport.dask.WasmportPlugin modules={list(self.modules)!r}>"


def _absolute(specifier: str | os.PathLike[str]) -> str:
    text = os.fspath(specifier)
    spec, _ = split_phase(text)
    if isinstance(specifier, os.PathLike) or (is_path(spec) and not spec.startswith("/")):
        return os.path.abspath(text)
    return text


register_dask_tokens()
