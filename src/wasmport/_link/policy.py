"""What linking needs to know of a realm: its policy, as data, and how to load a module.

The resolver never sees the realm: the realm hands it a :class:`LinkPolicy` (what it
may link to) and a :data:`Load` callback (how to get the instance-phase module of a
specifier, which may link further modules recursively).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._wasi.context import WASI_MODULE

#: load(specifier, base_dir, name) -> the instance-phase module of that specifier.
Load = Callable[[str, "str | None", "str | None"], Any]


@dataclass(frozen=True)
class LinkPolicy:
    """A realm's linking policy.  ``hosts`` is the realm's live registry of host modules
    (``register`` adds to it); ``wasi`` provides ``wasi_snapshot_preview1`` when the realm
    has WASI."""

    name: str
    import_map: Mapping[str, Any]
    base_dir: str
    hosts: Mapping[str, Any]
    allow_imports: frozenset[str] | None = None
    wasi: Mapping[str, Any] | None = None

    def host(self, module: str) -> Any:
        """The host module registered as ``module``, or None."""
        return self.hosts.get(module)

    def wasi_for(self, module: str) -> Mapping[str, Any] | None:
        """The WASI functions when ``module`` is WASI's and the realm has it, else None."""
        return self.wasi if module == WASI_MODULE else None

    def allows(self, module: str) -> bool:
        """Whether ``allow_imports`` (when set) lets a wasm module import ``module``."""
        allowed = self.allow_imports
        return allowed is None or module in allowed or self.wasi_for(module) is not None
