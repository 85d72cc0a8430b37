/* First use of an export: look a function up by name and read its signature, in one call.
 *
 *     export_func(kind_names, instance, ctx, name) -> (func, params, results) or None
 *
 * `kind_names` maps a wasm_valkind_t to its name ("i32", ..., "funcref"), `instance` is
 * a wasmtime_instance_t (16 bytes), `name` str or bytes (UTF-8; a str that has no UTF-8
 * form names no export): the fixed arguments first, so that a functools.partial of an
 * instance's look-up calls straight into C.  `func` comes back as the
 * 16 bytes of a wasmtime_func_t; params and results as tuples of names.  None when the
 * instance has no such export or it is not a function (the Python layer then takes its
 * general way).  Through ctypes the same takes ~6 µs: a look-up, a type query, a vector
 * walk and a delete, each a foreign call.
 */
#include "wasmport_native.h"

enum { EXTERN_FUNC = 0 };

typedef struct {
    uint8_t kind;
    union {
        wp_func_t func;
        uint8_t bytes[24];
    } of;
} wp_extern_t; /* wasmtime_extern_t: kind, then the union at offset 8; 32 bytes */

typedef struct {
    uint64_t store_id;
    size_t private_;
} wp_instance_t; /* wasmtime_instance_t */

wp_exports_t wp_exports;

/* kind -> name, as the last kind_names dict given says (it is always the same one). */
static PyObject *kind_names_seen, *name_of_kind[256];

static PyObject *
kind_name(unsigned kind, PyObject *kind_names)
{
    PyObject *key, *name;
    if (kind_names != kind_names_seen) {
        for (int i = 0; i < 256; i++)
            Py_CLEAR(name_of_kind[i]);
        Py_XINCREF(kind_names);
        Py_XSETREF(kind_names_seen, kind_names);
    }
    if (kind < 256 && name_of_kind[kind] != NULL)
        return Py_NewRef(name_of_kind[kind]);
    key = PyLong_FromUnsignedLong(kind);
    name = key ? PyDict_GetItemWithError(kind_names, key) : NULL;
    Py_XDECREF(key);
    if (name == NULL)
        return PyErr_Occurred() ? NULL : PyUnicode_FromFormat("ValType(%u)", kind);
    if (kind < 256)
        name_of_kind[kind] = Py_NewRef(name);
    return Py_NewRef(name);
}

static PyObject *
names_of(const wp_valtype_vec_t *vec, PyObject *kind_names)
{
    PyObject *out = PyTuple_New((Py_ssize_t)vec->size);
    for (size_t i = 0; out != NULL && i < vec->size; i++) {
        PyObject *name = kind_name(wp_exports.valtype_kind(vec->data[i]), kind_names);
        if (name == NULL)
            Py_CLEAR(out);
        else
            PyTuple_SET_ITEM(out, (Py_ssize_t)i, name);
    }
    return out;
}

static PyObject *
signature_of(wasmtime_context_t *ctx, const wp_func_t *func, PyObject *kind_names)
{
    wasm_functype_t *type = wp_exports.func_type(ctx, func);
    PyObject *params, *results, *raw = NULL, *out = NULL;
    params = names_of(wp_exports.functype_params(type), kind_names);
    results = params ? names_of(wp_exports.functype_results(type), kind_names) : NULL;
    wp_exports.functype_delete(type);
    if (results != NULL)
        raw = PyBytes_FromStringAndSize((const char *)func, (Py_ssize_t)sizeof(wp_func_t));
    if (raw != NULL)
        out = PyTuple_Pack(3, raw, params, results);
    Py_XDECREF(raw);
    Py_XDECREF(params);
    Py_XDECREF(results);
    return out;
}

PyObject *
wp_export_func(PyObject *module, PyObject *const *a, Py_ssize_t nargs)
{
    Py_buffer instance;
    wp_extern_t item;
    void *ctx;
    const char *name;
    Py_ssize_t size;
    int found;
    if (!wp_bound)
        return PyErr_Format(PyExc_RuntimeError, "wasmport._engine._ext: init() was not called");
    if (nargs != 4 || !PyDict_Check(a[0]) || !(PyBytes_Check(a[3]) || PyUnicode_Check(a[3])))
        return PyErr_Format(PyExc_TypeError, "export_func(kind_names: dict, instance, ctx, "
                            "name: str | bytes)");
    if (PyBytes_Check(a[3])) {
        name = PyBytes_AS_STRING(a[3]);
        size = PyBytes_GET_SIZE(a[3]);
    }
    else if ((name = PyUnicode_AsUTF8AndSize(a[3], &size)) == NULL) {
        PyErr_Clear();  /* lone surrogates: no export has such a name */
        Py_RETURN_NONE;
    }
    if ((ctx = PyLong_AsVoidPtr(a[2])) == NULL)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "ctx is NULL");
    if (PyObject_GetBuffer(a[1], &instance, PyBUF_SIMPLE) < 0)
        return NULL;
    if (instance.len != (Py_ssize_t)sizeof(wp_instance_t)) {
        PyBuffer_Release(&instance);
        return PyErr_Format(PyExc_ValueError, "instance: expected a %zu-byte wasmtime_instance_t",
                            sizeof(wp_instance_t));
    }
    found = wp_exports.instance_export_get(ctx, instance.buf, name, (size_t)size, &item);
    PyBuffer_Release(&instance);
    if (!found)
        Py_RETURN_NONE;
    if (item.kind != EXTERN_FUNC) {
        wp_exports.extern_delete(&item);
        Py_RETURN_NONE;
    }
    return signature_of(ctx, &item.of.func, a[0]);
}

PyObject *
wp_export_layouts(void)
{
    return Py_BuildValue("{s:(nnn),s:(nnn),s:(nnn)}",
                         "wasmtime_extern_t", (Py_ssize_t)sizeof(wp_extern_t),
                         (Py_ssize_t)offsetof(wp_extern_t, kind), (Py_ssize_t)offsetof(wp_extern_t, of),
                         "wasmtime_instance_t", (Py_ssize_t)sizeof(wp_instance_t),
                         (Py_ssize_t)offsetof(wp_instance_t, store_id),
                         (Py_ssize_t)offsetof(wp_instance_t, private_),
                         "wasm_valtype_vec_t", (Py_ssize_t)sizeof(wp_valtype_vec_t),
                         (Py_ssize_t)offsetof(wp_valtype_vec_t, size),
                         (Py_ssize_t)offsetof(wp_valtype_vec_t, data));
}
