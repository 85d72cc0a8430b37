/* Component calls from Python: binding the engine's component symbols, making a
 * ComponentFunc, and the bare engine call the Python wrappers use.
 *
 *     component_bind({symbol name: address})
 *     component_func(slow, state, fail, func, ctx, kinds, result_kind, records)
 *         -> ComponentFunc   (kinds: scalars, string, record; records: see component_record.c)
 *     component_call(func, ctx, args, nargs, results, nresults) -> error address or 0
 */
#include "component.h"

static struct {
    const char *name;
    void *slot;
} symbols[] = {
    {"wasmtime_component_func_call", &wp_component_engine.func_call},
    {"wasmtime_component_val_delete", &wp_component_engine.val_delete},
    {"wasmtime_error_new", &wp_component_engine.error_new},
    {NULL, NULL},
};

static int component_bound;

PyObject *
wp_component_bind(PyObject *module, PyObject *addresses)
{
    void *found[sizeof symbols / sizeof symbols[0]];
    int i;
    if (!PyDict_Check(addresses))
        return PyErr_Format(PyExc_TypeError, "component_bind(addresses: dict)");
    for (i = 0; symbols[i].name != NULL; i++) {
        PyObject *value = PyDict_GetItemString(addresses, symbols[i].name);
        if (value == NULL)
            return PyErr_Format(PyExc_KeyError, "component_bind(): no address for %s",
                                symbols[i].name);
        found[i] = PyLong_AsVoidPtr(value);
        if (found[i] == NULL)
            return PyErr_Occurred() ? NULL : PyErr_Format(
                PyExc_ValueError, "component_bind(): %s is NULL", symbols[i].name);
    }
    for (i = 0; symbols[i].name != NULL; i++)  /* all or none */
        memcpy(symbols[i].slot, &found[i], sizeof(void *));
    component_bound = 1;
    Py_RETURN_NONE;
}

static int
ready(void)
{
    if (!component_bound)
        PyErr_SetString(PyExc_RuntimeError, "component_bind() has not been called");
    return component_bound;
}

static int
copy_func(wp_cfunc_t *out, PyObject *source)
{
    Py_buffer view;
    if (PyObject_GetBuffer(source, &view, PyBUF_SIMPLE) < 0)
        return -1;
    if (view.len != (Py_ssize_t)sizeof *out) {
        PyBuffer_Release(&view);
        PyErr_Format(PyExc_ValueError, "func: expected a %zu-byte wasmtime_component_func_t",
                     sizeof *out);
        return -1;
    }
    memcpy(out, view.buf, sizeof *out);
    PyBuffer_Release(&view);
    return 0;
}

static int
check_kinds(PyObject *kinds, int result_kind)
{
    Py_ssize_t i;
    if (!PyBytes_Check(kinds))
        return PyErr_Format(PyExc_TypeError, "kinds: expected bytes"), -1;
    for (i = 0; i < PyBytes_GET_SIZE(kinds); i++)
        if ((unsigned char)PyBytes_AS_STRING(kinds)[i] >= WP_SCALARS &&
            PyBytes_AS_STRING(kinds)[i] != WP_RECORD)
            return PyErr_Format(PyExc_ValueError, "kinds: %d is not a scalar, string or "
                                "record kind", PyBytes_AS_STRING(kinds)[i]), -1;
    if (result_kind < -1 || (result_kind >= WP_SCALARS && result_kind != WP_RECORD))
        return PyErr_Format(PyExc_ValueError, "result_kind: %d is not a scalar or string "
                            "kind", result_kind), -1;
    return 0;
}

PyObject *
wp_component_func(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    WpComponentFunc *self;
    void *ctx;
    int result_kind;
    if (!ready())
        return NULL;
    if (nargs != 8 || !PyCallable_Check(args[0]) || !PyCallable_Check(args[2]))
        return PyErr_Format(PyExc_TypeError, "component_func(slow, state, fail, func, ctx, "
                            "kinds, result_kind, records)");
    ctx = PyLong_AsVoidPtr(args[4]);
    result_kind = PyLong_AsLong(args[6]);
    if (PyErr_Occurred() || check_kinds(args[5], result_kind) < 0 ||
        wp_record_specs_ok(args[7], args[5], result_kind) < 0)
        return NULL;
    if (ctx == NULL)
        return PyErr_Format(PyExc_ValueError, "component_func(): ctx is NULL");
    if ((self = PyObject_GC_New(WpComponentFunc, &WpComponentFunc_Type)) == NULL)
        return NULL;
    self->vectorcall = wp_component_vectorcall;
    self->ctx = ctx;
    self->result_kind = result_kind;
    self->nparams = PyBytes_GET_SIZE(args[5]);
    self->kinds_bytes = Py_NewRef(args[5]);
    self->kinds = (const unsigned char *)PyBytes_AS_STRING(args[5]);
    self->slow = Py_NewRef(args[0]);
    self->state = Py_NewRef(args[1]);
    self->fail = Py_NewRef(args[2]);
    self->records = Py_NewRef(args[7]);
    self->dict = NULL;
    if (copy_func(&self->func, args[3]) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

/* The bare call, for the Python wrappers' other shapes: plain int addresses in,
 * the error's address (0: none) out, the GIL held. */
PyObject *
wp_component_raw_call(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    void *p[6];
    int i;
    if (!ready())
        return NULL;
    if (nargs != 6)
        return PyErr_Format(PyExc_TypeError, "component_call() takes 6 addresses");
    for (i = 0; i < 6; i++) {
        p[i] = PyLong_AsVoidPtr(args[i]);
        if (p[i] == NULL && PyErr_Occurred())
            return NULL;
    }
    return PyLong_FromVoidPtr(wp_component_engine.func_call(
        p[0], p[1], p[2], (size_t)p[3], p[4], (size_t)p[5]));
}

/* The layout facts this file rests on, for the Python side to compare with wasmtime-py's. */
PyObject *
wp_component_abi(void)
{
    return Py_BuildValue("{s:(nn),s:n,s:(nn)}", "wasmtime_component_val_t",
                         (Py_ssize_t)sizeof(wp_cval_t), (Py_ssize_t)offsetof(wp_cval_t, of),
                         "wasmtime_component_func_t", (Py_ssize_t)sizeof(wp_cfunc_t),
                         "wasmtime_component_valrecord_entry_t",
                         (Py_ssize_t)sizeof(wp_centry_t), (Py_ssize_t)offsetof(wp_centry_t, val));
}
