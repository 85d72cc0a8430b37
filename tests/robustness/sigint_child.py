"""Ctrl-C into running wasm, from a child process: the child side and the parent's driver.

The child (``python sigint_child.py SCENARIO RUNS``) runs wasm that never returns RUNS
times, printing ``ready`` before each; each time the parent sends SIGINT, the child
catches what the call raised, checks that the realm still works and prints
``interrupted <time.monotonic()>``.  ``drive()`` is the parent: it returns the latency
of each run, from os.kill to the moment the caller caught the exception (the two
processes share CLOCK_MONOTONIC).  Used by tests/robustness/test_sigint.py and
scripts/sigint-latency.

Scenarios: pure (a wasm loop), host (a loop calling a Python host function),
host-slow (one taking 5 ms), limits (a realm with Limits(timeout=600, fuel=...)),
wasi (a WASI realm), custom (a user's SIGINT handler raising its own exception: the
caller must get that very object), start (a start function that never returns),
python (no wasm running: Python's own handling still works), component (a component's
loop: that instance is poisoned, as after any trap; a new instance of it works),
custom-late (the user's handler set after the realm's first instance: the next
instantiation, of a module without imports, puts ours back in front), thread-realm (the
realm and its first instance made on another thread, where no handler is installed: an
instantiation on the main thread installs it).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SPIN = """(module
  (import "env" "tick" (func $tick))
  (func (export "spin") (loop $l (br $l)))
  (func (export "spin_host") (loop $l (call $tick) (br $l)))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"""

START = '(module (func $spin (loop $l (br $l))) (start $spin))'
ALONE = '(module (func (export "spin") (loop $l (br $l))))'  # no imports: made from its pre

SCENARIOS = ("pure", "host", "host-slow", "limits", "wasi", "custom", "start", "python",
             "component", "custom-late", "thread-realm")
CALC = Path(__file__).parent.parent / "fixtures" / "components" / "calc" / "calc.wasm"


class CalcHost:
    def log(self, msg: str) -> None:
        pass

    def add(self, a: int, b: int) -> int:
        return a + b

    def offset(self, p: object) -> object:
        return p


def _component_spin(realm: object) -> object:
    """A new instance's endless loop each time (Ctrl-C poisons the one it stopped)."""
    def run() -> object:
        mod = realm.load(str(CALC), imports={"tick": lambda: 1,  # type: ignore[attr-defined]
                                             "test:calc/host": CalcHost()})
        return mod.api.spin(2**63)
    return run


def _on_a_thread(make: Callable[[], Any]) -> Any:
    made: list[Any] = []
    thread = threading.Thread(target=lambda: made.append(make()))
    thread.start()
    thread.join()
    return made[0]


class Custom(Exception):
    pass


def _child(scenario: str, runs: int) -> int:
    import wasmport

    if scenario == "limits":
        realm = wasmport.Realm(limits=wasmport.Limits(timeout=600, fuel=10**15))
    elif scenario == "wasi":
        realm = wasmport.Realm(wasi=wasmport.WasiConfig())
    elif scenario == "thread-realm":  # nothing made on the main thread before ALONE
        realm = _on_a_thread(wasmport.Realm)
    else:
        realm = wasmport.Realm()
    delay = 0.005 if scenario == "host-slow" else 0
    mine = Custom("from the user's handler")

    def tick() -> None:
        if delay:
            time.sleep(delay)

    def handler(signum: int, frame: object) -> None:
        raise mine

    def first() -> object:
        return wasmport.compile(SPIN, name="spin", realm=realm).instantiate({"env": {"tick": tick}})

    if scenario == "custom":
        signal.signal(signal.SIGINT, handler)
    ns = _on_a_thread(first) if scenario == "thread-realm" else first()
    run = ns.spin_host if scenario.startswith("host") else ns.spin  # type: ignore[attr-defined]
    if scenario == "custom-late":
        signal.signal(signal.SIGINT, handler)
    if scenario in ("custom-late", "thread-realm"):
        run = wasmport.compile(ALONE, name="alone", realm=realm).instantiate().spin
    if scenario == "start":
        start = wasmport.compile(START, name="start", realm=realm)
        run = start.instantiate
    elif scenario == "component":
        run = _component_spin(realm)
    elif scenario == "python":
        run = lambda: time.sleep(60)  # noqa: E731 - no wasm running: Python's own handling
    expected = Custom if scenario.startswith("custom") else KeyboardInterrupt
    for _ in range(runs):
        print("ready", flush=True)
        try:
            run()
        except expected as exc:
            stamp = time.monotonic()
            assert not scenario.startswith("custom") or exc is mine, exc
            assert ns.add(2, 3) == 5  # type: ignore[attr-defined]  # the realm still works
            print(f"interrupted {stamp:.6f}", flush=True)
            continue
        print("returned", flush=True)
        return 1
    return 0


def _lines(proc: subprocess.Popen[str]) -> tuple[queue.Queue[str], threading.Thread]:
    """The child's stdout lines, read by a thread (a select() on the pipe would miss
    lines already in the reader's buffer)."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.strip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return lines, reader


def _line(lines: queue.Queue[str], timeout: float) -> str:
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


def drive(scenario: str, runs: int, env: dict[str, str] | None = None,
          wait: float = 1.0) -> list[float]:
    """SIGINT into ``runs`` wasm calls of one child; each run's latency in seconds.
    AssertionError when a run is not interrupted within ``wait`` seconds."""
    proc = subprocess.Popen([sys.executable, str(Path(__file__)), scenario, str(runs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    latencies: list[float] = []
    lines, reader = _lines(proc)
    try:
        for i in range(runs):
            assert _line(lines, 60) == "ready", f"run {i}: the child did not start"
            time.sleep(0.03 + 0.01 * (i % 5))  # well inside the wasm loop
            sent = time.monotonic()
            os.kill(proc.pid, signal.SIGINT)
            got = _line(lines, wait)
            assert got.startswith("interrupted "), \
                f"{scenario} run {i}: {got or 'nothing'} within {wait} s of SIGINT"
            latencies.append(float(got.split()[1]) - sent)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        reader.join(10)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()  # in the finally: a failed run leaks no pipe
    assert "Exception ignored" not in err, err
    return latencies


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], int(sys.argv[2])))
