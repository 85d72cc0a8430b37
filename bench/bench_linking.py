"""Goal 6: calls between linked wasm modules stay native (no Python hop)."""

from __future__ import annotations

import time

from _common import Row

import wasmport

LIB = '(module (func (export "inc") (param i32) (result i32) local.get 0 i32.const 1 i32.add))'
LOOP = """(module
  {head}
  (func (export "run") (param $n i32) (result i32)
    (local $acc i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (call $inc (local.get $acc)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    local.get $acc))"""
IMPORTED = '(import "lib" "inc" (func $inc (param i32) (result i32)))'
LOCAL = '(func $inc (param i32) (result i32) local.get 0 i32.const 1 i32.add)'


def _calls_per_second(run: object, n: int) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        assert run(n) == n  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return n / best


def rows(quick: bool) -> list[Row]:
    n = 2_000_000 if quick else 20_000_000
    with wasmport.Realm() as realm:
        lib = wasmport.compile(LIB, realm=realm).instantiate()
        linked = wasmport.compile(LOOP.format(head=IMPORTED), realm=realm).instantiate(
            {"lib": lib})
        local = wasmport.compile(LOOP.format(head=LOCAL), realm=realm).instantiate()
        cross = _calls_per_second(linked.run, n)
        inner = _calls_per_second(local.run, n)
        via_python = wasmport.compile(LOOP.format(head=IMPORTED), realm=realm).instantiate(
            {"lib": {"inc": lambda x: x + 1}})
        python_rate = _calls_per_second(via_python.run, 20_000)
    return [Row("6", "wasm->wasm call between linked modules, calls/s (vs one module)",
                cross, inner, "calls/s", "native: >= 10% of in-module rate",
                cross >= 0.1 * inner,
                f"in-module {inner:,.0f}/s; through a Python callable {python_rate:,.0f}/s")]
