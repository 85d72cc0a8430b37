"""Fork safety: what a child forked after the parent used the engine can still do.

Each test forks the test process (a pool of the "fork" start method) after making the
parent use what fork breaks, and waits with a timeout: a hang fails, it does not block.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import wasmport
from distrib import workers
from distrib.test_pools import FORK_WARNING
from wasmport._compile import assets

pytestmark = [pytest.mark.filterwarnings(FORK_WARNING),
              pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                 reason="this platform has no fork()")]
WAIT = 60  # seconds before a child counts as hung


@pytest.fixture
def forked() -> Iterator[Any]:
    """A one-process pool forked now, when the test asks for it."""
    pools: list[Any] = []

    def make() -> Any:
        pools.append(multiprocessing.get_context("fork").Pool(1))
        return pools[-1]

    yield make
    for pool in pools:
        pool.terminate()  # a hung child is killed, not waited for
        pool.join()


def test_a_child_compiles_after_the_parent_did(forked: Any) -> None:
    # The parent's compile starts the engine's thread pool, which the child lacks.
    wasmport.compile(workers.FRESH.replace("i32.mul", "i32.add"))
    child = forked()
    assert child.apply_async(workers.compile_and_call, (workers.FRESH, 14)).get(WAIT) == 42


def test_wasi_output_in_a_child_after_the_parents_run_is_refused_not_hung(
        forked: Any) -> None:
    assert workers.run_hello(capture_output=True).stdout == b"hello from wasi\n"
    child = forked()
    refused = child.apply_async(workers.run_hello, (), {"capture_output": True}).get(WAIT)
    assert isinstance(refused, wasmport.UnsafeForkError)
    assert "hello.wasm" in refused.where
    assert "start worker processes with the 'spawn' or 'forkserver' method" in str(refused)
    quiet = child.apply_async(workers.run_hello, (), {"stdout": "discard",
                                                      "stderr": "discard"}).get(WAIT)
    assert quiet.exit_code == 0


def test_timeouts_work_in_a_child_after_the_parent_timed_a_call(forked: Any) -> None:
    assert workers.timed_loop(0.05) == "timeout"  # the parent's epoch thread runs
    child = forked()
    assert child.apply_async(workers.timed_loop, (0.2,)).get(WAIT) == "timeout"


def test_a_cache_lock_held_at_fork_is_free_in_the_child(forked: Any, tmp_path: Path) -> None:
    path = tmp_path / "held.wat"
    path.write_text(workers.KERNELS.read_text())
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with assets._cache_lock:
            holding.set()
            done.wait(WAIT)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        holding.wait(WAIT)
        child = forked()  # forks while the other thread holds the lock
    finally:
        done.set()
        thread.join()
    assert child.apply_async(workers.load_and_call, (str(path), 12)).get(WAIT) == 144
