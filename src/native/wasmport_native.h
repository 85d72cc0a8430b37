/* wasmport._engine._ext: the hot paths of wasmport's raw call layer in C.
 *
 * The engine is the libwasmtime that the `wasmtime` package already loaded: its
 * symbols arrive as addresses from Python (init()), so there is no link-time
 * dependency and no second copy of the engine.  The few declarations below are
 * ours; the ABI facts they rest on (wasmtime 50.x C API) are exported as
 * _native.ABI and pinned by tests/fast/test_abi.py against wasmtime-py's bindings.
 */
#ifndef WASMPORT_NATIVE_H
#define WASMPORT_NATIVE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The GIL guards every piece of state here (counters, the RLock's owner). */
#ifdef Py_GIL_DISABLED
#error "wasmport._engine._ext needs the GIL; free-threaded builds use the ctypes layer"
#endif
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <pythread.h>

/* -- the engine's types (opaque, or laid out as wasmtime.h 50.x lays them out) -- */

typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasmtime_caller wasmtime_caller_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasm_functype_t wasm_functype_t;

typedef struct {
    uint64_t store_id;
    void *private_;
} wp_func_t; /* wasmtime_func_t */

typedef struct {
    struct {
        uint64_t store_id;
        uint32_t private1;
    } anon;  /* its own padding: private2 sits at offset 16, the whole is 24 bytes */
    uint32_t private2;
} wp_memory_t; /* wasmtime_memory_t */

typedef union {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t v128[16];
    uint32_t anyref;
    uint32_t externref;
    void *funcref;
} wp_val_raw_t; /* wasmtime_val_raw_t: one 16-byte slot */

typedef wasm_trap_t *(*wp_callback_t)(void *env, wasmtime_caller_t *caller,
                                      wp_val_raw_t *args_and_results, size_t n);

typedef struct {
    wasmtime_error_t *(*call_unchecked)(wasmtime_context_t *, const wp_func_t *,
                                        wp_val_raw_t *, size_t, wasm_trap_t **);
    void (*func_new_unchecked)(wasmtime_context_t *, const wasm_functype_t *, wp_callback_t,
                               void *env, void (*finalizer)(void *), wp_func_t *ret);
    wasm_trap_t *(*trap_new)(const char *, size_t);
    uint8_t *(*memory_data)(const wasmtime_context_t *, const wp_memory_t *);
    size_t (*memory_data_size)(const wasmtime_context_t *, const wp_memory_t *);
} wp_engine_t;

extern wp_engine_t wp_engine;
/* instance.c: one more instance from an InstancePre */
typedef struct {
    wasmtime_error_t *(*pre_instantiate)(const void *pre, wasmtime_context_t *, void *out,
                                         wasm_trap_t **);
} wp_instances_t;

extern wp_instances_t wp_instances;
PyObject *wp_pre_instantiate(PyObject *module, PyObject *const *args, Py_ssize_t nargs);

typedef struct {
    size_t size;
    void **data;
} wp_valtype_vec_t; /* wasm_valtype_vec_t */

/* exports.c: the first use of an export */
typedef struct {
    bool (*instance_export_get)(wasmtime_context_t *, const void *instance, const char *name,
                                size_t name_len, void *item);
    wasm_functype_t *(*func_type)(const wasmtime_context_t *, const wp_func_t *);
    const wp_valtype_vec_t *(*functype_params)(const wasm_functype_t *);
    const wp_valtype_vec_t *(*functype_results)(const wasm_functype_t *);
    uint8_t (*valtype_kind)(const void *valtype);
    void (*functype_delete)(wasm_functype_t *);
    void (*extern_delete)(void *item);
} wp_exports_t;

extern wp_exports_t wp_exports;
PyObject *wp_export_func(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *wp_export_layouts(void);
extern int wp_bound; /* init() succeeded */
extern PyObject *wp_fallback_message; /* bytes: the trap message when all else fails */

/* -- value kinds, as the Python side encodes them in a bytes object -- */

enum { K_I32 = 0, K_I64 = 1, K_F32 = 2, K_F64 = 3, K_V128 = 4, K_COUNT = 5 };
extern const char *const wp_kind_names[K_COUNT];

/* convert.c */
int wp_fast_store(int kind, PyObject *value, wp_val_raw_t *slot, int strict);
int wp_store_converted(int kind, PyObject *value, wp_val_raw_t *slot);
PyObject *wp_lift(int kind, const wp_val_raw_t *slot);
int wp_check_kinds(PyObject *kinds, const char *what);
/* vector.c */
int wp_v128_store(PyObject *value, wp_val_raw_t *slot);
int wp_v128_store_converted(PyObject *value, wp_val_raw_t *slot);
PyObject *wp_v128_lift(const wp_val_raw_t *slot);
PyObject *wp_fetch_exception(void);
void wp_raise_with_context(PyObject *original);
void wp_restore(PyObject *exc);
PyObject *wp_interned(const char *text);

/* caller.c, host.c, window.c */
extern PyTypeObject WpCaller_Type;
extern PyTypeObject WpWindow_Type;
PyObject *wp_new_caller(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *wp_new_host_func(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *wp_live_host_funcs(PyObject *module, PyObject *unused);

typedef struct {
    PyObject_HEAD
    void *ctx;
    wp_memory_t memory;
    int bound;
    PyObject *store;   /* alive while store._Store__context is ctx_ref */
    PyObject *ctx_ref;
    PyObject *closed;  /* raises when the store is closed */
    PyObject *fail;    /* fail(offset, length, size) -> the MemoryAccessError to raise */
} WpWindow;

typedef struct {
    PyObject_HEAD
    PyThread_type_lock wakeup; /* held, except to pass one wake-up to a waiter */
    unsigned long owner;       /* thread ident while count > 0 */
    unsigned long count;
    Py_ssize_t waiters;
    int signaled;              /* a wake-up is pending */
} WpRLock;

extern PyTypeObject WpRLock_Type;
/* 0, or -1 with an error set; `*waited` set when the GIL was let go meanwhile. */
int wp_rlock_acquire(WpRLock *lock, int *waited);
int wp_rlock_release(WpRLock *lock);

/* interrupt.c: SIGINT and timeouts (the epoch-deadline callback) */
int wp_intr_enter(void);
void wp_intr_leave(int entered);
int wp_intr_host_enter(void);
void wp_intr_host_leave(int left);
PyObject *wp_interrupts_init(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *wp_interrupts_add_engine(PyObject *module, PyObject *address);
PyObject *wp_interrupts_install(PyObject *module, PyObject *ident);
PyObject *wp_interrupts_main(PyObject *module, PyObject *ident);
void wp_intr_reinstall(void);
PyObject *wp_interrupts_watch(PyObject *module, PyObject *address);
PyObject *wp_interrupts_arm(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *wp_interrupts_take(PyObject *module, PyObject *unused);
wasmtime_error_t *wp_error_new(const char *message);

/* stack.c: refusing threads whose stack cannot hold wasm */
size_t wp_stack_left(void);
int wp_stack_room(void);
wasmtime_error_t *wp_stack_refused(void);
PyObject *wp_stack_setup(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *wp_stack_left_py(PyObject *module, PyObject *unused);

int wp_store_alive(PyObject *store, PyObject *ctx_ref);
int wp_raise_closed(PyObject *closed, PyObject *label, PyObject *where);
PyObject *wp_enable_module_getattr(PyObject *module, PyObject *cls);

#endif
