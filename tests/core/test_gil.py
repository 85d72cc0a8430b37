"""Long calls can let other Python threads run: Realm(release_gil=True) or fn.nogil."""

import threading
import time

import pytest

import wasmport
from wasmport._engine.fast import ENABLED as FAST

SPIN = """(module (func (export "spin") (param $n i64) (result i64) (local $i i64)
  (block (loop (br_if 1 (i64.ge_u (local.get $i) (local.get $n)))
    (local.set $i (i64.add (local.get $i) (i64.const 1))) (br 0)))
  (local.get $i)))"""


def _ticks_during(call) -> int:
    """How often another Python thread got to run while ``call()`` ran."""
    ticks, stop = [0], threading.Event()

    def count() -> None:
        while not stop.is_set():
            ticks[0] += 1
            time.sleep(0.001)

    thread = threading.Thread(target=count)
    thread.start()
    time.sleep(0.01)
    before = ticks[0]
    call()
    during = ticks[0] - before
    stop.set()
    thread.join(timeout=10)
    return during


def _calibrated(fn) -> int:
    """An iteration count that keeps the wasm loop busy for about 0.2 s."""
    n = 1 << 20
    while True:
        start = time.perf_counter()
        fn(n)
        if time.perf_counter() - start > 0.05:
            return int(n * 0.2 / (time.perf_counter() - start))
        n *= 4


@pytest.mark.parametrize("how", ["nogil", "realm"])
def test_other_threads_run_during_a_long_call(how):
    with wasmport.Realm(release_gil=(how == "realm")) as realm:
        mod = wasmport.compile(SPIN, realm=realm).instantiate()
        call = mod.spin.nogil if how == "nogil" else mod.spin
        n = _calibrated(call)
        assert _ticks_during(lambda: call(n)) >= 40  # the other thread ran throughout
        assert call(5) == 5


def test_the_default_keeps_the_gil_on_the_fast_path_only():
    with wasmport.Realm() as realm:
        mod = wasmport.compile(SPIN, realm=realm).instantiate()
        n = _calibrated(mod.spin)
        ticks = _ticks_during(lambda: mod.spin(n))
    if FAST:
        # Short calls are fastest this way (see fn.nogil).  The other thread may still run
        # a few times around the call's edges on a loaded machine, never throughout.
        assert ticks <= 10
    else:
        assert ticks >= 40  # WASMPORT_NO_FAST: wasmtime-py's calls always release it


def test_traps_and_host_exceptions_cross_a_gil_free_call():
    src = ('(module (import "env" "f" (func $f (param i32) (result i32)))'
           ' (func (export "run") (param i32) (result i32) local.get 0 call $f)'
           ' (func (export "boom") unreachable))')

    def host(x):
        if x == 13:
            raise KeyError(x)
        return x + 1

    with wasmport.Realm(release_gil=True) as realm:
        mod = wasmport.compile(src, realm=realm).instantiate({"env": {"f": host}})
        assert mod.run(1) == 2
        with pytest.raises(KeyError):
            mod.run(13)
        with pytest.raises(wasmport.Trap, match="unreachable"):
            mod.boom.nogil()
        assert mod.run.nogil(2) == 3
