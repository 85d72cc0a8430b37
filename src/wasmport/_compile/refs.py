"""How wasmport objects cross a process boundary: by reference, never as machine code.

A pickled Module is its content digest and where to find the bytes; an instance-phase
module or one of its functions is the module's name, path, digest (and export name).
The receiving process resolves the reference in its own default realm.  That takes the
realm, which the layers defining the values (the source-phase Module here, the exports,
the realm itself) cannot import, so their ``__reduce__`` and ``__dask_tokenize__`` ask
the two hooks the top layer registers (``_api/pickling.py``, as the realm layer
registers the default owner with ``_engine/store.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_hooks: dict[str, Callable[[Any], Any]] = {}


def set_hooks(*, reduce: Callable[[Any], Any], token: Callable[[Any], Any]) -> None:
    """Called once by the top layer: how to pickle and tokenize a wasmport value."""
    _hooks["reduce"], _hooks["token"] = reduce, token


def reduce_value(value: Any) -> Any:
    """``value.__reduce__()``: a reference to resolve in the receiving process, or a
    TypeError saying why the value holds live state and what to pickle instead."""
    return _hooks["reduce"](value)


def token_of(value: Any) -> Any:
    """``value.__dask_tokenize__()``: the same for the same reference in any process."""
    return _hooks["token"](value)
