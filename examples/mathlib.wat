;; A small library module: other wasm modules import it directly.
(module
  (memory (export "memory") 1)
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (func (export "square") (param $x i32) (result i32)
    global.get $calls i32.const 1 i32.add global.set $calls
    local.get $x local.get $x i32.mul))
