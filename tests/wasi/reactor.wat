;; A WASI reactor (a library): "_initialize" runs once at instantiation; "greet"
;; writes a line to stdout with fd_write and returns its errno (0 = success);
;; "env_count" returns how many environment variables the guest can see.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from a reactor\n")
  (global $initialized (export "initialized") (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $initialized (i32.const 1)))
  (func (export "greet") (result i32)
    ;; one iovec at 0: { base = 16, len = 21 }; the count written goes to 8
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 21))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "env_count") (result i32)
    (drop (call $environ_sizes_get (i32.const 32) (i32.const 36)))
    (i32.load (i32.const 32))))
