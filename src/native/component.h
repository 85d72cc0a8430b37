/* Component calls (component.c, component_new.c): the few parts of wasmtime's
 * component C API (wasmtime 50.x, wasmtime/component/val.h, func.h) they touch. */
#ifndef WASMPORT_COMPONENT_H
#define WASMPORT_COMPONENT_H

#include "wasmport_native.h"

/* wasmtime_component_valkind_t: the scalars and string */
enum { WP_BOOL = 0, WP_S8, WP_U8, WP_S16, WP_U16, WP_S32, WP_U32, WP_S64, WP_U64,
       WP_F32, WP_F64, WP_CHAR, WP_STRING, WP_SCALARS };

enum { WP_RECORD = 14, WP_RECORD_FIELDS = 16 };

typedef struct wp_centry wp_centry_t;

typedef struct {
    uint8_t kind;
    union {
        bool boolean;
        int8_t s8;
        uint8_t u8;
        int16_t s16;
        uint16_t u16;
        int32_t s32;
        uint32_t u32;
        int64_t s64;
        uint64_t u64;
        float f32;
        double f64;
        struct { size_t len; const char *data; } str;  /* wasm_name_t */
        struct { size_t size; wp_centry_t *data; } record;
        uint8_t whole[24];
    } of;
} wp_cval_t; /* wasmtime_component_val_t: 32 bytes, the union at offset 8 */

struct wp_centry {
    struct { size_t size; const char *data; } name;
    wp_cval_t val;
}; /* wasmtime_component_valrecord_entry_t: 48 bytes, the value at offset 16 */

typedef struct {
    uint8_t bytes[32];
} wp_cfunc_t; /* wasmtime_component_func_t: plain data, copied */

typedef struct {
    void *(*func_call)(const wp_cfunc_t *, wasmtime_context_t *, const wp_cval_t *, size_t,
                       wp_cval_t *, size_t);
    void (*val_delete)(wp_cval_t *);
    void *(*error_new)(const char *);
} wp_component_engine_t;

extern wp_component_engine_t wp_component_engine;

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    wp_cfunc_t func;
    wasmtime_context_t *ctx;
    Py_ssize_t nparams;
    const unsigned char *kinds;  /* one wasmtime_component_valkind_t per parameter */
    int result_kind;             /* or -1: no result */
    PyObject *kinds_bytes;
    PyObject *records;           /* per parameter, then the result: a record's spec or None */
    PyObject *state;             /* InstanceState: .gate, .alert */
    PyObject *slow;              /* the Python wrapper: every case but the plain one */
    PyObject *fail;              /* fail(error address) -> the exception to raise */
    PyObject *dict;
} WpComponentFunc;

extern PyTypeObject WpComponentFunc_Type;
PyObject *wp_component_vectorcall(PyObject *op, PyObject *const *args, size_t nargsf,
                                  PyObject *kwnames);
int wp_component_strings(void);
PyObject *wp_component_bind(PyObject *module, PyObject *addresses);
PyObject *wp_component_func(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *wp_component_raw_call(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *wp_component_abi(void);
PyObject *wp_component_lift(int kind, wp_cval_t *val, int owned);
int wp_component_lower(int kind, PyObject *v, wp_cval_t *val);

/* component_record.c */
int wp_record_lower(PyObject *spec, PyObject *obj, wp_cval_t *val, wp_centry_t *entries,
                    PyObject **refs, Py_ssize_t *nrefs);
PyObject *wp_record_lift(PyObject *spec, wp_cval_t *val);
int wp_record_specs_ok(PyObject *records, PyObject *kinds, int result_kind);

/* component_plan.c: a host function of scalars (and string parameters) run from C */
typedef struct {
    PyObject_HEAD
    PyObject *state;   /* InstanceState: .gate counts host calls running */
    PyObject *target;  /* the implementation */
    PyObject *check;   /* check(value) -> the value to write, or raises (exact words) */
    PyObject *kinds_bytes;
    const unsigned char *kinds;
    Py_ssize_t nparams;
    int result_kind;   /* a scalar kind, or -1: no result */
    PyObject *weakrefs;
} WpComponentHost;

extern PyTypeObject WpComponentHost_Type;
int wp_component_host_run(WpComponentHost *plan, wp_cval_t *args, size_t nargs,
                          wp_cval_t *results);
PyObject *wp_component_host_plan(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *wp_component_host(PyObject *module, PyObject *const *args, Py_ssize_t nargs);
PyObject *wp_component_live_hosts(PyObject *module, PyObject *unused);

#endif
