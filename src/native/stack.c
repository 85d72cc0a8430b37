/* Refusing to enter wasm from a thread whose stack cannot hold it.
 *
 * wasmtime stops wasm at max_wasm_stack bytes below where the call entered; a thread
 * with less stack than that left (threading.stack_size(256 << 10), a main thread under
 * `ulimit -s 512`) would run into its guard page first: SIGSEGV, not a trap.  So every
 * entry checks the stack left below it against `needed` (the engines' max_wasm_stack
 * plus room for host functions, set by Python) and refuses with STACK_MESSAGE.  The
 * lowest address of each thread's stack is looked up once (pthread_getattr_np) and
 * kept in a thread-local.
 */
#include "wasmport_native.h"

#ifdef _WIN32
size_t wp_stack_left(void) { return (size_t)-1; }
int wp_stack_room(void) { return 1; }
wasmtime_error_t *wp_stack_refused(void) { return NULL; }
PyObject *
wp_stack_setup(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_RETURN_NONE;  /* interrupts_init() fails first: stack.py never gets here */
}
PyObject *wp_stack_left_py(PyObject *module, PyObject *unused) { return PyLong_FromSsize_t(PY_SSIZE_T_MAX); }
#else

#include <pthread.h>

static __thread uintptr_t stack_low __attribute__((tls_model("initial-exec")));
static size_t needed;  /* 0: no check */
static const char *STACK_MESSAGE;

static uintptr_t
find_low(void)
{
#ifdef __linux__
    pthread_attr_t attr;
    void *addr = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return 1;  /* unknown: never refuse */
    if (pthread_attr_getstack(&attr, &addr, &size) != 0)
        addr = NULL;
    pthread_attr_destroy(&attr);
    return addr != NULL ? (uintptr_t)addr : 1;
#else
    return 1;  /* elsewhere only the sizing applies (stack.py) */
#endif
}

size_t
wp_stack_left(void)
{
    char probe;
    uintptr_t here = (uintptr_t)&probe;
    if (stack_low == 0)
        stack_low = find_low();
    return here > stack_low ? here - stack_low : 0;
}

/* Whether this thread has the stack an entry into wasm needs. */
int
wp_stack_room(void)
{
    return needed == 0 || wp_stack_left() >= needed;
}

/* NULL, or the error that refuses this entry into wasm. */
wasmtime_error_t *
wp_stack_refused(void)
{
    return wp_stack_room() ? NULL : wp_error_new(STACK_MESSAGE);
}

/* stack_setup(needed bytes, message): the check's figure and its error's message. */
PyObject *
wp_stack_setup(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    static PyObject *keep;
    size_t value;
    if (nargs != 2 || !PyBytes_Check(args[1]))
        return PyErr_Format(PyExc_TypeError, "stack_setup(needed: int, message: bytes)");
    value = PyLong_AsSize_t(args[0]);
    if (value == (size_t)-1 && PyErr_Occurred())
        return NULL;
    Py_XSETREF(keep, Py_NewRef(args[1]));
    STACK_MESSAGE = PyBytes_AS_STRING(keep);
    needed = value;
    Py_RETURN_NONE;
}

/* stack_left() -> bytes of stack below the caller on this thread. */
PyObject *
wp_stack_left_py(PyObject *module, PyObject *unused)
{
    return PyLong_FromSize_t(wp_stack_left());
}

#endif /* _WIN32 */
