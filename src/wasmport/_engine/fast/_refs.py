"""References in raw slots: what the fast path needs to know about each reference type.

A raw slot holds a reference as a number (a u32 for anyref, externref and exnref, a
pointer for funcref), valid only until the engine's next garbage collection unless
something roots the reference.  So the generated wrappers convert in two steps, and
never let an allocation (which may collect) fall between a number's making and its use:

    Python -> wasm   t = pre(value)    checks, roots (may allocate: a new externref)
                     slot = raw(t)     the number, for every reference argument, after
                                       every pre; then the call (or the return to wasm)
                     done(t)           after the call: release what pre made (or None)
    wasm -> Python   t = root(slot)    a root of each reference, before anything else
                     value = public(t) then the Python value (may call into the engine)

The layer above supplies one :class:`RefSlot` per reference type (``refs=`` of
make_caller / make_host_func); the fast layer only calls these.  A native call path can
take the same four steps (or do the externref ones itself with the C API's
``wasmtime_externref_*`` and the same host-object registry, _engine/refs.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class RefSlot:
    """The conversions of one reference type (see the module docstring)."""

    pre: Callable[[Any], Any]
    raw: Callable[[Any], int]
    done: Callable[[Any], None] | None
    root: Callable[[int], Any]
    public: Callable[[Any], Any]


class RefSlots(Protocol):
    """What make_caller / make_host_func take as ``refs``: the RefSlot of a reference
    type text, or None when the fast path cannot carry it as an argument (a concrete
    type, whose subtyping only the engine's checked path tests)."""

    def slot_for(self, text: str, argument: bool) -> RefSlot | None: ...
