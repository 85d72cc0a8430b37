;; A guest of the "kv" host module (kvstore.py).  The signatures are the lowered
;; types of the methods: String and Bytes are (ptr, len), Buffer is (ptr, cap),
;; Pointer[T] is one address, Errno is one i32 result (0 = success).
(module
  (import "kv" "put"      (func $put  (param i32 i32 i32 i32) (result i32)))
  (import "kv" "get"      (func $get  (param i32 i32 i32 i32 i32) (result i32)))
  (import "kv" "stat"     (func $stat (param i32 i32 i32) (result i32)))
  (import "kv" "log_line" (func $log  (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0)  "greeting")         ;; key at 0, 8 bytes
  (data (i32.const 16) "hello from wasm")  ;; value at 16, 15 bytes
  (data (i32.const 32) "stored a greeting");; log line at 32, 17 bytes
  ;; 64: u32 length out-parameter; 128: the read buffer (64 bytes); 256: struct Stat

  (func (export "store") (result i32)
    (call $log (i32.const 32) (i32.const 17))
    (call $put (i32.const 0) (i32.const 8) (i32.const 16) (i32.const 15)))

  ;; the value's length, or -errno; the value lands at 128
  (func (export "load") (param $cap i32) (result i32)
    (local $err i32)
    (local.set $err (call $get (i32.const 0) (i32.const 8) (i32.const 128) (local.get $cap)
                               (i32.const 64)))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load (i32.const 64)))))

  ;; errno; the Stat lands at 256
  (func (export "stat") (result i32)
    (call $stat (i32.const 0) (i32.const 8) (i32.const 256)))

  ;; a pointer past the end of memory: the host call traps, nothing is written
  (func (export "bad") (result i32)
    (call $put (i32.const 65530) (i32.const 100) (i32.const 16) (i32.const 15))))
