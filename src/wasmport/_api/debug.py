"""``wasmport.__debug_info__()``: what this installation runs on, for bug reports."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import version
from typing import Any

from .._compile import codecache
from .._engine import calls
from .._version import __version__


def debug_info() -> dict[str, Any]:
    """The versions, the call layer in use and why the faster ones are off, and the cache.

    Example::

        >>> wasmport.__debug_info__()["call layer"] in ("native", "ctypes", "checked")
        True
    """
    return {
        "wasmport": __version__,
        "wasmtime": version("wasmtime"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "call layer": calls.layer(),
        "layers off": {name: why for name, why in calls.reasons().items() if why},
        "cache": codecache.default_directory() if codecache.enabled() else "off",
    }
