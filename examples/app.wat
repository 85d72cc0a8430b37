;; Imports another wasm module (mathlib: wired engine-to-engine, no Python in between)
;; and a Python module that opts in (console.py defines __wasm_exports__).
(module
  (import "mathlib" "square" (func $square (param i32) (result i32)))
  (import "console" "log" (func $log (param i32 i32)))
  (func (export "sum_of_squares") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.gt_s (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $square (local.get $i))))
        (call $log (local.get $i) (local.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    local.get $acc))
