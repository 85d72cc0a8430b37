/* v128 values as Python ints: lane 0 in the low bits, as _engine/vectors.py has them.
 *
 * An argument is an exact int in -2**127..2**128-1 (the signed and the unsigned spelling
 * of 128 bits); results are unsigned.  Anything else (bytes, __index__ objects, a value
 * out of range) is left to the Python layer's lowering, which raises its own words.
 * The 16 bytes are little-endian, as the ctypes layer writes them (vals.py).  CPython
 * 3.13 made its int <-> bytes conversions public (PyLong_AsNativeBytes and
 * PyLong_FromUnsignedNativeBytes); before that they are _PyLong_AsByteArray and
 * _PyLong_FromByteArray, which every CPython since 3.0 exports.
 */
#include <string.h>

#include "wasmport_native.h"

/* Store an exact int in range: 1 stored, 0 not (no error set), as wp_fast_store. */
int
wp_v128_store(PyObject *value, wp_val_raw_t *slot)
{
    unsigned char bytes[16];
    long long small;
    int overflow;
    if (!PyLong_CheckExact(value))
        return 0;
    small = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (!overflow) {  /* the common case: sign-extended to 128 bits */
        memset(bytes, small < 0 ? 0xFF : 0, sizeof bytes);
        for (int i = 0; i < 8; i++)
            bytes[i] = (unsigned char)((unsigned long long)small >> (8 * i));
    }
#if PY_VERSION_HEX >= 0x030D0000
    else {
        /* the size it needs: unsigned up to 2**128-1, two's complement down to -2**127 */
        Py_ssize_t needed = PyLong_AsNativeBytes(value, bytes, sizeof bytes,
                                                 Py_ASNATIVEBYTES_LITTLE_ENDIAN |
                                                 Py_ASNATIVEBYTES_UNSIGNED_BUFFER);
        if (needed < 0 || needed > (Py_ssize_t)sizeof bytes) {
            PyErr_Clear();
            return 0;
        }
    }
#else
    else if (_PyLong_AsByteArray((PyLongObject *)value, bytes, sizeof bytes, 1,
                                 overflow < 0) < 0) {
        PyErr_Clear();  /* out of range: the Python layer says so */
        return 0;
    }
#endif
    memcpy(slot->v128, bytes, sizeof bytes);
    return 1;
}

/* A v128 slot as an unsigned int. */
PyObject *
wp_v128_lift(const wp_val_raw_t *slot)
{
#if PY_VERSION_HEX >= 0x030D0000
    return PyLong_FromUnsignedNativeBytes(slot->v128, 16, Py_ASNATIVEBYTES_LITTLE_ENDIAN);
#else
    return _PyLong_FromByteArray(slot->v128, 16, 1, 0);
#endif
}
