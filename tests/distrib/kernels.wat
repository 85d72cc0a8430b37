;; The wasm side of the distributed tests and of bench/bench_distributed.py.
;; square(x) counts its calls in the mutable global "calls": per-process state.
;; spin(n) is CPU-bound: n rounds of a 64-bit LCG, returning the last value.
(module
  (memory (export "memory") 1)
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (global (export "answer") i32 (i32.const 42))
  (table (export "table") 1 funcref)
  (elem (i32.const 0) $square)
  (func $square (export "square") (param $x i64) (result i64)
    global.get $calls i32.const 1 i32.add global.set $calls
    local.get $x local.get $x i64.mul)
  (func (export "spin") (param $n i32) (result i64)
    (local $v i64)
    (local.set $v (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 6364136223846793005))
                               (i64.const 1442695040888963407)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    local.get $v))
