"""Wasm stacks on small thread stacks: the engines' ``max_wasm_stack``, sized from the
real stacks, and ThreadStackError for an entry that native/stack.c refuses.

wasmtime stops wasm ``max_wasm_stack`` bytes below the point where a call entered it
(512 KiB by default).  A thread with less stack than that left dies of SIGSEGV in its
guard page instead.  So the engines get ``max_wasm_stack`` = min(512 KiB, (smallest
known stack - HOST_ROOM) / 2), the smallest of the main thread's ``ulimit -s`` and
``threading.stack_size()`` when the first engine is made, and every entry into wasm
from a thread with less than ``max_wasm_stack + HOST_ROOM`` left is refused.
docs/design.md, "Wasm stacks on small thread stacks", has the reasons.
"""

from __future__ import annotations

import resource
import threading

from .._errors import ThreadStackError
from .interrupt import extension

DEFAULT = 512 << 10   # wasmtime's own max_wasm_stack
MINIMUM = 64 << 10
HOST_ROOM = 128 << 10  # for Python host functions called at the deepest wasm frame
STACK_MARKER = "wasmport: the thread's stack is too small for wasm"

_chosen: list[int] = []


def wasm_stack_size() -> int:
    """The engines' max_wasm_stack (chosen once per process, then the same)."""
    if not _chosen:
        _chosen.append(_size())
        ext = extension()
        if ext is not None:
            ext.stack_setup(_chosen[0] + HOST_ROOM, STACK_MARKER.encode())
    return _chosen[0]


def _size() -> int:
    current = threading.stack_size()  # without an argument it also sets 0: put it back
    threading.stack_size(current)
    known = [current]
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    if soft != resource.RLIM_INFINITY:
        known.append(soft)
    smallest = min((k for k in known if k > 0), default=0)
    if not smallest:
        return DEFAULT
    return max(MINIMUM, min(DEFAULT, (smallest - HOST_ROOM) // 2))


def check(where: str) -> None:
    """ThreadStackError unless this thread has room for wasm (the paths that enter
    wasm without native/stack.c's check: instantiation)."""
    ext = extension()
    if ext is not None and _chosen and ext.stack_left() < _chosen[0] + HOST_ROOM:
        raise refused(where)


def raise_if_refused(err: BaseException, where: str) -> None:
    """Raise ThreadStackError when ``err`` is native/stack.c's refusal."""
    if STACK_MARKER in str(err):
        raise refused(where) from None


def refused(where: str) -> ThreadStackError:
    ext = extension()
    left = ext.stack_left() if ext is not None else 0
    needed = (_chosen[0] if _chosen else DEFAULT) + HOST_ROOM
    name = threading.current_thread().name
    return ThreadStackError(
        f"{where}: thread {name!r} has {left >> 10} KiB of stack left, and wasm needs "
        f"{needed >> 10} KiB (max_wasm_stack {(needed - HOST_ROOM) >> 10} KiB + "
        f"{HOST_ROOM >> 10} KiB for host functions); start the thread after "
        f"threading.stack_size({_advice(needed)}) or raise `ulimit -s`",
        left=left, needed=needed)


def _advice(needed: int) -> str:
    mib = -(-(needed + (256 << 10)) // (1 << 20))
    return f"{mib} << 20"
