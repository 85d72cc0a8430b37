"""One compile per machine: processes that start cold together compile a module once."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import AbstractContextManager
from pathlib import Path

import wasmtime

from wasmport._compile import codecache as _codecache
from wasmport._engine.config import EngineConfig
from wasmtest import write

from .support import probe

SMALL = '(module (func (export "f") (result i32) i32.const 7))'


def slow_module(directory: Path, count: int = 3000) -> Path:
    """A module that takes a good fraction of a second to compile."""
    def body(i: int) -> str:
        return (f'(func (export "f{i}") (param $a i32) (result i32) (local $i i32)'
                f' (block $out (loop $top (br_if $out (i32.ge_u (local.get $i)'
                f' (i32.const {i % 50 + 3})))'
                f' (local.set $a (i32.add (i32.mul (local.get $a) (i32.const {i | 1}))'
                f' (i32.load (i32.and (local.get $i) (i32.const 1020)))))'
                f' (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $top)))'
                f' (local.get $a))')
    funcs = " ".join(body(i) for i in range(count))
    return write(directory, "slow.wat",
                 f'(module (memory 1) {funcs} (func (export "f") (result i32) i32.const 7))')


GATED = textwrap.dedent("""
    import json, sys, wasmport
    print("ready", flush=True)
    sys.stdin.readline()
    mod = wasmport.load(sys.argv[1])
    print(json.dumps({"f": mod.f(), "compiles": wasmport.instance_of(mod).module._asset.compiles}))
""")


def _start(path: Path, cache: Path, **env: str) -> subprocess.Popen[str]:
    full = dict(os.environ, WASMPORT_CACHE_DIR=str(cache), **env)
    return subprocess.Popen([sys.executable, "-c", GATED, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full)


def _finish(procs: list[subprocess.Popen[str]]) -> list[dict[str, int]]:
    try:
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0 and err == "", err
    return [json.loads(out) for out, _ in outputs]


def _ready(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        assert p.stdout is not None and p.stdout.readline() == "ready\n"


def test_four_cold_processes_compile_once(tmp_path):
    path, cache = slow_module(tmp_path), tmp_path / "cache"
    procs = [_start(path, cache) for _ in range(4)]
    _ready(procs)
    for p in procs:  # all at once
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = _finish(procs)
    assert [r["f"] for r in results] == [7] * 4
    assert sorted(r["compiles"] for r in results) == [0, 0, 0, 1]
    assert not list((cache / "v1" / "code").glob("*.lock"))  # the holder removed it


def _lock_path(cache: Path) -> list[Path]:
    return list((cache / "v1" / "code").glob("*.lock"))


def test_a_holder_that_dies_blocks_nobody(tmp_path):
    path, cache = slow_module(tmp_path), tmp_path / "cache"
    [holder] = procs = [_start(path, cache)]
    _ready(procs)
    assert holder.stdin is not None
    holder.stdin.write("go\n")
    holder.stdin.flush()
    deadline = time.monotonic() + 60
    while not _lock_path(cache) and time.monotonic() < deadline:
        time.sleep(0.005)
    holder.send_signal(signal.SIGKILL)  # while it compiles, holding the lock
    holder.communicate(timeout=60)
    assert holder.returncode == -signal.SIGKILL
    assert _lock_path(cache) and not list((cache / "v1" / "code").glob("*.cwasm"))
    started = time.monotonic()
    assert probe(path, cache)[0]["compiles"] == 1  # the kernel released the dead one's lock
    assert time.monotonic() - started < 60
    assert not _lock_path(cache)


def _held(cache: Path, text: str) -> AbstractContextManager[bool]:
    """This process holding the lock a load of ``text`` would take."""
    digest = hashlib.sha256(wasmtime.wat2wasm(text)).hexdigest()
    return _codecache.CodeCache(str(cache)).compiling(EngineConfig().key(), digest, "m.wat")


def test_a_waiting_process_loads_what_the_holder_stored_and_the_off_switch_takes_no_lock(
        tmp_path):
    path, cache = write(tmp_path, "m.wat", SMALL), tmp_path / "cache"
    with _held(cache, SMALL) as held:
        assert held is True
        waiting, off = _start(path, cache), _start(path, cache, WASMPORT_CACHE="0")
        _ready([waiting, off])
        for p in (waiting, off):
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        assert _finish([off]) == [{"f": 7, "compiles": 1}]  # WASMPORT_CACHE=0: no lock
        time.sleep(0.5)
        assert waiting.poll() is None  # still waiting for this process's lock
    assert _finish([waiting]) == [{"f": 7, "compiles": 1}]  # nothing was stored: it compiled


FORKING_HOLDER = textwrap.dedent("""
    import os, sys, time
    from wasmport._compile import codecache
    lock = codecache.CodeCache(sys.argv[1]).compiling("k", "0" * 64, "m.wat")
    lock.__enter__()
    child = os.fork()
    if child == 0:  # a long-lived child, as a worker pool's would be
        time.sleep(60)
        os._exit(0)
    print(child, flush=True)
    sys.stdin.readline()
    lock.__exit__(None, None, None)
    print("released", flush=True)
    sys.stdin.readline()
""")
WAITER = textwrap.dedent("""
    import sys
    from wasmport._compile import codecache
    print("waiting", flush=True)
    with codecache.CodeCache(sys.argv[1]).compiling("k", "0" * 64, "m.wat") as held:
        print("got", held, flush=True)
""")


def test_a_forked_child_does_not_keep_the_lock(tmp_path):
    cache = str(tmp_path / "cache")
    holder = subprocess.Popen([sys.executable, "-c", FORKING_HOLDER, cache], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdin is not None
    child = int(holder.stdout.readline())
    waiter = subprocess.Popen([sys.executable, "-c", WAITER, cache], text=True,
                              stdout=subprocess.PIPE)
    try:
        assert waiter.stdout is not None and waiter.stdout.readline() == "waiting\n"
        time.sleep(0.3)  # the waiter now blocks on the lock
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline() == "released\n"
        out, _ = waiter.communicate(timeout=20)  # not the 60 s the child lives
        assert out == "got True\n"
    finally:
        os.kill(child, signal.SIGKILL)
        holder.communicate("\n", timeout=20)
        if waiter.poll() is None:
            waiter.kill()
            waiter.communicate()
