/* wasm -> Python for components: the engine's host-function callback in C.
 *
 * Each host function the linker defines gets a HostSlot as its data: a weak
 * reference to the Python host function (the instance's state holds it strongly,
 * so an instance nobody refers to goes with its store) and `park`.  A call is
 *
 *     host(args, nargs, results) -> 0     (addresses as ints; the Python side lifts,
 *                                          calls the implementation, writes results)
 *
 * or, when the host is a ComponentHost plan (component_plan.c), that plan run here.
 *
 * and whatever it raises, BaseException included, goes to park(exc), which keeps it
 * for the caller of the export and returns the engine error to give back.  This is
 * what the ctypes callback (_component._host._dispatch) does, without its thunk.
 */
#include "component.h"

typedef struct {
    PyObject *ref;   /* weakref to host(args, nargs, results) */
    PyObject *park;  /* park(exc) -> the address of a wasmtime_error_t */
} HostSlot;

static Py_ssize_t live_slots;

static void *
parked(HostSlot *slot)
{
    PyObject *exc, *type, *tb, *err;
    void *error;
    PyErr_Fetch(&type, &exc, &tb);
    PyErr_NormalizeException(&type, &exc, &tb);
    if (tb != NULL && exc != NULL)
        PyException_SetTraceback(exc, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    err = PyObject_CallOneArg(slot->park, exc != NULL ? exc : Py_None);
    Py_XDECREF(exc);
    error = err != NULL ? PyLong_AsVoidPtr(err) : NULL;
    Py_XDECREF(err);
    if (error == NULL) {  /* park() itself failed: still an error, never a success */
        PyErr_Clear();
        error = wp_component_engine.error_new("wasmport: a host function failed");
    }
    return error;
}

static void *
host_call(HostSlot *slot, wp_cval_t *args, size_t nargs, wp_cval_t *results)
{
    PyObject *host = PyWeakref_GetObject(slot->ref), *argv[3], *out;
    int i;
    if (host == NULL)
        return parked(slot);
    if (host == Py_None) {
        PyErr_SetString(PyExc_KeyError, "the host function's instance is gone");
        return parked(slot);
    }
    Py_INCREF(host);
    if (Py_IS_TYPE(host, &WpComponentHost_Type)) {  /* a plan: run from here */
        int rc = wp_component_host_run((WpComponentHost *)host, args, nargs, results);
        Py_DECREF(host);
        return rc < 0 ? parked(slot) : NULL;
    }
    argv[0] = PyLong_FromVoidPtr(args);
    argv[1] = PyLong_FromSize_t(nargs);
    argv[2] = PyLong_FromVoidPtr(results);
    out = argv[0] && argv[1] && argv[2] ? PyObject_Vectorcall(host, argv, 3, NULL) : NULL;
    for (i = 0; i < 3; i++)
        Py_XDECREF(argv[i]);
    Py_DECREF(host);
    if (out == NULL)
        return parked(slot);
    Py_DECREF(out);  /* the Python side returns 0: anything it fails at, it raises */
    return NULL;
}

/* wasmtime_component_func_callback_t */
static void *
dispatch(void *data, wasmtime_context_t *ctx, const void *type, wp_cval_t *args,
         size_t nargs, wp_cval_t *results, size_t nresults)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    void *error = host_call((HostSlot *)data, args, nargs, results);
    PyGILState_Release(gil);
    return error;
}

/* The engine dropped the function (with its store or linker), from any thread. */
static void
forget(void *data)
{
    HostSlot *slot = data;
    PyGILState_STATE gil;
    if (!Py_IsInitialized())
        return;  /* after interpreter teardown: nothing left to free it with */
    gil = PyGILState_Ensure();
    Py_XDECREF(slot->ref);
    Py_XDECREF(slot->park);
    PyMem_RawFree(slot);
    live_slots--;
    PyGILState_Release(gil);
}

/* component_host(host, park) -> (callback, data, finalizer) addresses for
 * wasmtime_component_linker_instance_add_func, whose finalizer frees the data (the
 * engine runs it when it drops the function, or at once if it refuses the function). */
PyObject *
wp_component_host(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    HostSlot *slot;
    PyObject *ref;
    if (nargs != 2 || !(PyCallable_Check(args[0]) ||
                        Py_IS_TYPE(args[0], &WpComponentHost_Type)) ||
        !PyCallable_Check(args[1]))
        return PyErr_Format(PyExc_TypeError, "component_host(host, park)");
    if ((ref = PyWeakref_NewRef(args[0], NULL)) == NULL)
        return NULL;
    if ((slot = PyMem_RawMalloc(sizeof *slot)) == NULL) {
        Py_DECREF(ref);
        return PyErr_NoMemory();
    }
    slot->ref = ref;
    slot->park = Py_NewRef(args[1]);
    live_slots++;
    return Py_BuildValue("(NNN)", PyLong_FromVoidPtr((void *)(uintptr_t)dispatch),
                         PyLong_FromVoidPtr(slot),
                         PyLong_FromVoidPtr((void *)(uintptr_t)forget));
}

PyObject *
wp_component_live_hosts(PyObject *module, PyObject *unused)
{
    return PyLong_FromSsize_t(live_slots);
}
