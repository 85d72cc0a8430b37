/* Values between Python objects and raw slots, and small shared helpers.
 *
 * Only the common case is decided here: an exact int in range, an exact float.
 * Everything else (bool, int subclasses, __index__ objects, bad values) goes back
 * to the Python layer's own lowering, so error types and messages are the ctypes
 * path's, word for word.
 */
#include <string.h>

#include "wasmport_native.h"

const char *const wp_kind_names[K_COUNT] = {"i32", "i64", "f32", "f64", "v128"};

/* f32 at the bit level, as _engine/floats.py: the hardware's conversions quiet a
 * signalling NaN, so a NaN's 23 payload bits (signalling bit included) move between the
 * top of the f64 payload and the f32 payload by hand; any other value rounds as wasm's
 * f32.demote_f64 does (the C cast, to nearest, overflowing to an infinity). */
static float
f32_of(double d)
{
    uint64_t wide;
    uint32_t bits, payload;
    float f;
    if (d == d)
        return (float)d;
    memcpy(&wide, &d, sizeof wide);
    payload = (uint32_t)(wide >> 29) & 0x7FFFFFu;
    bits = (uint32_t)(wide >> 63) << 31 | 0x7F800000u | (payload ? payload : 0x400000u);
    memcpy(&f, &bits, sizeof f);
    return f;
}

static double
f64_of(float f)
{
    uint32_t bits;
    uint64_t wide;
    double d;
    if (f == f)
        return (double)f;
    memcpy(&bits, &f, sizeof bits);
    wide = (uint64_t)(bits >> 31) << 63 | 0x7FF0000000000000ull | (uint64_t)(bits & 0x7FFFFFu) << 29;
    memcpy(&d, &wide, sizeof d);
    return d;
}

/* Store `value` if it passes the inline test; 1 stored, 0 not (no error set).
 * i32 takes -2**31..2**32-1 (`strict`: the signed half only), i64 the signed
 * range; both are written as 64 bits, as the ctypes path's 'q' view does (the
 * engine reads the low 32 bits of an i32). */
int
wp_fast_store(int kind, PyObject *value, wp_val_raw_t *slot, int strict)
{
    if (kind == K_V128)
        return wp_v128_store(value, slot);  /* vector.c */
    if (kind == K_I32 || kind == K_I64) {
        int overflow;
        long long x;
        if (!PyLong_CheckExact(value))
            return 0;
        x = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (overflow)
            return 0;
        if (kind == K_I32 && (x < INT32_MIN || x > (strict ? INT32_MAX : (long long)UINT32_MAX)))
            return 0;
        slot->i64 = x;
        return 1;
    }
    if (!PyFloat_CheckExact(value))
        return 0;
    if (kind == K_F32)
        slot->f32 = f32_of(PyFloat_AS_DOUBLE(value));
    else
        slot->f64 = PyFloat_AS_DOUBLE(value);
    return 1;
}

/* Store what the Python layer's lowering returned (already range-checked there):
 * an int for i32/i64 (i64 signed) and v128 (unsigned), a float for f32/f64.  -1 with an
 * error set. */
int
wp_store_converted(int kind, PyObject *value, wp_val_raw_t *slot)
{
    if (kind == K_V128)
        return wp_v128_store_converted(value, slot);  /* vector.c */
    if (kind == K_I32 || kind == K_I64) {
        unsigned long long bits;
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (x == -1 && PyErr_Occurred())
            return -1;
        if (overflow > 0) {
            bits = PyLong_AsUnsignedLongLong(value);
            if (bits == (unsigned long long)-1 && PyErr_Occurred())
                return -1;
            x = (long long)bits;
        }
        else if (overflow < 0) {
            PyErr_SetString(PyExc_OverflowError, "lowered value out of range for its slot");
            return -1;
        }
        if (kind == K_I32 && (x < INT32_MIN || x > (long long)UINT32_MAX)) {
            PyErr_SetString(PyExc_OverflowError, "lowered value out of range for i32");
            return -1;
        }
        slot->i64 = x;
        return 0;
    }
    else {
        double d = PyFloat_AsDouble(value);
        if (d == -1.0 && PyErr_Occurred())
            return -1;
        if (kind == K_F32)
            slot->f32 = f32_of(d);
        else
            slot->f64 = d;
        return 0;
    }
}

/* A slot as a Python number: integers signed (v128 unsigned), f32 widened exactly. */
PyObject *
wp_lift(int kind, const wp_val_raw_t *slot)
{
    switch (kind) {
    case K_I32:
        return PyLong_FromLong(slot->i32);
    case K_I64:
        return PyLong_FromLongLong(slot->i64);
    case K_F32:
        return PyFloat_FromDouble(f64_of(slot->f32));
    case K_V128:
        return wp_v128_lift(slot);
    default:
        return PyFloat_FromDouble(slot->f64);
    }
}

/* 0 when `kinds` is a bytes object of valid kind codes, else -1 with ValueError. */
int
wp_check_kinds(PyObject *kinds, const char *what)
{
    Py_ssize_t i, n;
    const char *data;
    if (!PyBytes_Check(kinds)) {
        PyErr_Format(PyExc_TypeError, "%s must be bytes of kind codes", what);
        return -1;
    }
    n = PyBytes_GET_SIZE(kinds);
    data = PyBytes_AS_STRING(kinds);
    for (i = 0; i < n; i++) {
        if ((unsigned char)data[i] >= K_COUNT) {
            PyErr_Format(PyExc_ValueError, "%s: kind code %d is not one of 0..%d", what,
                         (int)(unsigned char)data[i], K_COUNT - 1);
            return -1;
        }
    }
    return 0;
}

/* The current exception as one object with its traceback, the error cleared. */
PyObject *
wp_fetch_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL)
        return NULL;
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL && value != NULL)
        PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
#endif
}

/* Python's `finally` semantics: the error now set replaces `original` (stolen),
 * which becomes its __context__. */
void
wp_raise_with_context(PyObject *original)
{
    PyObject *current;
    if (original == NULL)
        return;
    current = wp_fetch_exception();
    if (current == NULL) {
        wp_restore(original);
        return;
    }
    PyException_SetContext(current, original); /* steals original */
    wp_restore(current);
}

/* Make `exc` (stolen) the current exception again, traceback and all. */
void
wp_restore(PyObject *exc)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(exc);
#else
    PyObject *type = (PyObject *)Py_TYPE(exc);
    Py_INCREF(type);
    PyErr_Restore(type, exc, PyException_GetTraceback(exc));
#endif
}

PyObject *
wp_interned(const char *text)
{
    return PyUnicode_InternFromString(text);
}

static PyObject *str_context;

/* Whether the wasmtime.Store is still open: wasmtime-py sets Store.__context to
 * None when it frees the store, and we hold the pointer object it had.  Read from the
 * store's __dict__ itself (the one a reassigned __dict__ would be too): a full
 * attribute look-up, type and MRO first, cost ~170 instructions of every call. */
int
wp_store_alive(PyObject *store, PyObject *ctx_ref)
{
    PyObject *dict, *current;
    if (store == NULL)
        return 0;
    if (str_context == NULL && (str_context = wp_interned("_Store__context")) == NULL) {
        PyErr_Clear();
        return 0;
    }
    if ((dict = PyObject_GenericGetDict(store, NULL)) == NULL) {
        PyErr_Clear();
        return 0;
    }
    current = PyDict_GetItemWithError(dict, str_context);  /* borrowed */
    Py_DECREF(dict);
    if (current == NULL)
        PyErr_Clear();
    return current != NULL && current == ctx_ref;
}

/* Call `closed()` (`closed(where)` when given), which should raise; if it returns,
 * raise ValueError. */
int
wp_raise_closed(PyObject *closed, PyObject *label, PyObject *where)
{
    PyObject *out;
    if (closed != NULL && closed != Py_None) {
        out = where ? PyObject_CallOneArg(closed, where) : PyObject_CallNoArgs(closed);
        if (out == NULL)
            return -1;
        Py_DECREF(out);
    }
    PyErr_Format(PyExc_ValueError, "%S(): the store is closed", label ? label : Py_None);
    return -1;
}
