/* One more instance of a module without imports, from its InstancePre.
 *
 *     pre_instantiate(pre, context, out) -> None | False | (trap, error)
 *
 * What Python's instantiation did in three calls, in one: our SIGINT handler in front
 * of Python's again (interrupt.c), the stack room a start function needs (stack.c),
 * then wasmtime_instance_pre_instantiate into the caller's wasmtime_instance_t at
 * `out`.  None: made; False: this thread's stack is too small (nothing ran); else the
 * addresses of the owned trap or error, for the caller to raise.  The GIL stays held,
 * as the ctypes path (a PyDLL prototype) holds it.
 */
#include "wasmport_native.h"

wp_instances_t wp_instances;

static void *
address(PyObject *value)
{
    void *out = PyLong_AsVoidPtr(value);
    if (out == NULL && !PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "pre_instantiate(): a NULL address");
    return out;
}

PyObject *
wp_pre_instantiate(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    void *pre, *ctx, *out;
    wasm_trap_t *trap = NULL;
    wasmtime_error_t *error;
    if (nargs != 3)
        return PyErr_Format(PyExc_TypeError, "pre_instantiate(pre, context, out)");
    if ((pre = address(args[0])) == NULL || (ctx = address(args[1])) == NULL ||
        (out = address(args[2])) == NULL)
        return NULL;
    if (!wp_bound)
        return PyErr_Format(PyExc_RuntimeError, "pre_instantiate(): init() first");
    wp_intr_reinstall();
    if (!wp_stack_room())
        Py_RETURN_FALSE;
    error = wp_instances.pre_instantiate(pre, ctx, out, &trap);
    if (error == NULL && trap == NULL)
        Py_RETURN_NONE;
    return Py_BuildValue("(NN)", PyLong_FromVoidPtr(trap), PyLong_FromVoidPtr(error));
}
