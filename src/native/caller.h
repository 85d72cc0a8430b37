/* The Caller object, shared by caller.c (the call), caller_type.c (the type, its
 * construction) and arity.c (the errors Python gives for a wrong call). */
#ifndef WASMPORT_CALLER_H
#define WASMPORT_CALLER_H

#include "wasmport_native.h"

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    wp_func_t func;          /* our own copy of the 16-byte wasmtime_func_t */
    wasmtime_context_t *ctx;
    Py_ssize_t nparams, nresults, nslots;
    const unsigned char *kinds; /* params then results, inside `kinds_bytes` */
    int release_gil;
    PyObject *kinds_bytes, *store, *ctx_ref, *name, *describe; /* "(i32, i32) -> i32" */
    PyObject *raise_trap, *lower, *closed, *gate, *acquire, *release;
    PyObject *where;         /* NULL, or given to raise_trap and closed (shared per realm) */
    PyObject *token;         /* token(caller) is __dask_tokenize__ (shared per instance) */
    WpRLock *rlock;          /* the lock when it is ours: taken without method calls */
    PyObject *dict;          /* attributes (a Function's __dask_tokenize__ is set here) */
    PyObject *results;       /* the last tuple of results, reused while nobody else has it */
} WpCaller;

extern PyObject *wp_kind_strs[K_COUNT];  /* "i32", ... as interned str */

PyObject *wp_caller_vectorcall(PyObject *op, PyObject *const *args, size_t nargsf,
                               PyObject *kwnames);
PyObject *wp_arity_error(WpCaller *self, Py_ssize_t nargs, PyObject *kwnames);

#endif
