/* v128 values as Python ints: lane 0 in the low bits, as _engine/vectors.py has them.
 *
 * An argument is an exact int in -2**127..2**128-1 (the signed and the unsigned spelling
 * of 128 bits); results are unsigned.  Anything else (bytes, __index__ objects, a value
 * out of range) is left to the Python layer's lowering, which raises its own words.
 * The 16 bytes are little-endian, as the ctypes layer writes them (vals.py).
 *
 * Where the compiler has 128-bit integers and CPython lays its ints out as 3.10-3.13 do
 * (30- or 15-bit digits, the digit count and sign in ob_size, or in lv_tag from 3.12),
 * the digits are read and written directly: CPython's own int <-> bytes conversions
 * (_PyLong_AsByteArray, _PyLong_FromByteArray) cost ~280 instructions each way for a
 * 100-bit value, more than the rest of a call (callgrind).  Elsewhere arguments past 64
 * bits take the Python lowering and results CPython's conversion (public since 3.13).
 */
#include <string.h>

#include "wasmport_native.h"

/* WASMPORT_GENERIC_V128 builds the other way here too (tests/native/test_wheels.py). */
#if defined(__SIZEOF_INT128__) && PY_VERSION_HEX < 0x030E0000 && !defined(WASMPORT_GENERIC_V128)
#define WP_DIGITS 1
typedef unsigned __int128 wp_u128;

static const digit *
digits_of(PyObject *value, Py_ssize_t *count, int *negative)
{
    PyLongObject *op = (PyLongObject *)value;
#if PY_VERSION_HEX >= 0x030C0000
    uintptr_t tag = op->long_value.lv_tag;
    *negative = (tag & _PyLong_SIGN_MASK) == 2;
    *count = (Py_ssize_t)(tag >> _PyLong_NON_SIZE_BITS);
    return op->long_value.ob_digit;
#else
    Py_ssize_t size = Py_SIZE(op);
    *negative = size < 0;
    *count = size < 0 ? -size : size;
    return op->ob_digit;
#endif
}

static digit *
digits_to_fill(PyLongObject *op)
{
#if PY_VERSION_HEX >= 0x030C0000
    return op->long_value.ob_digit;
#else
    return op->ob_digit;
#endif
}

static void
put(wp_val_raw_t *slot, wp_u128 bits)
{
#if PY_LITTLE_ENDIAN
    memcpy(slot->v128, &bits, 16);
#else
    for (int i = 0; i < 16; i++)
        slot->v128[i] = (uint8_t)(bits >> (8 * i));
#endif
}

static wp_u128
get(const wp_val_raw_t *slot)
{
    wp_u128 bits = 0;
#if PY_LITTLE_ENDIAN
    memcpy(&bits, slot->v128, 16);
#else
    for (int i = 15; i >= 0; i--)
        bits = bits << 8 | slot->v128[i];
#endif
    return bits;
}

/* 1 stored, 0 out of range. */
static int
store_digits(PyObject *value, wp_val_raw_t *slot)
{
    Py_ssize_t count;
    int negative;
    const digit *digits = digits_of(value, &count, &negative);
    wp_u128 magnitude = 0;
    for (Py_ssize_t i = count - 1; i >= 0; i--) {
        if (magnitude >> (128 - PyLong_SHIFT))  /* the next digit would push bits out */
            return 0;
        magnitude = magnitude << PyLong_SHIFT | digits[i];
    }
    if (negative && magnitude > (wp_u128)1 << 127)
        return 0;
    put(slot, negative ? -magnitude : magnitude);
    return 1;
}

static PyObject *
lift_digits(const wp_val_raw_t *slot)
{
    wp_u128 bits = get(slot);
    Py_ssize_t count = 0;
    PyLongObject *out;
    if ((bits >> 64) == 0)
        return PyLong_FromUnsignedLongLong((unsigned long long)bits);
    for (wp_u128 rest = bits; rest != 0; rest >>= PyLong_SHIFT)
        count++;
    if ((out = _PyLong_New(count)) == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < count; i++, bits >>= PyLong_SHIFT)
        digits_to_fill(out)[i] = (digit)(bits & PyLong_MASK);
    return (PyObject *)out;
}
#else
/* The two 64-bit halves into the slot's 16 little-endian bytes. */
static void
put_halves(wp_val_raw_t *slot, unsigned long long low, unsigned long long high)
{
    for (int i = 0; i < 8; i++) {
        slot->v128[i] = (uint8_t)(low >> (8 * i));
        slot->v128[8 + i] = (uint8_t)(high >> (8 * i));
    }
}
#endif

/* Store an exact int in range: 1 stored, 0 not (no error set), as wp_fast_store. */
int
wp_v128_store(PyObject *value, wp_val_raw_t *slot)
{
    if (!PyLong_CheckExact(value))
        return 0;
#ifdef WP_DIGITS
    return store_digits(value, slot);
#else
    /* Without the digits only the values of 64 bits are stored here, sign-extended; the
     * Python layer's lowering stores the others (correct, ~1 us slower). */
    int overflow;
    long long small = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (overflow)
        return 0;
    put_halves(slot, (unsigned long long)small, small < 0 ? ~0ull : 0);
    return 1;
#endif
}

/* Store what the Python lowering returned, an unsigned int below 2**128: 0, or -1 with
 * OverflowError.  Without the digits, by public API: the low half by mask, the high one by
 * a shift. */
int
wp_v128_store_converted(PyObject *value, wp_val_raw_t *slot)
{
#ifdef WP_DIGITS
    if (PyLong_CheckExact(value) && store_digits(value, slot))
        return 0;
#else
    PyObject *shift = PyLong_FromLong(64), *top = shift ? PyNumber_Rshift(value, shift) : NULL;
    unsigned long long low, high;
    Py_XDECREF(shift);
    if (top == NULL)
        return -1;
    high = PyLong_AsUnsignedLongLong(top);
    Py_DECREF(top);
    if (high == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();  /* 2**128 and up, or below 0: the OverflowError below */
    }
    else {
        low = PyLong_AsUnsignedLongLongMask(value);
        if (low == (unsigned long long)-1 && PyErr_Occurred())
            return -1;
        put_halves(slot, low, high);
        return 0;
    }
#endif
    PyErr_SetString(PyExc_OverflowError, "lowered value out of range for v128");
    return -1;
}

/* A v128 slot as an unsigned int. */
PyObject *
wp_v128_lift(const wp_val_raw_t *slot)
{
#ifdef WP_DIGITS
    return lift_digits(slot);
#elif PY_VERSION_HEX >= 0x030D0000
    return PyLong_FromUnsignedNativeBytes(slot->v128, 16, Py_ASNATIVEBYTES_LITTLE_ENDIAN);
#else
    return _PyLong_FromByteArray(slot->v128, 16, 1, 0);
#endif
}
