/* wasm -> Python: a C trampoline registered with wasmtime_func_new_unchecked.
 *
 * Per call: take the GIL (the engine may call from a thread that released it),
 * lift the parameters, call the Python callable, store its results in the
 * slots.  Any failure, including a result that does not fit, is handed to
 * `failed(exc)` (the ctypes layer's trap_for: on_error(exc), then a new trap
 * whose message carries HOST_EXCEPTION_MARKER) and that trap goes back to the
 * engine.  No exception ever stays set when the trampoline returns.
 *
 * Two shapes:
 *   plain   fn([caller,] *params)             params as signed ints / floats
 *   lifted  fn(*lifted), lifts from `window`:  a value slot, or (ptr, len) as
 *           bytes / UTF-8 str.  When the window is unbound or a lift fails (out
 *           of bounds, invalid UTF-8), fallback(caller, *params) runs instead and
 *           raises the precise error.
 *
 * Results: an inline test (exact int in range, exact float; `strict`: only the
 * signed range), else check(r) -> the tuple of values to store, each tested
 * again; anything still odd goes to validate(shaped) (the ctypes layer's
 * host_results), which raises or returns what to store.
 */
#include "host.h"

PyObject *wp_fallback_message;  /* bytes, set by init() */

/* -- arguments --------------------------------------------------------------- */

/* fn(argv[0..n)) with argv cleared afterwards. */
static PyObject *
call_and_clear(PyObject *fn, PyObject **argv, Py_ssize_t n)
{
    PyObject *r = PyObject_Vectorcall(fn, argv, n, NULL);
    for (Py_ssize_t i = 0; i < n; i++)
        Py_DECREF(argv[i]);
    return r;
}

/* [caller,] params as Python numbers into argv; the count, or -1. */
static Py_ssize_t
raw_args(HostEnv *env, wasmtime_caller_t *caller, wp_val_raw_t *slots, PyObject **argv,
         int with_caller)
{
    Py_ssize_t n = 0, i;
    if (with_caller && (argv[n++] = PyLong_FromVoidPtr(caller)) == NULL)
        return -1;
    for (i = 0; i < env->nparams; i++) {
        if ((argv[n] = wp_lift(env->data[i], &slots[i])) == NULL) {
            while (n > 0)
                Py_DECREF(argv[--n]);
            return -1;
        }
        n++;
    }
    return n;
}

static PyObject *
call_raw(HostEnv *env, PyObject *fn, wasmtime_caller_t *caller, wp_val_raw_t *slots,
         int with_caller)
{
    PyObject *local[LOCAL_ARGS + 1], **argv = local, *r = NULL;
    Py_ssize_t n;
    if (env->nparams >= LOCAL_ARGS &&
        (argv = PyMem_Malloc(sizeof(PyObject *) * (env->nparams + 1))) == NULL)
        return PyErr_NoMemory();
    n = raw_args(env, caller, slots, argv, with_caller);
    if (n >= 0)
        r = call_and_clear(fn, argv, n);
    if (argv != local)
        PyMem_Free(argv);
    return r;
}

/* One (ptr, len) lift; NULL without an error set means "not liftable: fall back". */
static PyObject *
lift_span(int kind, const uint8_t *base, size_t size, const wp_val_raw_t *slots, int slot)
{
    uint64_t ptr = (uint32_t)slots[slot].i32, len = (uint32_t)slots[slot + 1].i32;
    PyObject *out;
    if (ptr + len > size)
        return NULL;
    if (kind == LIFT_BYTES)
        return PyBytes_FromStringAndSize((const char *)base + ptr, (Py_ssize_t)len);
    out = PyUnicode_DecodeUTF8((const char *)base + ptr, (Py_ssize_t)len, "strict");
    if (out == NULL && PyErr_ExceptionMatches(PyExc_Exception))
        PyErr_Clear();  /* invalid UTF-8: the fallback raises the plan's own error */
    return out;
}

/* Lift every parameter into argv: 1 done, 0 to fall back, -1 on error. */
static int
lift_args(HostEnv *env, wp_val_raw_t *slots, PyObject **argv)
{
    WpWindow *w = env->window;
    size_t size = wp_engine.memory_data_size(w->ctx, &w->memory);
    const uint8_t *base = wp_engine.memory_data(w->ctx, &w->memory);
    Py_ssize_t i;
    for (i = 0; i < env->nlifts; i++) {
        int kind = LIFT_KIND(env, i), slot = LIFT_SLOT(env, i);
        argv[i] = kind == LIFT_VALUE ? wp_lift(env->data[slot], &slots[slot])
                                     : lift_span(kind, base, size, slots, slot);
        if (argv[i] == NULL) {
            while (i > 0)
                Py_DECREF(argv[--i]);
            return PyErr_Occurred() ? -1 : 0;
        }
    }
    return 1;
}

/* The lifted shape; `*fallback` says whether fallback() produced the result. */
static PyObject *
call_lifted(HostEnv *env, wasmtime_caller_t *caller, wp_val_raw_t *slots, int *fallback)
{
    PyObject *local[LOCAL_ARGS], **argv = local, *r = NULL;
    int rc;
    *fallback = 0;
    if (env->window->bound) {
        if (env->nlifts > LOCAL_ARGS &&
            (argv = PyMem_Malloc(sizeof(PyObject *) * env->nlifts)) == NULL)
            return PyErr_NoMemory();
        rc = lift_args(env, slots, argv);
        if (rc > 0)
            r = call_and_clear(env->fn, argv, env->nlifts);
        if (argv != local)
            PyMem_Free(argv);
        if (rc != 0)
            return r;
    }
    *fallback = 1;
    return call_raw(env, env->fallback, caller, slots, 1);
}

/* -- results ----------------------------------------------------------------- */

static int
store_inline(HostEnv *env, PyObject *r, wp_val_raw_t *slots, int strict)
{
    if (env->nresults == 1)
        return wp_fast_store(RESULT_KIND(env, 0), r, &slots[0], strict);
    if (!PyTuple_CheckExact(r) || PyTuple_GET_SIZE(r) != env->nresults)
        return 0;
    for (Py_ssize_t i = 0; i < env->nresults; i++)
        if (!wp_fast_store(RESULT_KIND(env, i), PyTuple_GET_ITEM(r, i), &slots[i], strict))
            return 0;
    return 1;
}

/* What validate() (host_results) returned: the exact values to store. */
static int
store_validated(HostEnv *env, PyObject *shaped, wp_val_raw_t *slots)
{
    PyObject *t = PyObject_CallOneArg(env->validate, shaped), *seq;
    int rc = 0;
    if (t == NULL)
        return -1;
    seq = PySequence_Fast(t, "validate() must return a sequence");
    Py_DECREF(t);
    if (seq == NULL)
        return -1;
    if (PySequence_Fast_GET_SIZE(seq) != env->nresults) {
        PyErr_SetString(PyExc_ValueError, "validate() returned the wrong number of values");
        rc = -1;
    }
    for (Py_ssize_t i = 0; rc == 0 && i < env->nresults; i++)
        rc = wp_store_converted(RESULT_KIND(env, i), PySequence_Fast_GET_ITEM(seq, i), &slots[i]);
    Py_DECREF(seq);
    return rc;
}

/* check(r) gave a sequence of values: store them, validating anything odd. */
static int
store_checked(HostEnv *env, PyObject *values, wp_val_raw_t *slots)
{
    PyObject *seq = PySequence_Fast(values, "check() must return a sequence"), *shaped;
    Py_ssize_t n;
    int rc = 1;
    if (seq == NULL)
        return -1;
    n = PySequence_Fast_GET_SIZE(seq);
    if (n != env->nresults) {
        Py_DECREF(seq);
        if (n < env->nresults)
            PyErr_Format(PyExc_ValueError, "not enough values to unpack (expected %zd, got %zd)",
                         env->nresults, n);
        else
            PyErr_Format(PyExc_ValueError, "too many values to unpack (expected %zd)",
                         env->nresults);
        return -1;
    }
    for (Py_ssize_t i = 0; rc && i < n; i++)
        rc = wp_fast_store(RESULT_KIND(env, i), PySequence_Fast_GET_ITEM(seq, i), &slots[i], 0);
    if (!rc) {
        shaped = n == 1 ? Py_NewRef(PySequence_Fast_GET_ITEM(seq, 0)) : PySequence_Tuple(seq);
        rc = shaped ? store_validated(env, shaped, slots) : -1;
        Py_XDECREF(shaped);
        rc = rc < 0 ? -1 : 1;
    }
    Py_DECREF(seq);
    return rc < 0 ? -1 : 0;
}

static int
store_results(HostEnv *env, PyObject *r, wp_val_raw_t *slots, int from_fn)
{
    PyObject *check = from_fn ? env->check : env->validate, *values;
    int rc;
    if (env->nresults == 0) {
        if (r == Py_None)
            return 0;
        values = PyObject_CallOneArg(check, r);  /* raises: "expected None" */
        Py_XDECREF(values);
        return values ? 0 : -1;
    }
    if (store_inline(env, r, slots, from_fn && env->strict))
        return 0;
    if ((values = PyObject_CallOneArg(check, r)) == NULL)
        return -1;
    rc = store_checked(env, values, slots);
    Py_DECREF(values);
    return rc;
}

/* -- the trampoline ---------------------------------------------------------- */

static wasm_trap_t *
host_failed(HostEnv *env)
{
    PyObject *exc = wp_fetch_exception(), *addr = NULL;
    void *trap = NULL;
    if (exc != NULL) {
        addr = PyObject_CallOneArg(env->failed, exc);
        Py_DECREF(exc);
    }
    if (addr != NULL) {
        trap = PyLong_AsVoidPtr(addr);
        Py_DECREF(addr);
    }
    if (trap == NULL) {  /* failed() itself failed: still trap, never return garbage */
        PyErr_Clear();
        trap = wp_engine.trap_new(PyBytes_AS_STRING(wp_fallback_message),
                                  (size_t)PyBytes_GET_SIZE(wp_fallback_message));
    }
    return trap;
}

static wasm_trap_t *
host_call(HostEnv *env, wasmtime_caller_t *caller, wp_val_raw_t *slots, size_t n)
{
    PyObject *r;
    int fallback = 0;
    if (n < (size_t)env->nslots) {
        PyErr_Format(PyExc_RuntimeError, "%U: the engine passed %zu slots for %U, expected %zd",
                     env->where, n, env->describe, env->nslots);
        return host_failed(env);
    }
    if (env->nlifts < 0)
        r = call_raw(env, env->fn, caller, slots, env->pass_caller);
    else
        r = call_lifted(env, caller, slots, &fallback);
    if (r == NULL)
        return host_failed(env);
    if (store_results(env, r, slots, !fallback) < 0) {
        Py_DECREF(r);
        return host_failed(env);
    }
    Py_DECREF(r);
    return NULL;
}

wasm_trap_t *
wp_trampoline(void *envp, wasmtime_caller_t *caller, wp_val_raw_t *slots, size_t n)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    int left = wp_intr_host_enter();  /* Python code runs: signals are Python's */
    wasm_trap_t *trap = host_call((HostEnv *)envp, caller, slots, n);
    wp_intr_host_leave(left);
    PyGILState_Release(gil);
    return trap;
}

