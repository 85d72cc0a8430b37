"""Process pools with the real engine: every start method, and ProcessPoolExecutor."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import wasmport
from distrib import workers

# Python 3.12+ warns when a process with threads forks (the engine has some); the
# children here do only what fork keeps valid (docs/distributed.md, "Start methods").
FORK_WARNING = "ignore:.*use of fork\\(\\) may lead to deadlocks:DeprecationWarning"
METHODS = [pytest.param(m, marks=pytest.mark.filterwarnings(FORK_WARNING))
           for m in ("spawn", "fork", "forkserver") if m in multiprocessing.get_all_start_methods()]


@pytest.fixture(scope="module", params=METHODS)
def pool(request: pytest.FixtureRequest) -> Any:
    with multiprocessing.get_context(request.param).Pool(2) as pool:
        yield pool


def test_pool_map_calls_a_wasm_function(pool: Any) -> None:
    kernels: Any = workers.kernels()
    before = kernels.calls
    assert pool.map(kernels.square, range(200), chunksize=20) == [x * x for x in range(200)]
    assert kernels.calls == before  # the calls ran in the workers' own instances


def test_each_worker_has_its_own_state(pool: Any) -> None:
    kernels: Any = workers.kernels()
    start = kernels.calls  # what a forked worker's copy started from
    results = pool.map(workers.square_and_calls, range(40), chunksize=1)
    assert [r[0] for r in results] == [x * x for x in range(40)]
    by_process: dict[int, list[int]] = {}
    for _, calls, pid in results:
        by_process.setdefault(pid, []).append(calls)
    counts = [sorted(calls) for calls in by_process.values()]
    # Each process counts only its own calls: together they made exactly 40.
    assert sum(len(c) for c in counts) == 40
    assert all(c == sorted(set(c)) for c in counts)
    assert all(c[-1] - c[0] == len(c) - 1 for c in counts)
    assert all(c[0] >= 1 for c in counts) and kernels.calls == start


def test_a_source_module_is_instantiated_in_the_worker(pool: Any) -> None:
    from_file = wasmport.load(workers.KERNELS, phase="source")
    from_bytes = wasmport.compile(workers.KERNELS.read_text(), name="kernels_bytes")
    jobs = [(from_file, 6), (from_bytes, 7), (from_file, 8)]
    assert pool.starmap(workers.instantiate_and_call, jobs) == [36, 49, 64]


def test_a_worker_compiles_a_module_of_its_own(pool: Any) -> None:
    # In a forked child the engine's compile threads are gone: it compiles serially.
    assert pool.apply(workers.compile_and_call, (workers.FRESH, 14)) == 42


@pytest.mark.filterwarnings(FORK_WARNING)
def test_process_pool_executor() -> None:
    kernels: Any = workers.kernels()
    with ProcessPoolExecutor(2) as executor:  # the platform's default start method
        assert list(executor.map(kernels.square, range(10))) == [x * x for x in range(10)]
        spun = executor.submit(workers.call, kernels.spin, 1000)
        assert spun.result() == workers.py_spin(1000)
