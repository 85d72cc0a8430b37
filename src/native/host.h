/* A host function's environment, shared by host.c (the trampoline) and host_new.c
 * (registration and lifetime). */
#ifndef WASMPORT_HOST_H
#define WASMPORT_HOST_H

#include "wasmport_native.h"

#define LOCAL_ARGS 16
enum { LIFT_VALUE = 0, LIFT_BYTES = 1, LIFT_STRING = 2 };

typedef struct {
    PyObject *fn, *failed, *check, *validate, *fallback, *where, *describe;
    WpWindow *window;
    int pass_caller, strict;
    Py_ssize_t nparams, nresults, nslots, nlifts; /* nlifts < 0: plain */
    int data[];  /* kinds[nparams + nresults], then lift kinds[nlifts], lift slots[nlifts] */
} HostEnv;


#define RESULT_KIND(env, i) ((env)->data[(env)->nparams + (i)])
#define LIFT_KIND(env, i) ((env)->data[(env)->nparams + (env)->nresults + (i)])
#define LIFT_SLOT(env, i) ((env)->data[(env)->nparams + (env)->nresults + (env)->nlifts + (i)])

extern Py_ssize_t wp_live_envs;
wasm_trap_t *wp_trampoline(void *env, wasmtime_caller_t *caller, wp_val_raw_t *slots, size_t n);
void wp_host_finalize(void *env);
void wp_env_free(HostEnv *env);

#endif
