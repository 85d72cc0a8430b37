/* RLock: a re-entrant lock with threading.RLock's interface, cheap to take from C.
 *
 * A realm's entry lock is taken around every call once Python host functions
 * exist.  Through threading.RLock's methods that costs ~70 ns a call (argument
 * parsing and two method calls); a Caller given this lock takes it directly.
 * Python code uses it as it uses threading.RLock: acquire(blocking=True,
 * timeout=-1), release(), `with`, _is_owned().
 *
 * The owner and count are only touched with the GIL held, so the GIL guards
 * them and an uncontended acquire is two stores.  The OS lock `wakeup` is only
 * for waiting: it stays held, a waiter blocks on it with the GIL released, and
 * the last release hands it one wake-up when someone waits.  A waiter that wakes
 * re-checks the count (another thread may have taken the lock first).  A signal
 * arriving meanwhile runs its Python handler; an exception from the handler
 * aborts the wait, as threading's locks do.
 */
#include "wasmport_native.h"

/* threading's own words, which changed in 3.13 */
#if PY_VERSION_HEX >= 0x030D0000
#define NEGATIVE_TIMEOUT "timeout value must be a non-negative number"
#else
#define NEGATIVE_TIMEOUT "timeout value must be positive"
#endif

#ifdef _WIN32
#include <windows.h>
static double now(void) { return (double)GetTickCount64() / 1e3; }
#else
#include <time.h>
static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
#endif

/* One wait for a wake-up, the GIL released; 0, or -1 when a signal handler raised. */
static int
wait_once(WpRLock *self, double seconds)
{
    PY_TIMEOUT_T us = -1;
    PyLockStatus r;
    if (seconds >= 0)
        us = seconds * 1e6 < (double)PY_TIMEOUT_MAX ? (PY_TIMEOUT_T)(seconds * 1e6)
                                                     : PY_TIMEOUT_MAX;
    self->waiters++;
    Py_BEGIN_ALLOW_THREADS
    r = PyThread_acquire_lock_timed(self->wakeup, us, 1);
    Py_END_ALLOW_THREADS
    self->waiters--;
    if (r == PY_LOCK_ACQUIRED)
        self->signaled = 0;
    return r == PY_LOCK_INTR && Py_MakePendingCalls() < 0 ? -1 : 0;
}

/* 1 acquired, 0 not (timed out), -1 error; `*waited` set when the GIL was let go. */
static int
rlock_take(WpRLock *self, double timeout, int *waited)
{
    unsigned long me = PyThread_get_thread_ident();
    double deadline = timeout > 0 ? now() + timeout : 0;
    if (self->count > 0 && self->owner == me) {
        if (self->count == ULONG_MAX) {
            PyErr_SetString(PyExc_OverflowError, "internal lock count overflowed");
            return -1;
        }
        self->count++;
        return 1;
    }
    while (self->count > 0) {
        double left = timeout < 0 ? -1 : deadline - now();
        if (timeout >= 0 && left <= 0)
            return 0;
        *waited = 1;
        if (wait_once(self, left) < 0)
            return -1;
    }
    self->owner = me;
    self->count = 1;
    return 1;
}

int
wp_rlock_acquire(WpRLock *self, int *waited)
{
    return rlock_take(self, -1, waited) == 1 ? 0 : -1;
}

int
wp_rlock_release(WpRLock *self)
{
    if (self->count == 0 || self->owner != PyThread_get_thread_ident()) {
        PyErr_SetString(PyExc_RuntimeError, "cannot release un-acquired lock");
        return -1;
    }
    if (--self->count == 0) {
        self->owner = 0;
        if (self->waiters > 0 && !self->signaled) {  /* at most one wake-up pending */
            self->signaled = 1;
            PyThread_release_lock(self->wakeup);
        }
    }
    return 0;
}

static PyObject *
rlock_acquire(WpRLock *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"blocking", "timeout", NULL};
    int blocking = 1, got, waited = 0;
    double timeout = -1;
#if PY_VERSION_HEX >= 0x030C0000
#define ACQUIRE_ARGS "|pd:acquire"  /* from 3.12 `blocking` is any object's truth */
#else
#define ACQUIRE_ARGS "|id:acquire"  /* before, an integer */
#endif
    if (!PyArg_ParseTupleAndKeywords(args, kwds, ACQUIRE_ARGS, kwlist, &blocking, &timeout))
        return NULL;
    if (!blocking && timeout != -1)
        return PyErr_Format(PyExc_ValueError, "can't specify a timeout for a non-blocking call");
    if (timeout < 0 && timeout != -1)
        return PyErr_Format(PyExc_ValueError, NEGATIVE_TIMEOUT);
    if (timeout > (double)PY_TIMEOUT_MAX / 1e6)
        return PyErr_Format(PyExc_OverflowError, "timeout value is too large");
    got = rlock_take(self, blocking ? timeout : 0, &waited);
    if (got < 0)
        return NULL;
    return PyBool_FromLong(got);
}

static PyObject *
rlock_release(WpRLock *self, PyObject *unused)
{
    if (wp_rlock_release(self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
rlock_exit(WpRLock *self, PyObject *args)
{
    return rlock_release(self, NULL);
}

static PyObject *
rlock_is_owned(WpRLock *self, PyObject *unused)
{
    return PyBool_FromLong(self->count > 0 && self->owner == PyThread_get_thread_ident());
}

static PyObject *
rlock_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    WpRLock *self;
    if (PyTuple_GET_SIZE(args) || (kwds != NULL && PyDict_GET_SIZE(kwds)))
        return PyErr_Format(PyExc_TypeError, "RLock() takes no arguments");
    if ((self = (WpRLock *)type->tp_alloc(type, 0)) == NULL)
        return NULL;
    if ((self->wakeup = PyThread_allocate_lock()) == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    PyThread_acquire_lock(self->wakeup, WAIT_LOCK);  /* held: waiters block on it */
    return (PyObject *)self;
}

static void
rlock_dealloc(WpRLock *self)
{
    if (self->wakeup != NULL)
        PyThread_free_lock(self->wakeup);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
rlock_repr(WpRLock *self)
{
    return PyUnicode_FromFormat("<%s wasmport._engine._ext.RLock owner=%lu count=%lu>",
                                self->count ? "locked" : "unlocked", self->owner, self->count);
}

static PyMethodDef rlock_methods[] = {
    {"acquire", (PyCFunction)(void (*)(void))rlock_acquire, METH_VARARGS | METH_KEYWORDS,
     "acquire(blocking=True, timeout=-1) -> bool"},
    {"release", (PyCFunction)rlock_release, METH_NOARGS, "Release one level of ownership."},
    {"__enter__", (PyCFunction)(void (*)(void))rlock_acquire, METH_VARARGS | METH_KEYWORDS,
     NULL},
    {"__exit__", (PyCFunction)rlock_exit, METH_VARARGS, NULL},
    {"_is_owned", (PyCFunction)rlock_is_owned, METH_NOARGS,
     "Whether the current thread holds the lock."},
    {NULL},
};

PyTypeObject WpRLock_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wasmport._engine._ext.RLock",
    .tp_basicsize = sizeof(WpRLock),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "RLock(): a re-entrant lock like threading.RLock that native callers take "
              "without method calls.",
    .tp_new = rlock_new,
    .tp_dealloc = (destructor)rlock_dealloc,
    .tp_repr = (reprfunc)rlock_repr,
    .tp_methods = rlock_methods,
};
