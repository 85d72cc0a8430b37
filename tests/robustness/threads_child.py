"""Child process for test_load_and_faults: N threads import and call the same wasm
modules through the default realm, with the import hook installed.

usage: python threads_child.py MODULE_DIR THREADS ROUNDS
Prints one JSON object; exits 0 unless something went wrong outside the threads.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import traceback

CALC = """(module
  (global $n (export "n") (mut i32) (i32.const 0))
  (memory (export "memory") 1)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "bump") (result i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n))
  (func (export "put") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "get") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "boom") unreachable))"""

USER = """(module
  (import "calc" "add" (func $add (param i32 i32) (result i32)))
  (import "calc" "bump" (func $bump (result i32)))
  (import "hostpy" "triple" (func $triple (param i32) (result i32)))
  (func (export "twice") (param i32) (result i32) (call $add (local.get 0) (local.get 0)))
  (func (export "bump2") (result i32) (call $bump))
  (func (export "triple") (param i32) (result i32) (call $triple (local.get 0))))"""

HOSTPY = """__wasm_exports__ = ["triple"]
def triple(x):
    return 3 * x
"""


def write_modules(directory: str) -> None:
    for name, text in (("calc.wat", CALC), ("user.wat", USER), ("hostpy.py", HOSTPY)):
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)


def worker(index: int, rounds: int, barrier: threading.Barrier, seen: list[object],
           errors: list[str]) -> None:
    try:
        barrier.wait(timeout=30)
        user = importlib.import_module("user")
        calc = importlib.import_module("calc")
        seen.append((id(user), id(calc)))
        slot = 16 * index
        for i in range(rounds):
            assert user.twice(i) == 2 * i, "twice"
            assert calc.add(i, index) == i + index, "add"
            assert user.triple(i) == 3 * i, "triple"
            calc.bump()
            user.bump2()
            calc.put(slot, i)
            assert calc.get(slot) == i, "memory"
            assert calc.n >= 0
            if i % 50 == 0:
                try:
                    calc.boom()
                except Exception as err:  # noqa: BLE001 - checked by type below
                    assert type(err).__name__ == "Trap", repr(err)
    except BaseException:  # noqa: BLE001 - reported to the parent
        errors.append(f"thread {index}: {traceback.format_exc()}")


def main() -> int:
    directory, threads, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    write_modules(directory) if not os.path.exists(os.path.join(directory, "calc.wat")) else None
    sys.path.insert(0, directory)
    import wasmport
    from wasmport._compile import assets as _assets

    wasmport.install()
    barrier = threading.Barrier(threads)
    seen: list[object] = []
    errors: list[str] = []
    pool = [threading.Thread(target=worker, args=(i, rounds, barrier, seen, errors),
                             daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    calc = sys.modules.get("calc")
    result = {
        "alive": sum(t.is_alive() for t in pool),
        "errors": errors,
        "distinct_modules": len(set(seen)),
        "threads_done": len(seen),
        "n": calc.n if calc is not None else None,
        "compiles": {name: _assets.asset_for_file(os.path.join(directory, name)).compile_count()
                     for name in ("calc.wat", "user.wat")},
        "instances": sum(1 for key in wasmport.default_realm()._cache if key[1] == "instance"),
    }
    print(json.dumps(result))
    sys.stdout.flush()
    if result["alive"]:
        os._exit(3)  # a stuck thread: do not wait for it at exit
    return 0


if __name__ == "__main__":
    sys.exit(main())
