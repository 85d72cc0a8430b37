/* Ctrl-C and timeouts for running wasm: a SIGINT handler in front of Python's, and the
 * epoch-deadline callback of every store.
 *
 *   SIGINT ──> on_sigint (any thread, signal context)
 *                 bump the epoch of every engine (wasmtime: signal-safe, an atomic add)
 *                 pending = 1
 *                 main thread running wasm code?  no ─> Python's handler now (chain)
 *                                                 yes ─> deferred = 1, wake the watchdog
 *   wasm on the main thread reaches an epoch check ──> on_epoch (the calling thread)
 *                 pending? take the GIL, chain if deferred, PyErr_CheckSignals():
 *                 the handler raised ─> keep its exception, return an error: wasm unwinds,
 *                 the caller re-raises that very exception (take_interrupted())
 *                 timer armed and past its deadline ─> return the timeout error
 *                 else continue until the next epoch
 *
 * Deferring Python's handler while wasm code runs keeps the KeyboardInterrupt from
 * being raised where nobody can catch it (on entry to a ctypes callback, which prints
 * and drops it).  Native host trampolines leave the "running wasm code" state while
 * their Python code runs, so a signal there is Python's at once.  If nothing delivers a
 * deferred signal within GRACE_NS (a host function of the ctypes layer that runs long),
 * the watchdog thread chains it.  `depth` counts main-thread entries into wasm, as the
 * callers and tracked_* wrappers below keep it; only the main thread writes it.
 */
#include "wasmport_native.h"

#ifdef _WIN32
/* No POSIX signals: Ctrl-C does not reach wasm, and interrupts_init() says so. */
int wp_intr_enter(void) { return 0; }
void wp_intr_leave(int entered) {}
int wp_intr_host_enter(void) { return 0; }
void wp_intr_host_leave(int left) {}
wasmtime_error_t *wp_error_new(const char *message) { return NULL; }
static PyObject *
unsupported(void)
{
    return PyErr_Format(PyExc_NotImplementedError, "no SIGINT handling on Windows");
}
PyObject *wp_interrupts_init(PyObject *m, PyObject *const *a, Py_ssize_t n) { return unsupported(); }
PyObject *wp_interrupts_add_engine(PyObject *m, PyObject *a) { return unsupported(); }
PyObject *wp_interrupts_install(PyObject *m, PyObject *a) { return unsupported(); }
void wp_intr_reinstall(void) {}
PyObject *wp_interrupts_main(PyObject *m, PyObject *a) { return unsupported(); }
PyObject *wp_interrupts_watch(PyObject *m, PyObject *a) { return unsupported(); }
PyObject *wp_interrupts_arm(PyObject *m, PyObject *const *a, Py_ssize_t n) { return unsupported(); }
PyObject *wp_interrupts_take(PyObject *m, PyObject *a) { return unsupported(); }
#else

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#define MAX_ENGINES 64
#define GRACE_NS 20000000L  /* 20 ms */

typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasmtime_store wasmtime_store_t;
typedef wasmtime_error_t *(*wp_deadline_cb)(wasmtime_context_t *, void *, uint64_t *,
                                            uint8_t *);

static struct {
    void (*increment_epoch)(wasm_engine_t *);
    void (*deadline_callback)(wasmtime_store_t *, wp_deadline_cb, void *, void (*)(void *));
    wasmtime_error_t *(*error_new)(const char *);
    wasmtime_error_t *(*call_unchecked)(wasmtime_context_t *, const wp_func_t *,
                                        wp_val_raw_t *, size_t, wasm_trap_t **);
    wasmtime_error_t *(*func_call)(wasmtime_context_t *, const wp_func_t *, const void *,
                                   size_t, void *, size_t, wasm_trap_t **);
} wi;

static wasm_engine_t *engines[MAX_ENGINES];
static volatile sig_atomic_t nengines;
static struct sigaction previous;  /* Python's handler, which we chain to */
static unsigned long main_ident;
static int bound, installed, watchdog_started;
static volatile sig_atomic_t depth, pending, deferred;
static int wake[2] = {-1, -1};  /* the handler writes a byte, the watchdog reads it */
static PyObject *interrupted;  /* the exception a handler raised inside wasm */
static const char *INTERRUPT_MESSAGE, *TIMEOUT_MESSAGE;

typedef struct {
    double deadline;  /* CLOCK_MONOTONIC seconds; 0 = no timer */
} WpTimer;

/* Whether this is the main thread: 0 unknown, 1 yes, -1 no (one thread-local load). */
static __thread signed char is_main __attribute__((tls_model("initial-exec")));

static int
on_main(void)
{
    if (is_main == 0)
        is_main = (unsigned long)pthread_self() == main_ident ? 1 : -1;
    return is_main > 0;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
chain_deferred(void)
{
    /* A plain read first: no atomic instruction on the common path of every call. */
    if (deferred && __atomic_exchange_n(&deferred, 0, __ATOMIC_SEQ_CST))
        previous.sa_handler(SIGINT);
}

static void
on_sigint(int sig)
{
    int saved = errno;
    for (sig_atomic_t i = 0; i < nengines; i++)
        wi.increment_epoch(engines[i]);
    pending = 1;
    if (depth > 0) {
        char byte = 1;
        deferred = 1;
        if (write(wake[1], &byte, 1) < 0) {
            /* full: the watchdog has a wake-up pending already */
        }
    }
    else {
        previous.sa_handler(sig);
    }
    errno = saved;
}

static void *
watchdog(void *unused)
{
    struct timespec grace = {0, GRACE_NS};
    char bytes[64];
    for (;;) {
        if (read(wake[0], bytes, sizeof bytes) <= 0 && errno != EINTR)
            return NULL;
        nanosleep(&grace, NULL);
        chain_deferred();
    }
    return NULL;
}

/* -- entries into wasm: the callers' bookkeeping --------------------------------- */

int
wp_intr_enter(void)
{
    if (!installed || !on_main())
        return 0;
    depth++;
    return 1;
}

void
wp_intr_leave(int entered)
{
    if (entered && --depth == 0)
        chain_deferred();  /* the call ended before an epoch check saw the signal */
}

/* A native host trampoline's Python code runs: signals are Python's meanwhile. */
int
wp_intr_host_enter(void)
{
    if (!installed || depth <= 0 || !on_main())
        return 0;
    depth--;
    chain_deferred();
    return 1;
}

void
wp_intr_host_leave(int left)
{
    if (left)
        depth++;
}

wasmtime_error_t *
wp_error_new(const char *message)
{
    return wi.error_new(message);
}

/* The ctypes layer's and the checked path's entries: the stack check and `depth`. */
static wasmtime_error_t *
tracked_call_unchecked(wasmtime_context_t *ctx, const wp_func_t *func, wp_val_raw_t *slots,
                       size_t n, wasm_trap_t **trap)
{
    wasmtime_error_t *error = wp_stack_refused();
    int entered;
    if (error != NULL)
        return error;
    entered = wp_intr_enter();
    error = wi.call_unchecked(ctx, func, slots, n, trap);
    wp_intr_leave(entered);
    return error;
}

static wasmtime_error_t *
tracked_func_call(wasmtime_context_t *ctx, const wp_func_t *func, const void *args,
                  size_t nargs, void *results, size_t nresults, wasm_trap_t **trap)
{
    wasmtime_error_t *error = wp_stack_refused();
    int entered;
    if (error != NULL)
        return error;
    entered = wp_intr_enter();
    error = wi.func_call(ctx, func, args, nargs, results, nresults, trap);
    wp_intr_leave(entered);
    return error;
}

/* -- the epoch-deadline callback ---------------------------------------------------- */

/* Python's handler for a SIGINT that came while wasm ran: 0, or -1 with its exception set. */
int
wp_intr_deliver(void)
{
    if (!__atomic_exchange_n(&pending, 0, __ATOMIC_SEQ_CST))
        return 0;
    chain_deferred();
    return PyErr_CheckSignals();
}

static wasmtime_error_t *
on_epoch(wasmtime_context_t *ctx, void *data, uint64_t *delta, uint8_t *kind)
{
    WpTimer *timer = data;
    *delta = 1;
    *kind = 0;  /* WASMTIME_UPDATE_DEADLINE_CONTINUE */
    if (pending && on_main()) {
        PyGILState_STATE gil = PyGILState_Ensure();
        int rc = wp_intr_deliver();
        if (rc < 0)
            Py_XSETREF(interrupted, wp_fetch_exception());
        PyGILState_Release(gil);
        if (rc < 0)
            return wi.error_new(INTERRUPT_MESSAGE);
    }
    if (timer->deadline > 0 && now() >= timer->deadline)
        return wi.error_new(TIMEOUT_MESSAGE);
    return NULL;
}

static void
free_timer(void *data)
{
    PyMem_RawFree(data);
}

/* -- the module functions ------------------------------------------------------------- */

static int
bind_symbol(PyObject *addresses, const char *name, void *slot)
{
    PyObject *value = PyDict_GetItemString(addresses, name);
    void *address = value ? PyLong_AsVoidPtr(value) : NULL;
    if (address == NULL) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_KeyError, "interrupts_init(): no address for %s", name);
        return -1;
    }
    memcpy(slot, &address, sizeof address);  /* POSIX dlsym's contract */
    return 0;
}

/* interrupts_init(addresses, interrupt_message, timeout_message) */
PyObject *
wp_interrupts_init(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    static PyObject *keep[2];
    if (nargs != 3 || !PyDict_Check(args[0]) || !PyBytes_Check(args[1]) ||
        !PyBytes_Check(args[2]))
        return PyErr_Format(PyExc_TypeError, "interrupts_init(addresses, bytes, bytes)");
    if (bind_symbol(args[0], "wasmtime_engine_increment_epoch", &wi.increment_epoch) < 0 ||
        bind_symbol(args[0], "wasmtime_store_epoch_deadline_callback",
                    &wi.deadline_callback) < 0 ||
        bind_symbol(args[0], "wasmtime_error_new", &wi.error_new) < 0 ||
        bind_symbol(args[0], "wasmtime_func_call_unchecked", &wi.call_unchecked) < 0 ||
        bind_symbol(args[0], "wasmtime_func_call", &wi.func_call) < 0)
        return NULL;
    for (int i = 0; i < 2; i++)
        Py_XSETREF(keep[i], Py_NewRef(args[i + 1]));
    INTERRUPT_MESSAGE = PyBytes_AS_STRING(keep[0]);
    TIMEOUT_MESSAGE = PyBytes_AS_STRING(keep[1]);
    bound = 1;
    return Py_BuildValue("(NN)", PyLong_FromVoidPtr((void *)tracked_call_unchecked),
                         PyLong_FromVoidPtr((void *)tracked_func_call));
}

/* add_engine(wasm_engine_t address): its epoch is bumped on SIGINT. */
PyObject *
wp_interrupts_add_engine(PyObject *module, PyObject *address)
{
    void *engine = PyLong_AsVoidPtr(address);
    if (engine == NULL && PyErr_Occurred())
        return NULL;
    if (nengines >= MAX_ENGINES)
        Py_RETURN_FALSE;  /* that engine's calls are then not interruptible by SIGINT */
    engines[nengines] = engine;
    nengines = nengines + 1;  /* after the slot is written: the handler may run any time */
    Py_RETURN_TRUE;
}

static void
after_fork_child(void)
{
    watchdog_started = 0;
    depth = 0;
    main_ident = (unsigned long)pthread_self();  /* the forking thread is the main one now */
    is_main = 1;
}

/* Our handler in front of Python's, when Python's is there: 1 done (or already so), 0 left
 * alone (SIG_IGN, SIG_DFL or a handler Python did not set), -1 with an OSError set. */
static int
install_handler(void)
{
    struct sigaction current, ours;
    pthread_t thread;
    if (sigaction(SIGINT, NULL, &current) != 0)
        return PyErr_SetFromErrno(PyExc_OSError), -1;
    if (current.sa_handler == on_sigint && !(current.sa_flags & SA_SIGINFO))
        return 1;
    if ((current.sa_flags & SA_SIGINFO) || current.sa_handler == SIG_DFL ||
        current.sa_handler == SIG_IGN)
        return 0;  /* no Python handler to stand in front of: leave it */
    if (!watchdog_started) {
        if (wake[0] < 0 && (pipe(wake) != 0 || fcntl(wake[1], F_SETFL, O_NONBLOCK) != 0))
            return PyErr_SetFromErrno(PyExc_OSError), -1;
        if (!installed)
            pthread_atfork(NULL, NULL, after_fork_child);
        if (pthread_create(&thread, NULL, watchdog, NULL) != 0)
            return PyErr_SetFromErrno(PyExc_OSError), -1;
        pthread_detach(thread);
        watchdog_started = 1;
    }
    previous = current;
    ours = current;
    ours.sa_handler = on_sigint;
    if (sigaction(SIGINT, &ours, NULL) != 0)
        return PyErr_SetFromErrno(PyExc_OSError), -1;
    installed = 1;
    return 1;
}

/* install(main_ident) -> bool: our handler in front of Python's, when Python's is there;
 * called from the main thread, whose ident it notes. */
PyObject *
wp_interrupts_install(PyObject *module, PyObject *ident)
{
    int rc;
    if (!bound)
        return PyErr_Format(PyExc_RuntimeError, "install(): interrupts_init() first");
    main_ident = PyLong_AsUnsignedLong(ident);
    if (PyErr_Occurred())
        return NULL;
    is_main = (unsigned long)pthread_self() == main_ident ? 1 : -1;
    if ((rc = install_handler()) < 0)
        return NULL;
    return PyBool_FromLong(rc);
}

/* main(ident): the main thread's ident, from interrupt.py (at import, and in a forked
 * child), so that an instantiation knows it before any store was made there. */
PyObject *
wp_interrupts_main(PyObject *module, PyObject *ident)
{
    unsigned long value = PyLong_AsUnsignedLong(ident);
    if (PyErr_Occurred())
        return NULL;
    main_ident = value;
    Py_RETURN_NONE;
}

/* Before an instantiation on the main thread: our handler in front again if a handler
 * set since replaced it (signal.signal() does).  Failing, Ctrl-C works as before
 * (install() says the same by its OSError). */
void
wp_intr_reinstall(void)
{
    if (bound && main_ident != 0 && on_main() && install_handler() < 0)
        PyErr_Clear();
}

/* watch(store address) -> timer address: the store's epoch callback, its deadline 1. */
PyObject *
wp_interrupts_watch(PyObject *module, PyObject *address)
{
    void *store = PyLong_AsVoidPtr(address);
    WpTimer *timer;
    if (store == NULL)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "watch(): NULL store");
    if (!bound)
        return PyErr_Format(PyExc_RuntimeError, "watch(): interrupts_init() first");
    if ((timer = PyMem_RawCalloc(1, sizeof *timer)) == NULL)
        return PyErr_NoMemory();
    wi.deadline_callback(store, on_epoch, timer, free_timer);
    return PyLong_FromVoidPtr(timer);
}

/* arm(timer address, seconds): a deadline that many seconds from now; 0 disarms. */
PyObject *
wp_interrupts_arm(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    WpTimer *timer;
    double seconds;
    if (nargs != 2)
        return PyErr_Format(PyExc_TypeError, "arm(timer, seconds)");
    timer = PyLong_AsVoidPtr(args[0]);
    seconds = PyFloat_AsDouble(args[1]);
    if (timer == NULL || PyErr_Occurred())
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "arm(): NULL timer");
    timer->deadline = seconds > 0 ? now() + seconds : 0;
    Py_RETURN_NONE;
}

/* take_interrupted() -> the exception a signal handler raised inside wasm, or None. */
PyObject *
wp_interrupts_take(PyObject *module, PyObject *unused)
{
    PyObject *out = interrupted;
    interrupted = NULL;
    return out != NULL ? out : Py_NewRef(Py_None);
}

#endif /* _WIN32 */
