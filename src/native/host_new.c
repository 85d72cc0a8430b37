/* Registering a host function (new_host_func) and freeing it when its store drops it. */
#include "host.h"

Py_ssize_t wp_live_envs;

void
wp_env_free(HostEnv *env)
{
    Py_XDECREF(env->fn);
    Py_XDECREF(env->failed);
    Py_XDECREF(env->check);
    Py_XDECREF(env->validate);
    Py_XDECREF(env->fallback);
    Py_XDECREF(env->where);
    Py_XDECREF(env->describe);
    Py_XDECREF(env->window);
    PyMem_RawFree(env);
    wp_live_envs--;
}

/* Called by the engine when the store drops the function, from any thread. */
void
wp_host_finalize(void *envp)
{
    PyGILState_STATE gil;
    if (!Py_IsInitialized())
        return;  /* after interpreter teardown: nothing left to free it with */
    gil = PyGILState_Ensure();
    wp_env_free((HostEnv *)envp);
    PyGILState_Release(gil);
}

/* new_host_func(ctx, functype, out, fn, failed, check, validate, params, results,
 *               where, describe, pass_caller, strict, lifts, window, fallback) */

static int
parse_lifts(HostEnv *env, PyObject *lifts)
{
    for (Py_ssize_t i = 0; i < env->nlifts; i++) {
        PyObject *item = PyTuple_GET_ITEM(lifts, i);
        long kind, slot;
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2)
            goto bad;
        kind = PyLong_AsLong(PyTuple_GET_ITEM(item, 0));
        slot = PyLong_AsLong(PyTuple_GET_ITEM(item, 1));
        if (PyErr_Occurred() || kind < 0 || kind > LIFT_STRING || slot < 0 ||
            slot + (kind == LIFT_VALUE ? 0 : 1) >= env->nparams)
            goto bad;
        if (kind != LIFT_VALUE && (env->data[slot] != K_I32 || env->data[slot + 1] != K_I32))
            goto bad;
        LIFT_KIND(env, i) = (int)kind;
        LIFT_SLOT(env, i) = (int)slot;
    }
    return 0;
bad:
    PyErr_Clear();
    PyErr_SetString(PyExc_ValueError, "lifts: (kind, slot) pairs; bytes and string lifts "
                    "take two i32 slots");
    return -1;
}

static HostEnv *
env_new(PyObject *const *a)
{
    Py_ssize_t np = PyBytes_GET_SIZE(a[7]), nr = PyBytes_GET_SIZE(a[8]);
    Py_ssize_t nl = a[13] == Py_None ? -1 : PyTuple_GET_SIZE(a[13]);
    size_t count = (size_t)(np + nr + 2 * (nl > 0 ? nl : 0));
    HostEnv *env = PyMem_RawCalloc(1, sizeof(HostEnv) + sizeof(int) * count);
    if (env == NULL)
        return (HostEnv *)PyErr_NoMemory();
    wp_live_envs++;
    env->nparams = np;
    env->nresults = nr;
    env->nslots = np > nr ? np : nr;
    env->nlifts = nl;
    for (Py_ssize_t i = 0; i < np + nr; i++)
        env->data[i] = (unsigned char)(i < np ? PyBytes_AS_STRING(a[7])[i]
                                              : PyBytes_AS_STRING(a[8])[i - np]);
    env->fn = Py_NewRef(a[3]);
    env->failed = Py_NewRef(a[4]);
    env->check = Py_NewRef(a[5]);
    env->validate = Py_NewRef(a[6]);
    env->where = Py_NewRef(a[9]);
    env->describe = Py_NewRef(a[10]);
    env->pass_caller = PyObject_IsTrue(a[11]) == 1;
    env->strict = PyObject_IsTrue(a[12]) == 1;
    if (nl >= 0) {
        env->window = (WpWindow *)Py_NewRef(a[14]);
        env->fallback = Py_NewRef(a[15]);
    }
    if (nl > 0 && parse_lifts(env, a[13]) < 0) {
        wp_env_free(env);
        return NULL;
    }
    return env;
}

static int
check_host_args(PyObject *const *a)
{
    if (wp_check_kinds(a[7], "params") < 0 || wp_check_kinds(a[8], "results") < 0)
        return -1;
    if (!PyUnicode_Check(a[9]) || !PyUnicode_Check(a[10])) {
        PyErr_SetString(PyExc_TypeError, "where and describe must be str");
        return -1;
    }
    if (a[13] != Py_None && (!PyTuple_Check(a[13]) || !PyObject_TypeCheck(a[14], &WpWindow_Type)
                             || !PyCallable_Check(a[15]))) {
        PyErr_SetString(PyExc_TypeError, "lifts need a tuple, a Window and a fallback callable");
        return -1;
    }
    return 0;
}

PyObject *
wp_new_host_func(PyObject *module, PyObject *const *a, Py_ssize_t nargs)
{
    void *ctx, *functype;
    Py_buffer out;
    HostEnv *env;
    if (!wp_bound)
        return PyErr_Format(PyExc_RuntimeError, "wasmport._engine._ext: init() was not called");
    if (nargs != 16)
        return PyErr_Format(PyExc_TypeError, "new_host_func() takes 16 arguments (%zd given)",
                            nargs);
    if (check_host_args(a) < 0)
        return NULL;
    ctx = PyLong_AsVoidPtr(a[0]);
    functype = ctx ? PyLong_AsVoidPtr(a[1]) : NULL;
    if (functype == NULL)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "NULL ctx or functype");
    if (PyObject_GetBuffer(a[2], &out, PyBUF_WRITABLE) < 0)
        return NULL;
    if (out.len != (Py_ssize_t)sizeof(wp_func_t) || (env = env_new(a)) == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "out: expected a 16-byte wasmtime_func_t");
        PyBuffer_Release(&out);
        return NULL;
    }
    wp_engine.func_new_unchecked(ctx, functype, wp_trampoline, env, wp_host_finalize, out.buf);
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

PyObject *
wp_live_host_funcs(PyObject *module, PyObject *unused)
{
    return PyLong_FromSsize_t(wp_live_envs);
}

