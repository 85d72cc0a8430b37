"""Child process for test_races and scripts/races: threads use the values of a realm
while the main thread closes it (``close-*``), or while the interpreter exits (``exit-*``,
daemon threads on the default realm).

usage: python race_child.py SCENARIO      (SCENARIO in SCENARIOS)
A crash is a signal or an abort; anything else ends with exit code 0 and one line
"ok <errors seen>", or exit code 1 and the error that is outside the contract.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import wasmport
from wasmport._realm import default_realm

WAT = """(module
  (import "py" "h" (func $h (param i32) (result i32)))
  (memory (export "m") 1)
  (table (export "t") 2 funcref)
  (global (export "g") (mut i32) (i32.const 0))
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "via_host") (param i32) (result i32) (call $h (local.get 0)))
  (elem (i32.const 0) $add))"""

THREADS = 4
KINDS = ("global", "memory", "view", "len", "grow", "table", "call", "host_call")
MIXED = "mixed"  # thread i does KINDS[i]: reads, writes and calls at once


def _accesses(inst: Any) -> dict[str, Callable[[int], Any]]:
    memory, table = inst.m, inst.t
    g = object.__getattribute__(inst, "_wasm_instance").export("g")  # the live Global

    def set_global(i: int) -> None:
        g.value = i

    return {
        "global": lambda i: (g.value, set_global(i)),
        "memory": lambda i: (memory.read(i % 1000, 16), memory.write(i % 1000, b"x" * 16)),
        "view": lambda i: len(memory.view()),  # taking one; a view used after close is not safe
        "len": lambda i: (len(memory), len(table), memory.pages),
        "grow": lambda i: (memory.grow(0), table.grow(0)),
        "table": lambda i: (table[0], table.__setitem__(1, table[0])),
        "call": lambda i: inst.add(i, 1),
        "host_call": lambda i: inst.via_host(i),
    }


def _access_for(inst: Any, kind: str, thread: int) -> Callable[[int], Any]:
    table = _accesses(inst)
    return table[KINDS[thread % len(KINDS)] if kind == MIXED else kind]


def _worker(access: Callable[[int], Any], seen: set[str], bad: list[str],
            stop: threading.Event) -> None:
    i = 0
    while not stop.is_set():
        i += 1
        try:
            access(i)
        except wasmport.RealmClosedError:
            seen.add("RealmClosedError")
            return
        except Exception as err:  # outside the contract: reported, not a crash
            bad.append(f"{type(err).__name__}: {err}")
            return


def close_race(kind: str, realm: Any) -> int:
    inst = realm.instantiate(wasmport.compile(WAT), {"py": {"h": lambda x: x + 1}})
    seen: set[str] = set()
    bad: list[str] = []
    stop = threading.Event()
    threads = [threading.Thread(target=_worker,
                                args=(_access_for(inst, kind, i), seen, bad, stop))
               for i in range(THREADS * (2 if kind == MIXED else 1))]
    for t in threads:
        t.start()
    time.sleep(0.02)
    realm.close()
    for t in threads:
        t.join(5)
    stop.set()
    if bad:
        print("bad", bad[0])
        return 1
    print("ok", *sorted(seen))
    return 0


def exit_race(kind: str) -> int:
    inst = default_realm().instantiate(wasmport.compile(WAT), {"py": {"h": lambda x: x + 1}})
    seen: set[str] = set()
    stop = threading.Event()
    for i in range(THREADS * (2 if kind == MIXED else 1)):
        threading.Thread(target=_worker, args=(_access_for(inst, kind, i), seen, [], stop),
                         daemon=True).start()
    time.sleep(0.02)
    print("ok")
    sys.stdout.flush()
    return 0  # the interpreter now exits under the daemon threads


SCENARIOS = [f"{mode}-{k}" for mode in ("close", "exit") for k in (*KINDS, MIXED)]


def main(scenario: str) -> int:
    mode, _, kind = scenario.partition("-")
    if scenario not in SCENARIOS:
        raise SystemExit(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS)}")
    if mode == "close":
        return close_race(kind, wasmport.Realm())
    return exit_race(kind)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONFAULTHANDLER", "1")
    sys.exit(main(sys.argv[1]))
