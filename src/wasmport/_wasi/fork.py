"""WASI after fork(): the engine's output threads do not survive it.

wasmtime writes a guest's stdout and stderr (and reads an inherited stdin) through
threads of its async runtime, started by the first WASI call of the process.  A forked
child has the runtime's memory but not its threads, so its first write waits forever
(measured: ``wasmport.run`` in a child forked after the parent's ``run`` never returns).
A child forked after WASI ran here therefore refuses, before entering wasm, the realms
whose guest can write or read such a stream; ``"discard"`` streams, stdin given as
bytes and preopened directories need no such thread and keep working.
"""

from __future__ import annotations

import os

from .._errors import UnsafeForkError
from .config import WasiConfig

#: [WASI code ran in this process, or in its parent before a fork],
#: [that was before a fork: the runtime's threads are gone].
_ran = [False]
_lost = [False]


def needs_threads(config: WasiConfig) -> bool:
    """Whether the guest's streams go through the runtime's threads."""
    return config.stdout != "discard" or config.stderr != "discard" or (
        config.stdin == "inherit")


def check_entry(config: WasiConfig, where: str) -> None:
    """Before a call into a realm with WASI: note it, or refuse it after fork()."""
    if _lost[0] and needs_threads(config):
        raise UnsafeForkError(
            f"{where}: this process was forked after WASI code ran in its parent, and the "
            "engine's WASI output threads do not survive fork(), so the guest's output "
            "would wait forever; start worker processes with the 'spawn' or 'forkserver' "
            "method, fork before running WASI, or give stdout='discard' and "
            "stderr='discard'", where=where)
    _ran[0] = True


def _after_fork_in_child() -> None:
    _lost[0] = _ran[0]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
