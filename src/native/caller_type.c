/* The Caller type and its construction from Python (new_caller). */
#include "caller.h"

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
    Py_VISIT(self->dict);
    Py_VISIT(self->token);
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
    Py_CLEAR(self->dict);
    Py_CLEAR(self->token);
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
    Py_CLEAR(self->where);
    Py_CLEAR(self->results);
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

/* Dask's tokenizer asks a functools.partial's func for __dask_tokenize__: a Function's
 * caller answers token(caller), the callable giving its Function's token.  One token
 * hook serves every caller of an instance: no object per caller. */
static PyObject *
get_token(WpCaller *self, void *unused)
{
    if (self->token == NULL)
        return PyErr_Format(PyExc_AttributeError, "'Caller' object has no attribute "
                            "'__dask_tokenize__'");
    return PyObject_CallOneArg(self->token, (PyObject *)self);
}

/* A caller made with its token (an export's, from its signature's plan) refers only to
 * long-lived objects shared by many callers, none of which refers to a caller: it cannot
 * be part of a reference cycle, so new_caller leaves it untracked by the garbage
 * collector (thousands of exports would otherwise trigger full collections).  Anything
 * that gives it a reference of the caller's own choosing tracks it first. */
static void
track(WpCaller *self)
{
    if (!PyObject_GC_IsTracked((PyObject *)self))
        PyObject_GC_Track(self);
}

static int
set_token(WpCaller *self, PyObject *value, void *unused)
{
    track(self);
    Py_XINCREF(value);
    Py_XSETREF(self->token, value);
    return 0;
}

static int
caller_setattro(WpCaller *self, PyObject *name, PyObject *value)
{
    track(self);
    return PyObject_GenericSetAttr((PyObject *)self, name, value);
}

static PyGetSetDef caller_getset[] = {
    {"__dask_tokenize__", (getter)get_token, (setter)set_token,
     "token(caller) once set: the callable giving the Function's token", NULL},
    {"__name__", (getter)get_name, NULL, NULL, NULL},
    {"__qualname__", (getter)get_name, NULL, NULL, NULL},
    {"__doc__", (getter)get_doc, NULL, NULL, NULL},
    {NULL},
};

PyTypeObject WpCaller_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wasmport._engine._ext.Caller",
    .tp_basicsize = sizeof(WpCaller),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(WpCaller, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_traverse = (traverseproc)caller_traverse,
    .tp_clear = (inquiry)caller_clear,
    .tp_dealloc = (destructor)caller_dealloc,
    .tp_repr = (reprfunc)caller_repr,
    .tp_getset = caller_getset,
    .tp_setattro = (setattrofunc)caller_setattro,
    .tp_dictoffset = offsetof(WpCaller, dict),
};

/* -- construction: new_caller(store, ctx_ref, ctx, params, results, describe, raise_trap,
 *                  lower, closed, gate, lock, release_gil, func, name[, where[, token]])
 * (what one signature's callers share first: a functools.partial of them makes callers)
 * lower(value, kind, what) converts what the inline test refused, or raises; closed()
 * raises once the store is closed (None: ValueError "name(): the store is closed").
 * With `where` (a str), raise_trap and closed take it as one more argument: one pair of
 * them then serves every export of a realm; `token` is as __dask_tokenize__ sets it. */

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
    self->vectorcall = wp_caller_vectorcall;
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

static int
take_where(WpCaller *self, PyObject *where)
{
    if (where == Py_None)
        return 0;
    if (!PyUnicode_Check(where)) {
        PyErr_SetString(PyExc_TypeError, "where must be str or None");
        return -1;
    }
    self->where = Py_NewRef(where);
    return 0;
}

/* The argument order the code below reads (func, name and describe among the first). */
static const int from_given[16] = {0, 1, 2, 12, 3, 4, 13, 5, 6, 7, 8, 9, 10, 11, 14, 15};

PyObject *
wp_new_caller(PyObject *module, PyObject *const *given, Py_ssize_t nargs)
{
    WpCaller *self;
    PyObject *a[16];
    void *ctx;
    int release_gil;
    if (!wp_bound)
        return PyErr_Format(PyExc_RuntimeError, "wasmport._engine._ext: init() was not called");
    if (nargs < 14 || nargs > 16)
        return PyErr_Format(PyExc_TypeError, "new_caller() takes 14 to 16 arguments (%zd given)",
                            nargs);
    for (Py_ssize_t i = 0; i < nargs; i++)
        a[i] = given[from_given[i]];
    if (check_caller_args(a) < 0)
        return NULL;
    ctx = PyLong_AsVoidPtr(a[2]);
    if (ctx == NULL)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "ctx is NULL");
    if ((release_gil = PyObject_IsTrue(a[13])) < 0)
        return NULL;
    if (wp_kind_strs[0] == NULL)
        for (int k = 0; k < K_COUNT; k++)
            if ((wp_kind_strs[k] = wp_interned(wp_kind_names[k])) == NULL)
                return NULL;
    if ((self = PyObject_GC_New(WpCaller, &WpCaller_Type)) == NULL)
        return NULL;
    memset((char *)self + sizeof(PyObject), 0, sizeof(WpCaller) - sizeof(PyObject));
    self->ctx = ctx;
    self->release_gil = release_gil;
    if (copy_func(self, a[3]) < 0 || fill_caller(self, a) < 0 ||
        (nargs >= 15 && take_where(self, a[14]) < 0)) {
        Py_DECREF(self);
        return NULL;
    }
    if (nargs == 16 && a[15] != Py_None) {
        self->token = Py_NewRef(a[15]);
        return (PyObject *)self;  /* untracked: see track() */
    }
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

