/* The module: binding the engine's symbols at run time, and the ABI facts.
 *
 *     init({symbol name: address, ...}, fallback_message)
 *
 * The addresses are those of the libwasmtime the `wasmtime` package loaded
 * (ctypes.cast(ffi.dll.NAME, c_void_p).value), so calls land in the one copy of
 * the engine the rest of the process uses.
 */
#include "wasmport_native.h"

wp_engine_t wp_engine;
int wp_bound;

static const char *const symbol_names[] = {
    "wasmtime_func_call_unchecked", "wasmtime_func_new_unchecked", "wasmtime_trap_new",
    "wasmtime_memory_data", "wasmtime_memory_data_size", NULL,
};

static void *
symbol(PyObject *addresses, const char *name)
{
    PyObject *value = PyDict_GetItemString(addresses, name);
    void *address;
    if (value == NULL) {
        PyErr_Format(PyExc_KeyError, "init(): no address for %s", name);
        return NULL;
    }
    address = PyLong_AsVoidPtr(value);
    if (address == NULL && !PyErr_Occurred())
        PyErr_Format(PyExc_ValueError, "init(): %s is NULL", name);
    return address;
}

static PyObject *
init(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    void *found[5];
    if (nargs != 2 || !PyDict_Check(args[0]) || !PyBytes_Check(args[1]))
        return PyErr_Format(PyExc_TypeError, "init(addresses: dict, fallback_message: bytes)");
    for (int i = 0; symbol_names[i] != NULL; i++)
        if ((found[i] = symbol(args[0], symbol_names[i])) == NULL)
            return NULL;
    /* Function pointers from object pointers: POSIX dlsym's own contract. */
    memcpy(&wp_engine.call_unchecked, &found[0], sizeof(void *));
    memcpy(&wp_engine.func_new_unchecked, &found[1], sizeof(void *));
    memcpy(&wp_engine.trap_new, &found[2], sizeof(void *));
    memcpy(&wp_engine.memory_data, &found[3], sizeof(void *));
    memcpy(&wp_engine.memory_data_size, &found[4], sizeof(void *));
    Py_XSETREF(wp_fallback_message, Py_NewRef(args[1]));
    wp_bound = 1;
    Py_RETURN_NONE;
}

/* The addresses init() bound, by symbol name (for the test that there is one engine). */
static PyObject *
bound_addresses(PyObject *module, PyObject *unused)
{
    void *const bound[5] = {
        *(void **)&wp_engine.call_unchecked, *(void **)&wp_engine.func_new_unchecked,
        *(void **)&wp_engine.trap_new, *(void **)&wp_engine.memory_data,
        *(void **)&wp_engine.memory_data_size,
    };
    PyObject *out = PyDict_New();
    for (int i = 0; out != NULL && symbol_names[i] != NULL; i++) {
        PyObject *address = PyLong_FromVoidPtr(bound[i]);
        if (address == NULL || PyDict_SetItemString(out, symbol_names[i], address) < 0)
            Py_CLEAR(out);
        Py_XDECREF(address);
    }
    return out;
}

/* What this file declares, in words the ABI test compares with wasmtime-py's
 * generated bindings.  Keep it beside the typedefs in wasmport_native.h. */
static PyObject *
abi_facts(void)
{
    return Py_BuildValue(
        "{s:(nn),s:(nnn),s:(nnnn),s:{s:(s(sssss)),s:(s(ssssss)),s:(s(ss)),s:(s(ss)),s:(s(ss)),"
        "s:(s(ssss)),s:(s(s))}}",
        "wasmtime_val_raw_t", (Py_ssize_t)sizeof(wp_val_raw_t), (Py_ssize_t)offsetof(struct { char c; wp_val_raw_t v; }, v),
        "wasmtime_func_t", (Py_ssize_t)sizeof(wp_func_t), (Py_ssize_t)offsetof(wp_func_t, store_id),
        (Py_ssize_t)offsetof(wp_func_t, private_),
        "wasmtime_memory_t", (Py_ssize_t)sizeof(wp_memory_t),
        (Py_ssize_t)offsetof(wp_memory_t, anon.store_id),
        (Py_ssize_t)offsetof(wp_memory_t, anon.private1),
        (Py_ssize_t)offsetof(wp_memory_t, private2),
        "prototypes",
        "wasmtime_func_call_unchecked", "ptr", "ptr", "ptr", "ptr", "size_t", "ptr",
        "wasmtime_func_new_unchecked", "void", "ptr", "ptr", "fnptr", "ptr", "fnptr", "ptr",
        "wasmtime_trap_new", "ptr", "ptr", "size_t",
        "wasmtime_memory_data", "ptr", "ptr", "ptr",
        "wasmtime_memory_data_size", "size_t", "ptr", "ptr",
        "wasmtime_func_unchecked_callback_t", "ptr", "ptr", "ptr", "ptr", "size_t",
        "finalizer", "void", "ptr");
}

static PyMethodDef methods[] = {
    {"init", (PyCFunction)(void (*)(void))init, METH_FASTCALL,
     "init(addresses, fallback_message): bind the engine's symbols."},
    {"new_caller", (PyCFunction)(void (*)(void))wp_new_caller, METH_FASTCALL,
     "new_caller(store, ctx_ref, ctx, func, params, results, name, doc, raise_trap, lower, "
     "closed, gate, lock, release_gil) -> Caller"},
    {"new_host_func", (PyCFunction)(void (*)(void))wp_new_host_func, METH_FASTCALL,
     "new_host_func(ctx, functype, out, fn, failed, check, validate, params, results, where, "
     "describe, pass_caller, strict, lifts, window, fallback): register a host function."},
    {"bound_addresses", bound_addresses, METH_NOARGS,
     "The engine symbols' addresses init() bound, by name."},
    {"live_host_funcs", wp_live_host_funcs, METH_NOARGS,
     "How many host functions the engine still holds (for tests)."},
    {NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "wasmport._native",
    .m_doc = "The hot paths of wasmport's raw call layer (see wasmport._fast._native).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__native(void)
{
    PyObject *m, *abi;
    if (PyType_Ready(&WpCaller_Type) < 0 || PyType_Ready(&WpWindow_Type) < 0 ||
        PyType_Ready(&WpRLock_Type) < 0)
        return NULL;
    if ((m = PyModule_Create(&module_def)) == NULL)
        return NULL;
    if ((abi = abi_facts()) == NULL || PyModule_AddObject(m, "ABI", abi) < 0 ||
        PyModule_AddObjectRef(m, "Caller", (PyObject *)&WpCaller_Type) < 0 ||
        PyModule_AddObjectRef(m, "Window", (PyObject *)&WpWindow_Type) < 0 ||
        PyModule_AddObjectRef(m, "RLock", (PyObject *)&WpRLock_Type) < 0 ||
        PyModule_AddIntConstant(m, "SLOT_SIZE", (long)sizeof(wp_val_raw_t)) < 0) {
        Py_XDECREF(abi);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
