"""Through wasmport's public API, the native layer behaves as the ctypes layer does: one
script, run on each (the default, and WASMPORT_NO_NATIVE=1), prints the same outcomes line
for line.  (The whole suite also runs on each: scripts/test.)
"""

from __future__ import annotations

from .conftest import run_isolated

SCRIPT = """
import sys
import wasmport
from wasmport._engine import calls
assert calls.layer() == sys.argv[1], calls.layer()
from wasmport.types import Bytes, Int32, Int64, String, Uint32

class Env(wasmport.HostModule, name="env"):
    seen = []

    @wasmport.export
    def add(self, a: Int32, b: Int32) -> Int32:
        return a + b

    @wasmport.export
    def size(self, data: Bytes) -> Int32:
        return len(data)

    @wasmport.export
    def chars(self, text: String, bias: Int32) -> Int32:
        Env.seen.append(text)
        if text == "boom":
            raise LookupError(text)
        return len(text) + bias

    @wasmport.export
    def wide(self, x: Int32) -> Uint32:
        return x

GUEST = r'''(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "size" (func $size (param i32 i32) (result i32)))
  (import "env" "chars" (func $chars (param i32 i32 i32) (result i32)))
  (import "env" "wide" (func $wide (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello\\ff boom")
  (func $start (drop (call $chars (i32.const 0) (i32.const 5) (i32.const 100))))
  (start $start)
  (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
  (func (export "size") (param i32 i32) (result i32) (call $size (local.get 0) (local.get 1)))
  (func (export "chars") (param i32 i32 i32) (result i32)
    (call $chars (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wide") (param i32) (result i32) (call $wide (local.get 0)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1))))'''

def show(fn, *args):
    try:
        print(repr(fn(*args)))
    except BaseException as e:
        print(type(e).__name__, e)

realm = wasmport.Realm(name="wired")
mod = wasmport.compile(GUEST, realm=realm).instantiate({"env": Env})
print(Env.seen)
for args in [(1, 2), (2**31 - 1, 1), (2**32, 0), (1.5, 1), (1,), (1, 2, 3)]:
    show(mod.add, *args)
for args in [(0, 5), (65530, 6), (65530, 7), (-1, 2), (0, 0)]:
    show(mod.size, *args)
for args in [(0, 5, 1), (4, 2, 0), (7, 4, 0), (65535, 2, 0), (0, 5, 2**31 - 1)]:
    show(mod.chars, *args)
for args in [(-1,), (5,)]:
    show(mod.wide, *args)
show(mod.add64, 2**63, 2**63)
show(mod.memory.read, 0, 5)
show(mod.memory.read, 65535, 2)
show(mod.memory.write, 65535, b"ab")
show(mod.memory.write, 3, "text")
show(len, mod.memory)
realm.close()
show(mod.add, 1, 2)
show(mod.add64, 1, 2)
show(mod.memory.read, 0, 1)
"""


def test_the_public_api_behaves_the_same_on_both_layers() -> None:
    ctypes_run = run_isolated(SCRIPT, "ctypes", env={"WASMPORT_NO_NATIVE": "1"})
    native_run = run_isolated(SCRIPT, "native", env={"WASMPORT_NO_NATIVE": ""})
    assert ctypes_run.returncode == native_run.returncode == 0, (ctypes_run.stderr,
                                                                 native_run.stderr)
    lines = ctypes_run.stdout.splitlines()
    assert len(lines) == 28 and "LookupError boom" in lines and "['hello']" in lines
    assert native_run.stdout.splitlines() == lines
