"""Dask with the plain objects, on a real LocalCluster of two worker processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import dask.bag
import dask.dataframe
import pandas
import pytest
from dask.tokenize import tokenize
from distributed import Client, LocalCluster

import wasmport
from distrib import workers
from wasmport.dask import WasmportPlugin

# The cluster's own logging of its startup and shutdown is not the tests' business.
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning",
                                        "ignore::DeprecationWarning:distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def test_client_map_and_submit(client: Client) -> None:
    kernels: Any = workers.kernels()
    futures = client.map(kernels.square, range(100))
    assert client.gather(futures) == [x * x for x in range(100)]
    assert client.submit(kernels.spin, 1000).result() == workers.py_spin(1000)
    # Deterministic tokens: the same call is the same task.
    assert client.submit(kernels.square, 12).key == client.submit(kernels.square, 12).key


def test_delayed_bag_and_dataframe(client: Client) -> None:
    kernels: Any = workers.kernels()
    total = dask.delayed(sum)([dask.delayed(kernels.square)(x) for x in range(10)])
    assert total.compute() == 285
    bag = dask.bag.from_sequence(range(50), npartitions=4).map(kernels.square)
    assert bag.sum().compute() == sum(x * x for x in range(50))
    frame = dask.dataframe.from_pandas(pandas.DataFrame({"x": range(20)}), npartitions=2)
    squared = frame.x.map(kernels.square, meta=("x", "int64"))
    assert squared.compute().tolist() == [x * x for x in range(20)]


def test_a_source_module_is_instantiated_on_a_worker(client: Client) -> None:
    source = wasmport.load(workers.KERNELS, phase="source")
    assert client.submit(workers.instantiate_and_call, source, 11).result() == 121


def test_each_worker_has_its_own_state(client: Client) -> None:
    results = client.gather(client.map(workers.square_and_calls, range(30), pure=False))
    by_process: dict[int, list[int]] = {}
    for _, calls, pid in results:
        by_process.setdefault(pid, []).append(calls)
    assert sum(len(c) for c in by_process.values()) == 30
    assert all(len(set(c)) == len(c) for c in by_process.values())  # counted per process


def test_the_plugin_compiles_once_before_the_first_task(client: Client,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "precompiled.wat"
    path.write_text(workers.slow_text())
    assert set(client.run(workers.compiled_here, str(path)).values()) == {False}
    client.register_plugin(WasmportPlugin([path]))
    # In setup, on both workers at once: one compiles, the other waits for the code
    # cache's lock and loads the result; the first task finds the code in memory.
    assert set(client.run(workers.compiled_here, str(path)).values()) == {True}
    assert sorted(client.run(workers.compiles_here, str(path)).values()) == [0, 1]
    here = wasmport.load(path).f3(9)  # from the cache the workers filled
    assert client.submit(workers.load_and_call, str(path), 9, "f3").result() == here == 6740
    assert set(client.run(wasmport.is_installed).values()) == {True}


def test_the_plugin_reports_a_missing_module(client: Client) -> None:
    with pytest.raises(ModuleNotFoundError, match="no_such_wasm_module"):
        client.register_plugin(WasmportPlugin(["no_such_wasm_module"]), name="missing")


TOKENS = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    if {dask_first}:
        import dask.tokenize
    from distrib import workers
    square = workers.kernels().square
    before = None if {dask_first} else square(2)
    from dask.tokenize import tokenize
    print(tokenize(square, ensure_deterministic=True))
    square(3)
    print(tokenize(square, ensure_deterministic=True))
""")


def tokens(dask_first: bool) -> list[str]:
    """The token of an export before and after its first call, in a new process."""
    script = TOKENS.format(tests=str(Path(__file__).parent.parent), dask_first=dask_first)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    return done.stdout.split()


def test_tokens_are_the_same_in_every_process() -> None:
    # dask imported first: wasmport registered with normalize_token, as it is here.
    registered = tokens(dask_first=True)
    square = workers.kernels().square
    assert registered == [tokenize(square, ensure_deterministic=True)] * 2
    # dask imported after the call was built: the call object's own token.
    late = tokens(dask_first=False)
    assert late == tokens(dask_first=False) and len(set(late)) == 1
    assert registered[0] != tokenize(workers.kernels().spin, ensure_deterministic=True)
