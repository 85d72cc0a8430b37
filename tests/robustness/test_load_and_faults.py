"""Load and faults: threads and processes sharing modules, interpreter shutdown, and
traps or raising host functions that must leave everything else working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import wasmport

from . import threads_child

CHILD = Path(threads_child.__file__)
THREADS, ROUNDS = 8, 200


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def _run_child(moddir: Path, env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, str(CHILD), str(moddir), str(THREADS), str(ROUNDS)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _check(result: dict[str, Any]) -> None:
    assert result["alive"] == 0, "a thread did not finish: deadlock?"
    assert result["errors"] == []
    assert result["threads_done"] == THREADS
    assert result["distinct_modules"] == 1  # every thread got the same module objects
    assert result["instances"] == 2  # calc and user, each instantiated once
    assert result["n"] == THREADS * ROUNDS * 2  # every bump landed in the one instance


def test_eight_threads_import_and_call_the_same_modules(tmp_path: Path) -> None:
    threads_child.write_modules(str(tmp_path))
    result = _run_child(tmp_path, _env(WASMPORT_CACHE="0"))
    _check(result)
    assert result["compiles"] == {"calc.wat": 1, "user.wat": 1}


def test_processes_share_the_on_disk_cache(tmp_path: Path) -> None:
    moddir, cache = tmp_path / "mods", tmp_path / "cache"
    moddir.mkdir()
    threads_child.write_modules(str(moddir))
    env = _env(WASMPORT_CACHE="1", WASMPORT_CACHE_DIR=str(cache))
    args = [sys.executable, str(CHILD), str(moddir), str(THREADS), str(ROUNDS)]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env) for _ in range(2)]
    try:
        outputs = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:  # on a timeout, leave no process (or pipe) behind
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    compiles = {"calc.wat": 0, "user.wat": 0}
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0 and err == "", err
        result = json.loads(out)
        _check(result)
        for name, count in result["compiles"].items():
            assert count <= 1
            compiles[name] += count
    assert all(1 <= count <= 2 for count in compiles.values()), compiles
    warm = _run_child(moddir, env)  # a third process: everything comes from the cache
    _check(warm)
    assert warm["compiles"] == {"calc.wat": 0, "user.wat": 0}


SHUTDOWN = """
import sys
sys.path.insert(0, {moddir!r})
import wasmport.auto
import wasmport
import calc, user
assert user.twice(21) == 42 and user.triple(2) == 6
keep = [calc.add, calc.memory, wasmport.instance_of(calc).exports["n"], user]
other = wasmport.Realm(name="left-open")
mod = wasmport.compile('(module (table (export "t") 2 funcref) (func (export "f")))',
                       realm=other).instantiate()
keep += [mod.t, mod.f, wasmport.Memory(1, realm=other), wasmport.Global(1, realm=other)]
try:
    calc.boom()
except wasmport.Trap:
    pass
cycle = [keep]
cycle.append(cycle)
print("done")
"""


@pytest.mark.parametrize("cache", ["0", "1"])
def test_interpreter_shutdown_is_silent(tmp_path: Path, cache: str) -> None:
    threads_child.write_modules(str(tmp_path))
    code = SHUTDOWN.format(moddir=str(tmp_path))
    env = _env(WASMPORT_CACHE=cache, WASMPORT_CACHE_DIR=str(tmp_path / "cache"))
    for _ in range(2):  # the second run starts from a warm cache when it is on
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=60, env=env)
        assert (proc.returncode, proc.stderr, proc.stdout) == (0, "", "done\n")


def test_shutdown_with_a_thread_still_calling(tmp_path: Path) -> None:
    threads_child.write_modules(str(tmp_path))
    code = textwrap.dedent(f"""
        import sys, threading
        sys.path.insert(0, {str(tmp_path)!r})
        import wasmport.auto
        import calc
        def spin():
            while True:
                calc.add(1, 2)
        threading.Thread(target=spin, daemon=True).start()
        print("done")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=_env(WASMPORT_CACHE="0"))
    assert (proc.returncode, proc.stdout) == (0, "done\n")
    assert proc.stderr == ""


# -- faults in one instance leave the others working -------------------------------------------

FAULTY = """(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (global $n (export "n") (mut i32) (i32.const 0))
  (memory (export "memory") 1)
  (func (export "bump") (result i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n))
  (func (export "via_host") (param i32) (result i32) (call $host (local.get 0)))
  (func (export "unreachable") unreachable)
  (func (export "oob") (result i32) (i32.load (i32.const 70000)))
  (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func $deep (export "deep") (param i32) (result i32)
    (i32.add (i32.const 1) (call $deep (local.get 0)))))"""


class HostFailure(Exception):
    pass


def _host(x: int) -> int:
    if x < 0:
        raise HostFailure(x)
    return x * 10


def test_traps_and_host_exceptions_leave_the_realm_working(realm: wasmport.Realm) -> None:
    module = wasmport.compile(FAULTY, name="faulty", realm=realm)
    a = module.instantiate({"env": {"host": _host}})
    b = module.instantiate({"env": {"host": _host}})
    assert b.bump() == 1
    a.memory.write(0, b"abc")
    for fault in (a.unreachable, a.oob, lambda: a.div(0), lambda: a.deep(0)):
        with pytest.raises(wasmport.Trap):
            fault()
    with pytest.raises(HostFailure) as info:
        a.via_host(-3)
    assert info.value.args == (-3,)
    # The faulty instance, its sibling and the realm all still work.
    assert a.bump() == 1 and a.via_host(4) == 40 and a.memory.read(0, 3) == b"abc"
    assert b.bump() == 2 and b.n == 2
    c = module.instantiate({"env": {"host": _host}})
    assert c.via_host(1) == 10
    assert wasmport.compile('(module (func (export "f") (result i32) (i32.const 7)))',
                            realm=realm).instantiate().f() == 7


def test_a_trap_does_not_leave_a_stale_host_exception(realm: wasmport.Realm) -> None:
    """A host exception is re-raised once, at its own caller; the next trap is a Trap."""
    inst = wasmport.compile(FAULTY, realm=realm).instantiate({"env": {"host": _host}})
    with pytest.raises(HostFailure):
        inst.via_host(-1)
    with pytest.raises(wasmport.Trap):
        inst.unreachable()
    assert inst.via_host(2) == 20


START_TRAPS = """(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func $start (drop (call $host (i32.const -5))))
  (start $start))"""


def test_a_raising_start_function_leaves_the_realm_working(realm: wasmport.Realm) -> None:
    with pytest.raises(HostFailure):
        wasmport.compile(START_TRAPS, realm=realm).instantiate({"env": {"host": _host}})
    inst = wasmport.compile(FAULTY, realm=realm).instantiate({"env": {"host": _host}})
    assert inst.via_host(3) == 30


def test_a_start_functions_host_exception_is_raised_once(realm: wasmport.Realm) -> None:
    """It must not stay parked and come out again at the next, unrelated trap."""
    with pytest.raises(HostFailure):
        wasmport.compile(START_TRAPS, realm=realm).instantiate({"env": {"host": _host}})
    inst = wasmport.compile(FAULTY, realm=realm).instantiate({"env": {"host": _host}})
    with pytest.raises(wasmport.Trap, match="unreachable"):
        inst.unreachable()
    with pytest.raises(wasmport.Trap, match="unreachable"):
        wasmport.compile("(module (func $s unreachable) (start $s))", realm=realm).instantiate()


def test_a_failing_import_can_be_retried_and_others_still_import(modpath: Path) -> None:
    (modpath / "trapstart.wat").write_text('(module (func $s unreachable) (start $s))')
    (modpath / "fine.wat").write_text('(module (func (export "f") (result i32) (i32.const 1)))')
    for _ in range(2):
        with pytest.raises(wasmport.Trap):
            __import__("trapstart")
        assert "trapstart" not in sys.modules
    assert __import__("fine").f() == 1


def test_exit_does_not_wait_for_a_daemon_thread_stuck_in_a_call(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import threading, time, wasmport
        src = ('(module (import "env" "block" (func $b))'
               ' (func (export "run") call $b))')
        realm = wasmport.default_realm()
        mod = wasmport.compile(src, realm=realm).instantiate(
            {"env": {"block": lambda: time.sleep(3600)}})
        threading.Thread(target=mod.run, daemon=True).start()
        time.sleep(0.2)
        print("done")
    """)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=_env(WASMPORT_CACHE="0"))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "done\n", "")
    assert time.monotonic() - start < 30
