/* Python -> wasm: a Caller is one export's plan, called through vectorcall.
 *
 * Each call lowers its arguments into slots on the C stack (so a re-entrant call,
 * wasm -> Python -> the same export, gets its own), calls
 * wasmtime_func_call_unchecked, and lifts the results from the same slots:
 *
 *     closed? -> lower args -> gate[0]? lock -> closed again? -> engine call
 *             -> trap/error? raise_trap(trap, error) : lift results -> unlock
 *
 * The closed check is repeated before the engine call whenever Python code may have
 * run since the first one: a user conversion (__index__, __float__) may close the
 * store, and a thread that waited for the lock may find the store freed by the
 * thread it waited for.  An uncontended native RLock lets no other code run, so
 * the common call checks once.
 */
#include "caller.h"

#define LOCAL_SLOTS 16  /* slots on the C stack; more are allocated per call */

PyObject *wp_kind_strs[K_COUNT];

/* lower(value, kind, "name() argument i"): the Python layer's exact checks and words. */
static int
lower_slow(WpCaller *self, int kind, PyObject *value, Py_ssize_t i, wp_val_raw_t *slot)
{
    PyObject *what = PyUnicode_FromFormat("%U() argument %zd", self->name, i + 1), *converted;
    PyObject *argv[3] = {value, wp_kind_strs[kind], what};
    int rc;
    if (what == NULL)
        return -1;
    converted = PyObject_Vectorcall(self->lower, argv, 3, NULL);
    Py_DECREF(what);
    if (converted == NULL)
        return -1;
    rc = wp_store_converted(kind, converted, slot);
    Py_DECREF(converted);
    return rc;
}

/* Every argument, in order; `*ran_code` set when Python code ran (user conversions). */
static int
lower_args(WpCaller *self, PyObject *const *args, wp_val_raw_t *slots, int *ran_code)
{
    Py_ssize_t i;
    for (i = 0; i < self->nparams; i++) {
        int kind = self->kinds[i];
        if (wp_fast_store(kind, args[i], &slots[i], 0))
            continue;
        if (kind == K_I64 && PyLong_CheckExact(args[i])) {  /* 2**63..2**64-1: the bits */
            unsigned long long bits = PyLong_AsUnsignedLongLong(args[i]);
            if (!(bits == (unsigned long long)-1 && PyErr_Occurred())) {
                slots[i].i64 = (long long)bits;
                continue;
            }
            PyErr_Clear();
        }
        *ran_code = 1;
        if (lower_slow(self, kind, args[i], i, &slots[i]) < 0)
            return -1;
    }
    return 0;
}

/* The tuple for several results: the last one again when nobody else holds it (as zip
 * reuses its result tuple), else a new one, kept for next time.  Its items are ints and
 * floats only, so it can be in no cycle and stays untracked by the GC.  Only on the
 * CPythons tested (3.10-3.13): 3.14 caches a tuple's hash, which a reused one must reset
 * as CPython's own recycling does. */
static PyObject *
results_tuple(WpCaller *self)
{
    PyObject *out = self->results;
#if PY_VERSION_HEX < 0x030E0000
    if (out != NULL && Py_REFCNT(out) == 1)
        return Py_NewRef(out);
#endif
    if ((out = PyTuple_New(self->nresults)) == NULL)
        return NULL;
    PyObject_GC_UnTrack(out);
    for (Py_ssize_t i = 0; i < self->nresults; i++)
        PyTuple_SET_ITEM(out, i, Py_NewRef(Py_None));
    Py_XSETREF(self->results, Py_NewRef(out));
    return out;
}

static PyObject *
lift_results(WpCaller *self, const wp_val_raw_t *slots)
{
    const unsigned char *kinds = self->kinds + self->nparams;
    Py_ssize_t i;
    PyObject *out;
    if (self->nresults == 0)
        Py_RETURN_NONE;
    if (self->nresults == 1)
        return wp_lift(kinds[0], &slots[0]);
    if ((out = results_tuple(self)) == NULL)
        return NULL;
    for (i = 0; i < self->nresults; i++) {
        PyObject *item = wp_lift(kinds[i], &slots[i]), *old;
        if (item == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        old = PyTuple_GET_ITEM(out, i);
        PyTuple_SET_ITEM(out, i, item);
        Py_DECREF(old);  /* an int, a float or None: runs no code */
    }
    return out;
}

/* raise_trap(trap, error[, where]) owns the pointer it is given and must raise. */
static PyObject *
failed(WpCaller *self, wasm_trap_t *trap, wasmtime_error_t *error)
{
    PyObject *argv[3], *out;
    size_t nargs = self->where != NULL ? 3 : 2;
    argv[0] = PyLong_FromVoidPtr(trap);
    argv[1] = PyLong_FromVoidPtr(error);
    argv[2] = self->where;
    out = (argv[0] && argv[1]) ? PyObject_Vectorcall(self->raise_trap, argv, nargs, NULL) : NULL;
    Py_XDECREF(argv[0]);
    Py_XDECREF(argv[1]);
    if (out == NULL)
        return NULL;
    Py_DECREF(out);
    return PyErr_Format(PyExc_RuntimeError, "%U(): raise_trap returned instead of raising",
                        self->name);
}

static PyObject *
call_engine(WpCaller *self, wp_val_raw_t *slots)
{
    wasm_trap_t *trap = NULL;
    wasmtime_error_t *error = wp_stack_refused();  /* a thread stack too small (stack.c) */
    int entered;
    if (error != NULL)
        return failed(self, NULL, error);
    entered = wp_intr_enter();  /* SIGINT bookkeeping (interrupt.c) */
    if (self->release_gil) {
        Py_BEGIN_ALLOW_THREADS
        error = wp_engine.call_unchecked(self->ctx, &self->func, slots, self->nslots, &trap);
        Py_END_ALLOW_THREADS
    }
    else {
        error = wp_engine.call_unchecked(self->ctx, &self->func, slots, self->nslots, &trap);
    }
    wp_intr_leave(entered);
    if (error != NULL || trap != NULL)
        return failed(self, trap, error);
    return lift_results(self, slots);
}

/* 1 when the gate is open (take the lock), 0 when not, -1 on error. */
static int
gate_open(WpCaller *self, int *ran_code)
{
    PyObject *flag;
    if (PyList_GET_SIZE(self->gate) < 1) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return -1;
    }
    flag = PyList_GET_ITEM(self->gate, 0);
    if (flag == Py_False)
        return 0;
    if (flag == Py_True)
        return 1;
    *ran_code = 1;  /* a __bool__ */
    return PyObject_IsTrue(flag);
}

/* Release the lock; an error from release replaces the call's, as `finally` does. */
/* Take the lock; `*waited` set when other Python code may have run meanwhile. */
static int
take(WpCaller *self, int *waited)
{
    PyObject *out;
    if (self->rlock != NULL)
        return wp_rlock_acquire(self->rlock, waited);
    *waited = 1;  /* a Python-level lock may let other threads run */
    if (self->acquire == NULL) {
        PyErr_Format(PyExc_TypeError, "%U(): the gate is open but the caller has no lock",
                     self->name);
        return -1;
    }
    if ((out = PyObject_CallNoArgs(self->acquire)) == NULL)
        return -1;
    Py_DECREF(out);
    return 0;
}

static int
give_back(WpCaller *self)
{
    PyObject *out;
    if (self->rlock != NULL)
        return wp_rlock_release(self->rlock);
    if ((out = PyObject_CallNoArgs(self->release)) == NULL)
        return -1;
    Py_DECREF(out);
    return 0;
}

static PyObject *
unlock(WpCaller *self, PyObject *result)
{
    PyObject *saved = result == NULL ? wp_fetch_exception() : NULL;
    if (give_back(self) == 0) {
        if (saved != NULL)
            wp_restore(saved);
        return result;
    }
    Py_XDECREF(result);
    wp_raise_with_context(saved);
    return NULL;
}

/* The engine call, under the lock when the gate is open.  The store is checked
 * again only if Python code may have run since the caller checked it. */
static PyObject *
locked_call(WpCaller *self, wp_val_raw_t *slots, int ran_code)
{
    int locked = gate_open(self, &ran_code);
    PyObject *result = NULL;
    if (locked < 0)
        return NULL;
    if (locked && take(self, &ran_code) < 0)
        return NULL;
    if (ran_code && !wp_store_alive(self->store, self->ctx_ref))
        wp_raise_closed(self->closed, self->name, self->where);
    else
        result = call_engine(self, slots);
    return locked ? unlock(self, result) : result;
}

PyObject *
wp_caller_vectorcall(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    WpCaller *self = (WpCaller *)op;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    wp_val_raw_t local[LOCAL_SLOTS], *slots = local;
    PyObject *result = NULL;
    int ran_code = 0;
    if (nargs != self->nparams || (kwnames != NULL && PyTuple_GET_SIZE(kwnames)))
        return wp_arity_error(self, nargs, kwnames);
    if (!wp_store_alive(self->store, self->ctx_ref)) {
        wp_raise_closed(self->closed, self->name, self->where);
        return NULL;
    }
    if (self->nslots > LOCAL_SLOTS &&
        (slots = PyMem_Calloc((size_t)self->nslots, sizeof *slots)) == NULL)
        return PyErr_NoMemory();
    if (lower_args(self, args, slots, &ran_code) == 0)
        result = locked_call(self, slots, ran_code);
    if (slots != local)
        PyMem_Free(slots);
    return result;
}
