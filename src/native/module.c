/* The module: binding the engine's symbols at run time, and the ABI facts.
 *
 *     init({symbol name: address, ...}, fallback_message)
 *
 * The addresses are those of the libwasmtime the `wasmtime` package loaded
 * (ctypes.cast(ffi.dll.NAME, c_void_p).value), so calls land in the one copy of
 * the engine the rest of the process uses.
 */
#include "wasmport_native.h"
#include "component.h"

wp_engine_t wp_engine;
int wp_bound;

/* Every symbol we call, and where its address goes. */
static struct {
    const char *name;
    void *slot;
} symbols[] = {
    {"wasmtime_func_call_unchecked", &wp_engine.call_unchecked},
    {"wasmtime_func_new_unchecked", &wp_engine.func_new_unchecked},
    {"wasmtime_trap_new", &wp_engine.trap_new},
    {"wasmtime_memory_data", &wp_engine.memory_data},
    {"wasmtime_memory_data_size", &wp_engine.memory_data_size},
    {"wasmtime_instance_export_get", &wp_exports.instance_export_get},
    {"wasmtime_func_type", &wp_exports.func_type},
    {"wasm_functype_params", &wp_exports.functype_params},
    {"wasm_functype_results", &wp_exports.functype_results},
    {"wasm_valtype_kind", &wp_exports.valtype_kind},
    {"wasm_functype_delete", &wp_exports.functype_delete},
    {"wasmtime_extern_delete", &wp_exports.extern_delete},
    {"wasmtime_instance_pre_instantiate", &wp_instances.pre_instantiate},
    {NULL, NULL},
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
    void *found[sizeof symbols / sizeof symbols[0]];
    int i;
    if (nargs != 2 || !PyDict_Check(args[0]) || !PyBytes_Check(args[1]))
        return PyErr_Format(PyExc_TypeError, "init(addresses: dict, fallback_message: bytes)");
    for (i = 0; symbols[i].name != NULL; i++)
        if ((found[i] = symbol(args[0], symbols[i].name)) == NULL)
            return NULL;  /* nothing bound yet: all or none */
    /* Function pointers from object pointers: POSIX dlsym's own contract. */
    for (i = 0; symbols[i].name != NULL; i++)
        memcpy(symbols[i].slot, &found[i], sizeof(void *));
    Py_XSETREF(wp_fallback_message, Py_NewRef(args[1]));
    wp_bound = 1;
    Py_RETURN_NONE;
}

/* The addresses init() bound, by symbol name (for the test that there is one engine). */
static PyObject *
bound_addresses(PyObject *module, PyObject *unused)
{
    PyObject *out = PyDict_New();
    for (int i = 0; out != NULL && symbols[i].name != NULL; i++) {
        void *bound;
        PyObject *address;
        memcpy(&bound, symbols[i].slot, sizeof(void *));
        address = PyLong_FromVoidPtr(bound);
        if (address == NULL || PyDict_SetItemString(out, symbols[i].name, address) < 0)
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
        "s:(s(ssss)),s:(s(s)),s:(s(sssss)),s:(s(ss)),s:(s(s)),s:(s(s)),s:(s(s)),s:(s(s)),"
        "s:(s(s)),s:(s(ssss))}}",
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
        "finalizer", "void", "ptr",
        "wasmtime_instance_export_get", "c_bool", "ptr", "ptr", "ptr", "size_t", "ptr",
        "wasmtime_func_type", "ptr", "ptr", "ptr",
        "wasm_functype_params", "ptr", "ptr",
        "wasm_functype_results", "ptr", "ptr",
        "wasm_valtype_kind", "c_ubyte", "ptr",
        "wasm_functype_delete", "void", "ptr",
        "wasmtime_extern_delete", "void", "ptr",
        "wasmtime_instance_pre_instantiate", "ptr", "ptr", "ptr", "ptr", "ptr");
}

/* enable_vectorcall(cls) -> bool: Python 3.12's rule for 3.10/3.11.  A heap subclass
 * of a vectorcall type (wasmport's Function is a functools.partial subclass) that does
 * not override __call__ inherits the fast call protocol from 3.12 on; before, every call
 * went through tp_call, building a tuple (~28 ns a call).  Returns whether `cls` now
 * takes vectorcall. */
static PyObject *
enable_vectorcall(PyObject *module, PyObject *cls)
{
    PyTypeObject *type, *base;
    if (!PyType_Check(cls))
        return PyErr_Format(PyExc_TypeError, "enable_vectorcall() takes a class");
    type = (PyTypeObject *)cls;
    base = type->tp_base;
#if PY_VERSION_HEX < 0x030C0000
    if ((type->tp_flags & Py_TPFLAGS_HEAPTYPE) && base != NULL &&
        (base->tp_flags & Py_TPFLAGS_HAVE_VECTORCALL) && type->tp_call == base->tp_call &&
        type->tp_vectorcall_offset == base->tp_vectorcall_offset &&
        type->tp_vectorcall_offset > 0)
        type->tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL;
#endif
    return PyBool_FromLong((type->tp_flags & Py_TPFLAGS_HAVE_VECTORCALL) != 0);
}

static int
add_layouts(PyObject *abi)
{
    PyObject *more = wp_export_layouts();
    int rc = more ? PyDict_Update(abi, more) : -1;
    Py_XDECREF(more);
    return rc;
}

static PyMethodDef methods[] = {
    {"init", (PyCFunction)(void (*)(void))init, METH_FASTCALL,
     "init(addresses, fallback_message): bind the engine's symbols."},
    {"new_caller", (PyCFunction)(void (*)(void))wp_new_caller, METH_FASTCALL,
     "new_caller(store, ctx_ref, ctx, params, results, describe, raise_trap, lower, closed, "
     "gate, lock, release_gil, func, name[, where[, token]]) -> Caller"},
    {"new_host_func", (PyCFunction)(void (*)(void))wp_new_host_func, METH_FASTCALL,
     "new_host_func(ctx, functype, out, fn, failed, check, validate, params, results, where, "
     "describe, pass_caller, strict, lifts, window, fallback): register a host function."},
    {"bound_addresses", bound_addresses, METH_NOARGS,
     "The engine symbols' addresses init() bound, by name."},
    {"enable_vectorcall", enable_vectorcall, METH_O,
     "enable_vectorcall(cls) -> bool: 3.12's vectorcall inheritance for a heap subclass."},
    {"enable_module_getattr", wp_enable_module_getattr, METH_O,
     "enable_module_getattr(cls) -> bool: 3.12's module __getattr__ look-up (no exception)."},
    {"export_func", (PyCFunction)(void (*)(void))wp_export_func, METH_FASTCALL,
     "export_func(kind_names, instance, ctx, name) -> (func, params, results) or None"},
    {"component_bind", wp_component_bind, METH_O,
     "component_bind(addresses): bind the engine's component call symbols."},
    {"component_func", (PyCFunction)(void (*)(void))wp_component_func, METH_FASTCALL,
     "component_func(slow, state, fail, func, ctx, kinds, result_kind, records)"},
    {"component_call", (PyCFunction)(void (*)(void))wp_component_raw_call, METH_FASTCALL,
     "component_call(func, ctx, args, nargs, results, nresults) -> error address or 0"},
    {"component_host", (PyCFunction)(void (*)(void))wp_component_host, METH_FASTCALL,
     "component_host(host, park) -> (callback, data, finalizer) for a component linker"},
    {"component_host_plan", (PyCFunction)(void (*)(void))wp_component_host_plan,
     METH_FASTCALL, "component_host_plan(state, target, check, kinds, result_kind)"},
    {"component_live_hosts", wp_component_live_hosts, METH_NOARGS,
     "How many component host slots the engine still holds (for tests)."},
    {"interrupts_init", (PyCFunction)(void (*)(void))wp_interrupts_init, METH_FASTCALL,
     "interrupts_init(addresses, interrupt_message, timeout_message) -> (tracked "
     "func_call_unchecked, tracked func_call) addresses"},
    {"interrupts_add_engine", wp_interrupts_add_engine, METH_O,
     "interrupts_add_engine(engine address) -> bool: bump its epoch on SIGINT."},
    {"interrupts_install", wp_interrupts_install, METH_O,
     "interrupts_install(main thread ident) -> bool: the SIGINT handler, before Python's."},
    {"interrupts_main", wp_interrupts_main, METH_O,
     "interrupts_main(main thread ident): where instantiations put the handler back."},
    {"interrupts_watch", wp_interrupts_watch, METH_O,
     "interrupts_watch(store address) -> timer address: the store's epoch callback."},
    {"interrupts_arm", (PyCFunction)(void (*)(void))wp_interrupts_arm, METH_FASTCALL,
     "interrupts_arm(timer, seconds): a deadline from now (0 disarms)."},
    {"interrupts_take", wp_interrupts_take, METH_NOARGS,
     "interrupts_take() -> the exception a signal handler raised inside wasm, or None."},
    {"pre_instantiate", (PyCFunction)(void (*)(void))wp_pre_instantiate, METH_FASTCALL,
     "pre_instantiate(pre, context, out) -> None, False (no stack room) or (trap, error)"},
    {"stack_setup", (PyCFunction)(void (*)(void))wp_stack_setup, METH_FASTCALL,
     "stack_setup(needed, message): refuse entries into wasm with less stack left."},
    {"stack_left", wp_stack_left_py, METH_NOARGS,
     "stack_left() -> bytes of stack left below the caller on this thread."},
    {"live_host_funcs", wp_live_host_funcs, METH_NOARGS,
     "How many host functions the engine still holds (for tests)."},
    {NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "wasmport._engine._ext",
    .m_doc = "The hot paths of wasmport's raw call layer (see wasmport._engine.fast._native).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__ext(void)
{
    PyObject *m, *abi;
    if (PyType_Ready(&WpCaller_Type) < 0 || PyType_Ready(&WpWindow_Type) < 0 ||
        PyType_Ready(&WpRLock_Type) < 0 || PyType_Ready(&WpComponentFunc_Type) < 0 ||
        PyType_Ready(&WpComponentHost_Type) < 0 ||
        wp_component_strings() < 0)
        return NULL;
    if ((m = PyModule_Create(&module_def)) == NULL)
        return NULL;
    if ((abi = abi_facts()) == NULL || add_layouts(abi) < 0 ||
        PyModule_AddObject(m, "ABI", abi) < 0 ||
        PyModule_AddObjectRef(m, "Caller", (PyObject *)&WpCaller_Type) < 0 ||
        PyModule_AddObjectRef(m, "Window", (PyObject *)&WpWindow_Type) < 0 ||
        PyModule_AddObjectRef(m, "RLock", (PyObject *)&WpRLock_Type) < 0 ||
        PyModule_AddObjectRef(m, "ComponentFunc", (PyObject *)&WpComponentFunc_Type) < 0 ||
        PyModule_AddObject(m, "COMPONENT_ABI", wp_component_abi()) < 0 ||
        PyModule_AddIntConstant(m, "SLOT_SIZE", (long)sizeof(wp_val_raw_t)) < 0) {
        Py_XDECREF(abi);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
