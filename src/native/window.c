/* Memory windows: bounds-checked copies in and out of one linear memory.
 *
 * A Window is made unbound (it reads as an empty memory) and bound to a store's
 * memory later, as a host function's caller memory is once its importer is
 * instantiated.  Every access asks the engine for the current size and base (a
 * memory that grew may have moved) and checks the whole span before copying:
 *
 *     0 <= offset,  0 <= length,  offset + length <= size   (never clamped)
 *
 * A failed check raises what `fail(offset, length, size)` returns (the Python
 * layer's MemoryAccessError); an access after the store closed calls `closed()`.
 */
#include "wasmport_native.h"

static int
raise_fail(WpWindow *self, PyObject *offset, PyObject *length, size_t size)
{
    PyObject *size_obj = PyLong_FromSize_t(size), *argv[3] = {offset, length, size_obj}, *exc;
    if (size_obj == NULL)
        return -1;
    exc = PyObject_Vectorcall(self->fail, argv, 3, NULL);
    Py_DECREF(size_obj);
    if (exc == NULL)
        return -1;
    if (PyExceptionInstance_Check(exc))
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    else
        PyErr_SetString(PyExc_TypeError, "Window fail() must return an exception");
    Py_DECREF(exc);
    return -1;
}

/* The current size in bytes (0 when unbound); -1 when the store is closed. */
static int
enter(WpWindow *self, size_t *size)
{
    if (!self->bound) {
        *size = 0;
        return 0;
    }
    if (!wp_store_alive(self->store, self->ctx_ref)) {
        PyObject *out = self->closed != Py_None ? PyObject_CallNoArgs(self->closed) : NULL;
        if (out == NULL && PyErr_Occurred())
            return -1;
        Py_XDECREF(out);
        PyErr_SetString(PyExc_ValueError, "memory: the store is closed");
        return -1;
    }
    *size = wp_engine.memory_data_size(self->ctx, &self->memory);
    return 0;
}

/* TypeError unless `value` is an int by the number rule (_engine/numbers.py). */
static int
not_an_int(PyObject *value, const char *what)
{
    if (!PyBool_Check(value) && !PyFloat_Check(value) && PyIndex_Check(value))
        return 0;
    PyErr_Format(PyExc_TypeError, "memory %s: expected an int, got %s", what,
                 Py_TYPE(value)->tp_name);
    return -1;
}

static int
span(WpWindow *self, PyObject *offset, PyObject *length, size_t size, size_t *off, size_t *len)
{
    long long o, n;
    int over_o, over_n;
    if (!PyLong_CheckExact(offset) || !PyLong_CheckExact(length)) {
        /* The number rule (_engine/numbers.py): an int or an __index__ object, never a bool. */
        PyObject *o_int, *n_int;
        int status;
        if (not_an_int(offset, "offset") || not_an_int(length, "length"))
            return -1;
        if ((o_int = PyNumber_Index(offset)) == NULL)
            return -1;
        if ((n_int = PyNumber_Index(length)) == NULL) {
            Py_DECREF(o_int);
            return -1;
        }
        status = PyLong_CheckExact(o_int) && PyLong_CheckExact(n_int)
                     ? span(self, o_int, n_int, size, off, len)
                     : raise_fail(self, o_int, n_int, size);
        Py_DECREF(o_int);
        Py_DECREF(n_int);
        return status;
    }
    o = PyLong_AsLongLongAndOverflow(offset, &over_o);
    n = PyLong_AsLongLongAndOverflow(length, &over_n);
    if (over_o || over_n || o < 0 || n < 0 || (size_t)n > size || (size_t)o > size - (size_t)n)
        return raise_fail(self, offset, length, size);
    *off = (size_t)o;
    *len = (size_t)n;
    return 0;
}

static PyObject *
window_read(WpWindow *self, PyObject *const *args, Py_ssize_t nargs)
{
    size_t size, off, len;
    if (nargs != 2)
        return PyErr_Format(PyExc_TypeError, "read() takes 2 arguments (%zd given)", nargs);
    if (enter(self, &size) < 0 || span(self, args[0], args[1], size, &off, &len) < 0)
        return NULL;
    if (len == 0)
        return PyBytes_FromStringAndSize(NULL, 0);
    return PyBytes_FromStringAndSize(
        (const char *)wp_engine.memory_data(self->ctx, &self->memory) + off, (Py_ssize_t)len);
}

/* The bytes of `data`, as memoryview(data).cast("B") sees them (and its errors). */
static int
source_bytes(PyObject *data, Py_buffer *view)
{
    PyObject *mv, *flat;
    if (PyBytes_CheckExact(data) || PyByteArray_CheckExact(data))
        return PyObject_GetBuffer(data, view, PyBUF_SIMPLE);
    if ((mv = PyMemoryView_FromObject(data)) == NULL)
        return -1;
    flat = PyObject_CallMethod(mv, "cast", "s", "B");
    Py_DECREF(mv);
    if (flat == NULL)
        return -1;
    if (PyObject_GetBuffer(flat, view, PyBUF_SIMPLE) < 0) {
        Py_DECREF(flat);
        return -1;
    }
    Py_DECREF(flat);  /* the buffer keeps its exporter alive */
    return 0;
}

static PyObject *
window_write(WpWindow *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer view;
    PyObject *length;
    size_t size, off, len;
    int rc;
    if (nargs != 2)
        return PyErr_Format(PyExc_TypeError, "write() takes 2 arguments (%zd given)", nargs);
    if (source_bytes(args[1], &view) < 0)
        return NULL;
    length = PyLong_FromSsize_t(view.len);
    rc = length == NULL || enter(self, &size) < 0 || span(self, args[0], length, size, &off, &len) < 0;
    Py_XDECREF(length);
    if (!rc && len)  /* memmove: the source may be a view of this very memory */
        memmove(wp_engine.memory_data(self->ctx, &self->memory) + off, view.buf, len);
    PyBuffer_Release(&view);
    if (rc)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
window_size(WpWindow *self, PyObject *unused)
{
    size_t size;
    if (enter(self, &size) < 0)
        return NULL;
    return PyLong_FromSize_t(size);
}

/* bind(store, ctx_ref, ctx, memory, closed): `memory` a 16-byte wasmtime_memory_t. */
static PyObject *
window_bind(WpWindow *self, PyObject *const *a, Py_ssize_t nargs)
{
    Py_buffer view;
    void *ctx;
    if (nargs != 5)
        return PyErr_Format(PyExc_TypeError, "bind() takes 5 arguments (%zd given)", nargs);
    if ((ctx = PyLong_AsVoidPtr(a[2])) == NULL)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "ctx is NULL");
    if (PyObject_GetBuffer(a[3], &view, PyBUF_SIMPLE) < 0)
        return NULL;
    if (view.len != (Py_ssize_t)sizeof(wp_memory_t)) {
        PyBuffer_Release(&view);
        return PyErr_Format(PyExc_ValueError, "memory: expected a %zu-byte wasmtime_memory_t",
                            sizeof(wp_memory_t));
    }
    memcpy(&self->memory, view.buf, sizeof(wp_memory_t));
    PyBuffer_Release(&view);
    Py_XSETREF(self->store, Py_NewRef(a[0]));
    Py_XSETREF(self->ctx_ref, Py_NewRef(a[1]));
    Py_XSETREF(self->closed, Py_NewRef(a[4]));
    self->ctx = ctx;
    self->bound = 1;
    Py_RETURN_NONE;
}

static PyObject *
window_unbind(WpWindow *self, PyObject *unused)
{
    self->bound = 0;
    self->ctx = NULL;
    Py_CLEAR(self->store);
    Py_CLEAR(self->ctx_ref);
    Py_CLEAR(self->closed);
    Py_RETURN_NONE;
}

static PyObject *
window_get_bound(WpWindow *self, void *unused)
{
    return PyBool_FromLong(self->bound);
}

static PyObject *
window_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *fail;
    WpWindow *self;
    if (!PyArg_ParseTuple(args, "O:Window", &fail))
        return NULL;
    if (!wp_bound)
        return PyErr_Format(PyExc_RuntimeError, "wasmport._engine._ext: init() was not called");
    if ((self = (WpWindow *)type->tp_alloc(type, 0)) == NULL)
        return NULL;
    self->fail = Py_NewRef(fail);
    return (PyObject *)self;
}

static int
window_traverse(WpWindow *self, visitproc visit, void *arg)
{
    Py_VISIT(self->store);
    Py_VISIT(self->ctx_ref);
    Py_VISIT(self->closed);
    Py_VISIT(self->fail);
    return 0;
}

static int
window_clear(WpWindow *self)
{
    self->bound = 0;  /* a cleared window reads as unbound, never as a dangling memory */
    Py_CLEAR(self->store);
    Py_CLEAR(self->ctx_ref);
    Py_CLEAR(self->closed);
    Py_CLEAR(self->fail);
    return 0;
}

static void
window_dealloc(WpWindow *self)
{
    PyObject_GC_UnTrack(self);
    window_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef window_methods[] = {
    {"read", (PyCFunction)(void (*)(void))window_read, METH_FASTCALL,
     "read(offset, length) -> bytes: a copy of that span."},
    {"write", (PyCFunction)(void (*)(void))window_write, METH_FASTCALL,
     "write(offset, data): copy a bytes-like object in; nothing is written if it does not fit."},
    {"size", (PyCFunction)window_size, METH_NOARGS, "The memory's current size in bytes."},
    {"bind", (PyCFunction)(void (*)(void))window_bind, METH_FASTCALL,
     "bind(store, ctx_ref, ctx, memory, closed)"},
    {"unbind", (PyCFunction)window_unbind, METH_NOARGS, "Forget the memory."},
    {NULL},
};

static PyGetSetDef window_getset[] = {
    {"bound", (getter)window_get_bound, NULL, "Whether a memory is bound.", NULL},
    {NULL},
};

PyTypeObject WpWindow_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wasmport._engine._ext.Window",
    .tp_basicsize = sizeof(WpWindow),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Window(fail): bounds-checked access to one linear memory, bound later.",
    .tp_new = window_new,
    .tp_traverse = (traverseproc)window_traverse,
    .tp_clear = (inquiry)window_clear,
    .tp_dealloc = (destructor)window_dealloc,
    .tp_methods = window_methods,
    .tp_getset = window_getset,
};
