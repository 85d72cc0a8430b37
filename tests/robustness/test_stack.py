"""Wasm stack overflow on small stacks: a Trap or ThreadStackError, never a crash.

Each case runs in a child process (a crash would kill pytest), on the call layer this
process selects (scripts/test runs this suite on all three): deep wasm recursion, with a
Python host function called at the deepest frame, from threads of 64-512 KiB stacks and
from a main thread under ``ulimit -s 512``.
"""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

CHILD = r"""
import sys, threading
size, early = int(sys.argv[1]) << 10, sys.argv[2] == "early"
if size and early:
    threading.stack_size(size)  # before the first engine: max_wasm_stack fits it
import wasmport
DEEP = '''(module
  (import "env" "h" (func $h (param i32) (result i32)))
  (func $r (export "r") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (call $h (i32.const 0)))
      (else (i32.add (call $r (i32.sub (local.get 0) (i32.const 1))) (i32.const 1))))))'''
ns = wasmport.compile(DEEP, name="deep").instantiate({"env": {"h": lambda x: sum(range(50))}})
start = wasmport.compile('(module (func $s (loop $l (br $l))) (func $t (call $t)) (start $t))')

def go():
    for n in (100, 10**9):
        try:
            print(n, ns.r(n))
        except (wasmport.Trap, wasmport.ThreadStackError) as exc:
            print(n, type(exc).__name__, exc)
    try:
        start.instantiate()
    except (wasmport.Trap, wasmport.ThreadStackError) as exc:
        print("start", type(exc).__name__)
    print("alive")

if size and not early:
    threading.stack_size(size)
if size:
    t = threading.Thread(target=go)
    t.start()
    t.join()
else:
    go()
"""


def _run(size_kib: int, early: bool, stack_rlimit: int | None = None) -> list[str]:
    def limit() -> None:
        if stack_rlimit is not None:
            resource.setrlimit(resource.RLIMIT_STACK, (stack_rlimit, stack_rlimit))

    done = subprocess.run([sys.executable, "-c", CHILD, str(size_kib),
                           "early" if early else "late"], capture_output=True, text=True,
                          timeout=120, preexec_fn=limit)
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr[-2000:])
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[-1] == "alive"
    return lines


@pytest.mark.parametrize("size_kib", [64, 128, 256, 512])
def test_a_small_thread_made_after_the_engine_is_refused_by_name(size_kib: int) -> None:
    lines = _run(size_kib, early=False)
    # The engine's wasm stack is 512 KiB: no thread this small may enter it.
    assert lines[0].startswith("100 ThreadStackError ")
    assert "has " in lines[0] and "KiB of stack left" in lines[0]
    assert "threading.stack_size(" in lines[0]
    assert lines[1].startswith("1000000000 ThreadStackError ")
    assert lines[2] == "start ThreadStackError"


@pytest.mark.parametrize("size_kib", [256, 512])
def test_a_thread_stack_size_set_first_sizes_the_wasm_stack(size_kib: int) -> None:
    lines = _run(size_kib, early=True)
    assert lines[0] == "100 1325"  # the host function ran at the deepest frame
    assert lines[1].startswith("1000000000 Trap ") and "call stack exhausted" in lines[1]
    assert lines[2] == "start Trap"


def test_a_main_thread_under_ulimit_s_512_traps() -> None:
    lines = _run(0, early=False, stack_rlimit=512 << 10)
    assert lines[0] == "100 1325"
    assert lines[1].startswith("1000000000 Trap ") and "call stack exhausted" in lines[1]
    assert lines[2] == "start Trap"
