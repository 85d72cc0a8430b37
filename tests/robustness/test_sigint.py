"""Ctrl-C: SIGINT stops a running wasm call and raises KeyboardInterrupt (or what the
user's SIGINT handler raises) in the caller, the realm still usable afterwards.

Each scenario runs in a child process (sigint_child.py) that takes 20 interrupts, on
the call layer this process selects (scripts/test runs this suite on all three).  The
one timing assertion is the issue's contract: every run stops within 1 s of the
signal; the latency figures live in scripts/sigint-latency.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import sigint_child  # noqa: E402

RUNS = 20

# A WASI command that says it runs, then loops for good.
LOOPING_COMMAND = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "ready\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 6))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (loop $l (br $l))))"""


@pytest.mark.parametrize("scenario", sigint_child.SCENARIOS)
def test_sigint_stops_the_running_call(scenario: str) -> None:
    latencies = sigint_child.drive(scenario, RUNS, wait=1.0)
    assert len(latencies) == RUNS


def test_wasmport_run_exits_130_on_sigint(tmp_path: Path) -> None:
    program = tmp_path / "loop.wat"
    program.write_text(LOOPING_COMMAND)
    for i in range(RUNS):
        proc = subprocess.Popen([sys.executable, "-m", "wasmport", "run", str(program)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline() == b"ready\n"  # _start is running
            time.sleep(0.02)
            os.kill(proc.pid, signal.SIGINT)
            assert proc.wait(1.0) == 130, f"run {i}"
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


def test_python_handlers_are_left_alone() -> None:
    code = ("import signal, wasmport\n"
            "ns = wasmport.compile('(module (func (export \"f\")))').instantiate()\n"
            "ns.f()\n"
            "assert signal.getsignal(signal.SIGINT) is signal.default_int_handler\n"
            "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "ns.f()\n"
            "wasmport.compile('(module)').instantiate()\n"
            "assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN\n"
            "import os; os.kill(os.getpid(), signal.SIGINT)\n"  # ignored: no exception
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")


def test_wasmport_no_interrupt_keeps_timeouts_and_plain_engines() -> None:
    code = ("import wasmport\n"
            "from wasmport._engine.config import EngineConfig\n"
            "print(EngineConfig().key())\n"
            "realm = wasmport.Realm(limits=wasmport.Limits(timeout=0.05))\n"
            "ns = wasmport.compile('(module (func (export \"s\") (loop $l (br $l))))',"
            " realm=realm).instantiate()\n"
            "try:\n"
            "    ns.s()\n"
            "except wasmport.ResourceLimitError as exc:\n"
            "    print(exc.limit)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "WASMPORT_NO_INTERRUPT": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["fuel=0,epoch=0,nomove", "timeout"]
