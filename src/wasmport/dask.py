"""Dask integration: ``WasmportPlugin``, a worker plugin (docs/distributed.md).

Importing this module imports ``distributed``; wasmport's values pickle and tokenize
without it.
"""

from ._api.dask_plugin import WasmportPlugin as WasmportPlugin

__all__ = ["WasmportPlugin"]
