/* Python -> component: one export whose parameters and result are scalars or strings,
 * called through wasmtime_component_func_call from C.
 *
 * The function's type was read once, when the instance was made (`kinds`); a call
 * writes its arguments into values on the C stack (so a re-entrant call gets its
 * own), makes the one engine call with the GIL held, lifts the result and frees the
 * engine's copy of it:
 *
 *     exact arity, no keywords, instance idle? -> each argument of its exact type and
 *     in range? -> func_call -> error? raise fail(error) : lift, val_delete
 *
 * Anything else -- keywords, a wrong count, an int subclass, a value out of range, a
 * lone surrogate, an instance in a host call, poisoned or with handles to drop -- is
 * passed untouched to `slow`, the generated Python wrapper, which gives the exact
 * checks and words (nothing has reached the engine by then).
 *
 * A str argument is passed as its UTF-8 form: for an ASCII str that is its own data;
 * any other str of up to UTF8_KEPT_MAX code points gets a UTF-8 copy that CPython keeps
 * beside it (PyUnicode_AsUTF8AndSize), so passing the same str again costs nothing; a
 * longer one takes the Python wrapper, whose copy goes when the call is over.
 */
#include "component.h"

#define LOCAL_VALS 16 /* more parameters than this take the Python wrapper */
#define LOCAL_ENTRIES 64 /* record fields on the C stack, for all parameters */
#define UTF8_KEPT_MAX 4096 /* code points: a longer non-ASCII str gets no kept UTF-8 copy */

wp_component_engine_t wp_component_engine;

static PyObject *str_gate, *str_alert;

int
wp_component_strings(void)
{
    str_gate = PyUnicode_InternFromString("gate");
    str_alert = PyUnicode_InternFromString("alert");
    return str_gate && str_alert ? 0 : -1;
}

static int
busy(WpComponentFunc *self)
{
    PyObject *flag = PyObject_GetAttr(self->state, str_gate);
    int on;
    if (flag == NULL)
        return -1;
    on = PyObject_IsTrue(flag);
    Py_DECREF(flag);
    if (on != 0)
        return on;
    if ((flag = PyObject_GetAttr(self->state, str_alert)) == NULL)
        return -1;
    on = PyObject_IsTrue(flag);
    Py_DECREF(flag);
    return on;
}

/* An exact int in [low, high] (or [0, UINT64_MAX] for u64) into `*out`; 0 to refuse. */
static int
exact_int(PyObject *v, int kind, uint64_t *out)
{
    static const long long lows[] = {0, -128, 0, -32768, 0, -2147483648LL, 0, LLONG_MIN};
    static const long long highs[] = {0, 127, 255, 32767, 65535, 2147483647LL, 4294967295LL,
                                      LLONG_MAX};
    int overflow;
    long long n;
    if (!PyLong_CheckExact(v))
        return 0;
    if (kind == WP_U64) {
        unsigned long long u = PyLong_AsUnsignedLongLong(v);
        if (u == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
        }
        *out = u;
        return 1;
    }
    n = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || (n == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return 0;
    }
    if (n < lows[kind] || n > highs[kind])
        return 0;
    *out = (uint64_t)n;
    return 1;
}

/* One scalar or string into `val`; 1 written, 0 refused (the Python wrapper decides). */
int
wp_component_lower(int kind, PyObject *v, wp_cval_t *val)
{
    uint64_t bits;
    double d;
    memset(val, 0, sizeof *val);
    val->kind = (uint8_t)kind;
    switch (kind) {
    case WP_BOOL:
        if (v != Py_True && v != Py_False)
            return 0;
        val->of.boolean = v == Py_True;
        return 1;
    case WP_U8: case WP_S8:
        if (!exact_int(v, kind, &bits))
            return 0;
        val->of.u8 = (uint8_t)bits;
        return 1;
    case WP_U16: case WP_S16:
        if (!exact_int(v, kind, &bits))
            return 0;
        val->of.u16 = (uint16_t)bits;
        return 1;
    case WP_U32: case WP_S32:
        if (!exact_int(v, kind, &bits))
            return 0;
        val->of.u32 = (uint32_t)bits;
        return 1;
    case WP_U64: case WP_S64:
        if (!exact_int(v, kind, &bits))
            return 0;
        val->of.u64 = bits;
        return 1;
    case WP_F32: case WP_F64:
        if (!PyFloat_CheckExact(v))
            return 0;
        d = PyFloat_AS_DOUBLE(v);
        if (kind == WP_F32) {
            if (!(d >= -3.4028234663852886e38 && d <= 3.4028234663852886e38))
                return 0;  /* nan, inf, out of range: the Python checks */
            val->of.f32 = (float)d;
        } else {
            if (!(d >= -1.7976931348623157e308 && d <= 1.7976931348623157e308))
                return 0;
            val->of.f64 = d;
        }
        return 1;
    case WP_CHAR:
        if (!PyUnicode_CheckExact(v) || PyUnicode_GET_LENGTH(v) != 1)
            return 0;
        bits = PyUnicode_READ_CHAR(v, 0);
        if (bits >= 0xD800 && bits <= 0xDFFF)
            return 0;
        val->of.u32 = (uint32_t)bits;
        return 1;
    case WP_STRING: {
        Py_ssize_t size;
        const char *data;
        if (!PyUnicode_CheckExact(v))
            return 0;
        if (!PyUnicode_IS_ASCII(v) && PyUnicode_GET_LENGTH(v) > UTF8_KEPT_MAX)
            return 0;  /* a long one: the Python wrapper's copy, gone after the call */
        if ((data = PyUnicode_AsUTF8AndSize(v, &size)) == NULL) {
            PyErr_Clear();  /* a lone surrogate: the Python wrapper words it */
            return 0;
        }
        val->of.str.len = (size_t)size;
        val->of.str.data = data;
        return 1;
    }
    }
    return 0;
}

/* A value as Python sees it; `owned`: the engine's result, freed here once read. */
PyObject *
wp_component_lift(int kind, wp_cval_t *val, int owned)
{
    PyObject *out;
    switch (kind) {
    case WP_BOOL: return PyBool_FromLong(val->of.boolean);
    case WP_S8: return PyLong_FromLong(val->of.s8);
    case WP_U8: return PyLong_FromLong(val->of.u8);
    case WP_S16: return PyLong_FromLong(val->of.s16);
    case WP_U16: return PyLong_FromLong(val->of.u16);
    case WP_S32: return PyLong_FromLong(val->of.s32);
    case WP_U32: return PyLong_FromUnsignedLong(val->of.u32);
    case WP_S64: return PyLong_FromLongLong(val->of.s64);
    case WP_U64: return PyLong_FromUnsignedLongLong(val->of.u64);
    case WP_F32: return PyFloat_FromDouble((double)val->of.f32);
    case WP_F64: return PyFloat_FromDouble(val->of.f64);
    case WP_CHAR: return PyUnicode_FromOrdinal((int)val->of.u32);
    case WP_STRING:
        out = PyUnicode_DecodeUTF8(val->of.str.data, (Py_ssize_t)val->of.str.len, "strict");
        if (owned) {
            wp_component_engine.val_delete(val);
            val->kind = WP_BOOL;
        }
        return out;
    }
    return PyErr_Format(PyExc_SystemError, "component call: result kind %d", kind);
}

static PyObject *
raise_failure(WpComponentFunc *self, void *error)
{
    PyObject *address = PyLong_FromVoidPtr(error), *exc;
    if (address == NULL)
        return NULL;  /* the error leaks: there is no memory to say more */
    exc = PyObject_CallOneArg(self->fail, address);
    Py_DECREF(address);
    if (exc == NULL)
        return NULL;
    if (PyExceptionInstance_Check(exc))
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    else
        PyErr_SetString(PyExc_SystemError, "component call: fail() returned no exception");
    Py_DECREF(exc);
    return NULL;
}

static void
drop(PyObject **refs, Py_ssize_t n)
{
    while (n-- > 0)
        Py_DECREF(refs[n]);
}

static PyObject *
slow(WpComponentFunc *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    return PyObject_Vectorcall(self->slow, args, nargsf, kwnames);
}

PyObject *
wp_component_vectorcall(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    WpComponentFunc *self = (WpComponentFunc *)op;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), i;
    wp_cval_t vals[LOCAL_VALS], result;
    wp_centry_t entries[LOCAL_ENTRIES];
    PyObject *refs[LOCAL_ENTRIES];
    Py_ssize_t used = 0, nrefs = 0;
    void *error;
    int state, ok = 1;
    if (self->slow == NULL)  /* cleared by the garbage collector, inside a cycle */
        return PyErr_Format(PyExc_ReferenceError, "this component function is gone");
    if (kwnames != NULL || nargs != self->nparams || nargs > LOCAL_VALS)
        return slow(self, args, nargsf, kwnames);
    if ((state = busy(self)) != 0)
        return state < 0 ? NULL : slow(self, args, nargsf, kwnames);
    for (i = 0; ok && i < nargs; i++) {
        if (self->kinds[i] != WP_RECORD) {
            ok = wp_component_lower(self->kinds[i], args[i], &vals[i]);
            continue;
        }
        ok = used + WP_RECORD_FIELDS <= LOCAL_ENTRIES &&
             wp_record_lower(PyTuple_GET_ITEM(self->records, i), args[i], &vals[i],
                             entries + used, refs, &nrefs);
        used += WP_RECORD_FIELDS;
    }
    if (!ok) {
        drop(refs, nrefs);
        return slow(self, args, nargsf, kwnames);
    }
    result.kind = WP_BOOL;  /* the engine drops what it finds in the result first */
    error = wp_component_engine.func_call(&self->func, self->ctx, vals, (size_t)nargs,
                                          &result, self->result_kind < 0 ? 0 : 1);
    drop(refs, nrefs);  /* the engine has its own copies by now */
    if (error != NULL)
        return raise_failure(self, error);
    if (self->result_kind < 0)
        Py_RETURN_NONE;
    if (self->result_kind == WP_RECORD)
        return wp_record_lift(PyTuple_GET_ITEM(self->records, nargs), &result);
    return wp_component_lift(self->result_kind, &result, 1);
}

/* -- the type ------------------------------------------------------------------- */

static int
cf_traverse(WpComponentFunc *self, visitproc visit, void *arg)
{
    Py_VISIT(self->slow);
    Py_VISIT(self->state);
    Py_VISIT(self->fail);
    Py_VISIT(self->records);
    Py_VISIT(self->dict);
    return 0;
}

static int
cf_clear(WpComponentFunc *self)
{
    Py_CLEAR(self->slow);  /* first: a cleared function refuses calls */
    Py_CLEAR(self->state);
    Py_CLEAR(self->fail);
    Py_CLEAR(self->records);
    Py_CLEAR(self->dict);
    return 0;
}

static void
cf_dealloc(WpComponentFunc *self)
{
    PyObject_GC_UnTrack(self);
    cf_clear(self);
    Py_CLEAR(self->kinds_bytes);
    PyObject_GC_Del(self);
}

/* A class attribute binds like a function: resource methods are exports too. */
static PyObject *
cf_descr_get(PyObject *self, PyObject *obj, PyObject *type)
{
    if (obj == NULL || obj == Py_None)
        return Py_NewRef(self);
    return PyMethod_New(self, obj);
}

static PyObject *
cf_repr(WpComponentFunc *self)
{
    if (self->slow == NULL)
        return PyUnicode_FromString("<wasmport component function (cleared)>");
    return PyUnicode_FromFormat("<wasmport component function %R>", self->slow);
}

PyTypeObject WpComponentFunc_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wasmport._engine._ext.ComponentFunc",
    .tp_basicsize = sizeof(WpComponentFunc),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL |
                Py_TPFLAGS_METHOD_DESCRIPTOR,
    .tp_vectorcall_offset = offsetof(WpComponentFunc, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_traverse = (traverseproc)cf_traverse,
    .tp_clear = (inquiry)cf_clear,
    .tp_dealloc = (destructor)cf_dealloc,
    .tp_repr = (reprfunc)cf_repr,
    .tp_descr_get = cf_descr_get,
    .tp_dictoffset = offsetof(WpComponentFunc, dict),
};
