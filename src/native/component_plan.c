/* A component host function whose parameters are scalars or strings and whose result
 * is a scalar (or none), run by the C callback without a Python frame of its own:
 *
 *     state.gate += 1
 *     try:     value = target(*lifted args)
 *              exact type and in range? write it : write check(value)   (check raises
 *                                                   with the Python side's exact words)
 *     finally: state.gate -= 1
 *
 * the same steps, in the same order, as the generated Python host (_hostfast.py), which
 * is what runs without the C extension.
 */
#include "component.h"

static PyObject *str_gate;

static int
bump_gate(PyObject *state, int by)
{
    PyObject *gate, *delta, *next;
    int rc;
    if (str_gate == NULL && (str_gate = PyUnicode_InternFromString("gate")) == NULL)
        return -1;
    if ((gate = PyObject_GetAttr(state, str_gate)) == NULL)
        return -1;
    delta = PyLong_FromLong(by);
    next = delta ? PyNumber_Add(gate, delta) : NULL;
    Py_DECREF(gate);
    Py_XDECREF(delta);
    if (next == NULL)
        return -1;
    rc = PyObject_SetAttr(state, str_gate, next);
    Py_DECREF(next);
    return rc;
}

/* An exact value that needs no check, into `out`; 0 when check() must see it. */
static int
plain(int kind, PyObject *v, wp_cval_t *out)
{
    static const long long lows[] = {0, -128, 0, -32768, 0, -2147483648LL, 0, LLONG_MIN};
    static const long long highs[] = {0, 127, 255, 32767, 65535, 2147483647LL, 4294967295LL,
                                      LLONG_MAX};
    int overflow;
    long long n;
    if (kind == WP_BOOL) {
        if (v != Py_True && v != Py_False)
            return 0;
        out->of.boolean = v == Py_True;
        return 1;
    }
    if (kind > WP_U64 || !PyLong_CheckExact(v))
        return 0;  /* floats and chars: check() converts them, as the Python host does */
    if (kind == WP_U64) {
        unsigned long long u = PyLong_AsUnsignedLongLong(v);
        if (u == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
        }
        out->of.u64 = u;
        return 1;
    }
    n = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || (n == -1 && PyErr_Occurred()) || n < lows[kind] || n > highs[kind]) {
        PyErr_Clear();
        return 0;
    }
    out->of.u64 = 0;
    memcpy(&out->of, &n, sizeof n);  /* little-endian: the low bytes are the narrow value */
    return 1;
}

/* What check() returned (already in range) into `out`. */
static int
checked(int kind, PyObject *v, wp_cval_t *out)
{
    if (kind == WP_BOOL) {
        out->of.boolean = v == Py_True;
        return 0;
    }
    if (kind == WP_F32 || kind == WP_F64) {
        double d = PyFloat_AsDouble(v);
        if (d == -1.0 && PyErr_Occurred())
            return -1;
        if (kind == WP_F32)
            out->of.f32 = (float)d;
        else
            out->of.f64 = d;
        return 0;
    }
    if (kind == WP_U64) {
        out->of.u64 = PyLong_AsUnsignedLongLong(v);
    } else {
        long long n = PyLong_AsLongLong(v);
        out->of.u64 = 0;
        memcpy(&out->of, &n, sizeof n);
    }
    return PyErr_Occurred() ? -1 : 0;
}

static int
write_result(WpComponentHost *plan, PyObject *value, wp_cval_t *result)
{
    PyObject *fixed;
    int rc;
    result->kind = (uint8_t)plan->result_kind;
    if (plain(plan->result_kind, value, result))
        return 0;
    if ((fixed = PyObject_CallOneArg(plan->check, value)) == NULL)
        return -1;
    rc = checked(plan->result_kind, fixed, result);
    Py_DECREF(fixed);
    return rc;
}

static PyObject *
call_target(WpComponentHost *plan, wp_cval_t *args)
{
    PyObject *local[8], **argv = local, *out = NULL;
    Py_ssize_t i, n = plan->nparams;
    if (n > 8 && (argv = PyMem_Malloc(n * sizeof *argv)) == NULL)
        return PyErr_NoMemory();
    for (i = 0; i < n; i++)
        if ((argv[i] = wp_component_lift(plan->kinds[i], &args[i], 0)) == NULL)
            break;
    if (i == n)
        out = PyObject_Vectorcall(plan->target, argv, n, NULL);
    while (i-- > 0)
        Py_DECREF(argv[i]);
    if (argv != local)
        PyMem_Free(argv);
    return out;
}

/* 0, or -1 with the exception set (the callback parks it). */
int
wp_component_host_run(WpComponentHost *plan, wp_cval_t *args, size_t nargs,
                      wp_cval_t *results)
{
    PyObject *value;
    int rc = -1;
    if (bump_gate(plan->state, 1) < 0)
        return -1;
    if ((size_t)plan->nparams != nargs) {
        PyErr_Format(PyExc_SystemError, "host call: %zu arguments for %zd parameters", nargs,
                     plan->nparams);
    } else if ((value = call_target(plan, args)) != NULL) {
        rc = plan->result_kind < 0 ? 0 : write_result(plan, value, &results[0]);
        Py_DECREF(value);
    }
    if (rc < 0) {  /* gate -= 1 with the failure kept aside, as a finally: block does */
        PyObject *type, *exc, *tb;
        PyErr_Fetch(&type, &exc, &tb);
        if (bump_gate(plan->state, -1) < 0)
            PyErr_Clear();
        PyErr_Restore(type, exc, tb);
        return -1;
    }
    return bump_gate(plan->state, -1);
}

static int
plan_traverse(WpComponentHost *self, visitproc visit, void *arg)
{
    Py_VISIT(self->state);
    Py_VISIT(self->target);
    Py_VISIT(self->check);
    return 0;
}

static int
plan_clear(WpComponentHost *self)
{
    Py_CLEAR(self->state);
    Py_CLEAR(self->target);
    Py_CLEAR(self->check);
    return 0;
}

static void
plan_dealloc(WpComponentHost *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakrefs != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    plan_clear(self);
    Py_CLEAR(self->kinds_bytes);
    PyObject_GC_Del(self);
}

PyTypeObject WpComponentHost_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wasmport._engine._ext.ComponentHost",
    .tp_basicsize = sizeof(WpComponentHost),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)plan_traverse,
    .tp_clear = (inquiry)plan_clear,
    .tp_dealloc = (destructor)plan_dealloc,
    .tp_weaklistoffset = offsetof(WpComponentHost, weakrefs),
};

/* component_host_plan(state, target, check, kinds, result_kind) -> ComponentHost */
PyObject *
wp_component_host_plan(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    WpComponentHost *self;
    int result_kind;
    Py_ssize_t i;
    if (nargs != 5 || !PyCallable_Check(args[1]) || !PyCallable_Check(args[2]) ||
        !PyBytes_Check(args[3]))
        return PyErr_Format(PyExc_TypeError, "component_host_plan(state, target, check, "
                            "kinds: bytes, result_kind)");
    result_kind = PyLong_AsLong(args[4]);
    if (result_kind == -1 && PyErr_Occurred())
        return NULL;
    if (result_kind < -1 || result_kind >= WP_STRING)
        return PyErr_Format(PyExc_ValueError, "result_kind: %d is not a scalar kind",
                            result_kind);
    for (i = 0; i < PyBytes_GET_SIZE(args[3]); i++)
        if ((unsigned char)PyBytes_AS_STRING(args[3])[i] >= WP_SCALARS)
            return PyErr_Format(PyExc_ValueError, "kinds: not a scalar or string kind");
    if ((self = PyObject_GC_New(WpComponentHost, &WpComponentHost_Type)) == NULL)
        return NULL;
    self->state = Py_NewRef(args[0]);
    self->target = Py_NewRef(args[1]);
    self->check = Py_NewRef(args[2]);
    self->kinds_bytes = Py_NewRef(args[3]);
    self->kinds = (const unsigned char *)PyBytes_AS_STRING(args[3]);
    self->nparams = PyBytes_GET_SIZE(args[3]);
    self->result_kind = result_kind;
    self->weakrefs = NULL;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}
