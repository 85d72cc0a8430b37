/* Python -> wasm: a Caller is one export's plan, called through vectorcall.
 *
 * Each call lowers its arguments into slots on the C stack (so a re-entrant call,
 * wasm -> Python -> the same export, gets its own), calls
 * wasmtime_func_call_unchecked, and lifts the results from the same slots:
 *
 *     closed? -> lower args -> gate[0]? lock -> closed again? -> engine call
 *             -> trap/error? raise_trap(trap, error) : lift results -> unlock
 *
 * The closed check is repeated under the lock (and after any Python-level
 * conversion, which runs user code): a thread that waited for the lock may find
 * the store freed by the thread it waited for.
 */
#include "wasmport_native.h"

#define LOCAL_SLOTS 16

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    wp_func_t func;          /* our own copy of the 16-byte wasmtime_func_t */
    wasmtime_context_t *ctx;
    Py_ssize_t nparams, nresults, nslots;
    const unsigned char *kinds; /* params then results, inside `kinds_bytes` */
    int release_gil;
    PyObject *kinds_bytes, *store, *ctx_ref, *name, *describe; /* "(i32, i32) -> i32" */
    PyObject *raise_trap, *lower, *closed, *gate, *acquire, *release;
    WpRLock *rlock;          /* the lock when it is ours: taken without method calls */
} WpCaller;

static PyObject *kind_strs[K_COUNT];

/* -- the errors Python itself gives for `def name(a0, a1, ..., /)` ------------- */

static PyObject *
param_repr(Py_ssize_t i)
{
    return PyUnicode_FromFormat("'a%zd'", i);
}

static PyObject *
join_missing(Py_ssize_t first, Py_ssize_t stop)
{
    Py_ssize_t count = stop - first, i;
    PyObject *parts, *sep, *head, *out;
    if (count == 1)
        return param_repr(first);
    if (count == 2)
        return PyUnicode_FromFormat("'a%zd' and 'a%zd'", first, first + 1);
    parts = PyList_New(0);
    if (parts == NULL)
        return NULL;
    for (i = first; i < stop - 2; i++) {
        PyObject *one = param_repr(i);
        if (one == NULL || PyList_Append(parts, one) < 0) {
            Py_XDECREF(one);
            Py_DECREF(parts);
            return NULL;
        }
        Py_DECREF(one);
    }
    sep = PyUnicode_FromString(", ");
    head = sep ? PyUnicode_Join(sep, parts) : NULL;
    out = head ? PyUnicode_FromFormat("%U, 'a%zd', and 'a%zd'", head, stop - 2, stop - 1) : NULL;
    Py_XDECREF(sep);
    Py_XDECREF(head);
    Py_DECREF(parts);
    return out;
}

static PyObject *
keyword_error(WpCaller *self, PyObject *kwnames)
{
    Py_ssize_t i, k, nkw = PyTuple_GET_SIZE(kwnames), conflicts = 0;
    PyObject *first = PyTuple_GET_ITEM(kwnames, 0), *names, *sep, *joined;
    if (!PyUnicode_Check(first))
        return PyErr_Format(PyExc_TypeError, "%U() keywords must be strings", self->name);
    if ((names = PyList_New(0)) == NULL)
        return NULL;
    for (i = 0; i < self->nparams; i++) {  /* in parameter order, as CPython lists them */
        for (k = 0; k < nkw; k++) {
            PyObject *kw = PyTuple_GET_ITEM(kwnames, k), *param = PyUnicode_FromFormat("a%zd", i);
            int same = param ? PyObject_RichCompareBool(param, kw, Py_EQ) : -1;
            Py_XDECREF(param);
            if (same < 0 || (same && PyList_Append(names, kw) < 0)) {
                Py_DECREF(names);
                return NULL;
            }
            conflicts += same;
        }
    }
    if (!conflicts) {
        Py_DECREF(names);
        return PyErr_Format(PyExc_TypeError, "%U() got an unexpected keyword argument '%S'",
                            self->name, first);
    }
    sep = PyUnicode_FromString(", ");
    joined = sep ? PyUnicode_Join(sep, names) : NULL;
    if (joined != NULL)
        PyErr_Format(PyExc_TypeError, "%U() got some positional-only arguments passed as "
                     "keyword arguments: '%U'", self->name, joined);
    Py_XDECREF(sep);
    Py_XDECREF(joined);
    Py_DECREF(names);
    return NULL;
}

static PyObject *
arity_error(WpCaller *self, Py_ssize_t nargs, PyObject *kwnames)
{
    Py_ssize_t n = self->nparams;
    PyObject *missing;
    if (kwnames != NULL && PyTuple_GET_SIZE(kwnames))
        return keyword_error(self, kwnames);
    if (nargs > n)
        return PyErr_Format(PyExc_TypeError,
                            "%U() takes %zd positional argument%s but %zd %s given", self->name,
                            n, n == 1 ? "" : "s", nargs, nargs == 1 ? "was" : "were");
    if ((missing = join_missing(nargs, n)) == NULL)
        return NULL;
    PyErr_Format(PyExc_TypeError, "%U() missing %zd required positional argument%s: %U",
                 self->name, n - nargs, n - nargs == 1 ? "" : "s", missing);
    Py_DECREF(missing);
    return NULL;
}

/* -- one call ---------------------------------------------------------------- */

/* lower(value, kind, "name() argument i"): the Python layer's exact checks and words. */
static int
lower_slow(WpCaller *self, int kind, PyObject *value, Py_ssize_t i, wp_val_raw_t *slot)
{
    PyObject *what = PyUnicode_FromFormat("%U() argument %zd", self->name, i + 1), *converted;
    PyObject *argv[3] = {value, kind_strs[kind], what};
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
    if ((out = PyTuple_New(self->nresults)) == NULL)
        return NULL;
    for (i = 0; i < self->nresults; i++) {
        PyObject *item = wp_lift(kinds[i], &slots[i]);
        if (item == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(out, i, item);
    }
    return out;
}

/* raise_trap(trap, error) owns the pointer it is given and must raise. */
static PyObject *
failed(WpCaller *self, wasm_trap_t *trap, wasmtime_error_t *error)
{
    PyObject *argv[2], *out;
    argv[0] = PyLong_FromVoidPtr(trap);
    argv[1] = PyLong_FromVoidPtr(error);
    out = (argv[0] && argv[1]) ? PyObject_Vectorcall(self->raise_trap, argv, 2, NULL) : NULL;
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
    wasmtime_error_t *error;
    if (self->release_gil) {
        Py_BEGIN_ALLOW_THREADS
        error = wp_engine.call_unchecked(self->ctx, &self->func, slots, self->nslots, &trap);
        Py_END_ALLOW_THREADS
    }
    else {
        error = wp_engine.call_unchecked(self->ctx, &self->func, slots, self->nslots, &trap);
    }
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
        wp_raise_closed(self->closed, self->name);
    else
        result = call_engine(self, slots);
    return locked ? unlock(self, result) : result;
}

static PyObject *
caller_vectorcall(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    WpCaller *self = (WpCaller *)op;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    wp_val_raw_t local[LOCAL_SLOTS], *slots = local;
    PyObject *result = NULL;
    int ran_code = 0;
    if (nargs != self->nparams || (kwnames != NULL && PyTuple_GET_SIZE(kwnames)))
        return arity_error(self, nargs, kwnames);
    if (!wp_store_alive(self->store, self->ctx_ref)) {
        wp_raise_closed(self->closed, self->name);
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

/* -- the type ---------------------------------------------------------------- */

static int
caller_traverse(WpCaller *self, visitproc visit, void *arg)
{
    Py_VISIT(self->store);
    Py_VISIT(self->ctx_ref);
    Py_VISIT(self->raise_trap);
    Py_VISIT(self->lower);
    Py_VISIT(self->closed);
    Py_VISIT(self->gate);
    Py_VISIT(self->acquire);
    Py_VISIT(self->release);
    Py_VISIT(self->rlock);
    return 0;
}

static int
caller_clear(WpCaller *self)
{
    Py_CLEAR(self->store);  /* a cleared caller reads as closed */
    Py_CLEAR(self->ctx_ref);
    Py_CLEAR(self->raise_trap);
    Py_CLEAR(self->lower);
    Py_CLEAR(self->closed);
    Py_CLEAR(self->acquire);
    Py_CLEAR(self->release);
    Py_CLEAR(self->rlock);
    return 0;
}

static void
caller_dealloc(WpCaller *self)
{
    PyObject_GC_UnTrack(self);
    caller_clear(self);
    Py_CLEAR(self->gate);
    Py_CLEAR(self->kinds_bytes);
    Py_CLEAR(self->name);
    Py_CLEAR(self->describe);
    PyObject_GC_Del(self);
}

static PyObject *
caller_repr(WpCaller *self)
{
    return PyUnicode_FromFormat("<wasmport native call %U%U>", self->name, self->describe);
}

static PyObject *
get_name(WpCaller *self, void *unused)
{
    return Py_NewRef(self->name);
}

static PyObject *
get_doc(WpCaller *self, void *unused)
{
    return PyUnicode_FromFormat("%U%U (raw call)", self->name, self->describe);
}

static PyGetSetDef caller_getset[] = {
    {"__name__", (getter)get_name, NULL, NULL, NULL},
    {"__qualname__", (getter)get_name, NULL, NULL, NULL},
    {"__doc__", (getter)get_doc, NULL, NULL, NULL},
    {NULL},
};

PyTypeObject WpCaller_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wasmport._native.Caller",
    .tp_basicsize = sizeof(WpCaller),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(WpCaller, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_traverse = (traverseproc)caller_traverse,
    .tp_clear = (inquiry)caller_clear,
    .tp_dealloc = (destructor)caller_dealloc,
    .tp_repr = (reprfunc)caller_repr,
    .tp_getset = caller_getset,
};

/* -- construction: new_caller(store, ctx_ref, ctx, func, params, results, name, describe,
 *                             raise_trap, lower, closed, gate, lock, release_gil) -------
 * lower(value, kind, what) converts what the inline test refused, or raises; closed()
 * raises once the store is closed (None: ValueError "name(): the store is closed"). */

static int
copy_func(WpCaller *self, PyObject *source)
{
    Py_buffer view;
    if (PyObject_GetBuffer(source, &view, PyBUF_SIMPLE) < 0)
        return -1;
    if (view.len != (Py_ssize_t)sizeof(wp_func_t)) {
        PyBuffer_Release(&view);
        PyErr_Format(PyExc_ValueError, "func: expected a %zu-byte wasmtime_func_t",
                     sizeof(wp_func_t));
        return -1;
    }
    memcpy(&self->func, view.buf, sizeof(wp_func_t));
    PyBuffer_Release(&view);
    return 0;
}

static int
take_lock(WpCaller *self, PyObject *lock)
{
    if (lock == Py_None)
        return 0;
    if (Py_IS_TYPE(lock, &WpRLock_Type)) {
        self->rlock = (WpRLock *)Py_NewRef(lock);
        return 0;
    }
    self->acquire = PyObject_GetAttrString(lock, "acquire");
    self->release = self->acquire ? PyObject_GetAttrString(lock, "release") : NULL;
    return self->release ? 0 : -1;
}

static int
fill_caller(WpCaller *self, PyObject *const *a)
{
    Py_ssize_t nparams = PyBytes_GET_SIZE(a[4]), nresults = PyBytes_GET_SIZE(a[5]);
    self->kinds_bytes = PyBytes_FromStringAndSize(NULL, nparams + nresults);
    if (self->kinds_bytes == NULL)
        return -1;
    memcpy(PyBytes_AS_STRING(self->kinds_bytes), PyBytes_AS_STRING(a[4]), nparams);
    memcpy(PyBytes_AS_STRING(self->kinds_bytes) + nparams, PyBytes_AS_STRING(a[5]), nresults);
    self->kinds = (const unsigned char *)PyBytes_AS_STRING(self->kinds_bytes);
    self->nparams = nparams;
    self->nresults = nresults;
    self->nslots = nparams > nresults ? nparams : nresults;
    if (self->nslots < 1)
        self->nslots = 1;
    self->store = Py_NewRef(a[0]);
    self->ctx_ref = Py_NewRef(a[1]);
    self->name = Py_NewRef(a[6]);
    self->describe = Py_NewRef(a[7]);
    self->raise_trap = Py_NewRef(a[8]);
    self->lower = Py_NewRef(a[9]);
    self->closed = Py_NewRef(a[10]);
    self->gate = Py_NewRef(a[11]);
    self->vectorcall = caller_vectorcall;
    return take_lock(self, a[12]);
}

static int
check_caller_args(PyObject *const *a)
{
    if (wp_check_kinds(a[4], "params") < 0 || wp_check_kinds(a[5], "results") < 0)
        return -1;
    if (!PyUnicode_Check(a[6]) || !PyUnicode_Check(a[7])) {
        PyErr_SetString(PyExc_TypeError, "name and describe must be str");
        return -1;
    }
    if (!PyList_Check(a[11])) {
        PyErr_SetString(PyExc_TypeError, "gate must be a list");
        return -1;
    }
    return 0;
}

PyObject *
wp_new_caller(PyObject *module, PyObject *const *a, Py_ssize_t nargs)
{
    WpCaller *self;
    void *ctx;
    int release_gil;
    if (!wp_bound)
        return PyErr_Format(PyExc_RuntimeError, "wasmport._native: init() was not called");
    if (nargs != 14)
        return PyErr_Format(PyExc_TypeError, "new_caller() takes 14 arguments (%zd given)", nargs);
    if (check_caller_args(a) < 0)
        return NULL;
    ctx = PyLong_AsVoidPtr(a[2]);
    if (ctx == NULL)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "ctx is NULL");
    if ((release_gil = PyObject_IsTrue(a[13])) < 0)
        return NULL;
    if (kind_strs[0] == NULL)
        for (int k = 0; k < K_COUNT; k++)
            if ((kind_strs[k] = wp_interned(wp_kind_names[k])) == NULL)
                return NULL;
    if ((self = PyObject_GC_New(WpCaller, &WpCaller_Type)) == NULL)
        return NULL;
    memset((char *)self + sizeof(PyObject), 0, sizeof(WpCaller) - sizeof(PyObject));
    self->ctx = ctx;
    self->release_gil = release_gil;
    if (copy_func(self, a[3]) < 0 || fill_caller(self, a) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    PyObject_GC_Track(self);
    return (PyObject *)self;
}
