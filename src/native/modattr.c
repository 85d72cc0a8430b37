/* Module attributes without an exception per miss, on Python 3.10/3.11.
 *
 * A module's own __getattr__ (PEP 562) runs after the generic look-up failed; before
 * 3.12 that failure first raises an AttributeError (formatted, normalized, given its
 * name and obj: ~6,000 instructions), only to clear it.  Each export of an
 * instance-phase module is found that way once, on first use.  enable_module_getattr(cls)
 * gives a heap subclass of ModuleType the look-up 3.12 has: the generic look-up told not
 * to raise, then the module's __getattr__; without one, ModuleType's own look-up (its
 * messages and all).
 */
#include "wasmport_native.h"

#if PY_VERSION_HEX < 0x030C0000
static getattrofunc module_getattro;  /* ModuleType's own */
static PyObject *str_getattr;

static PyObject *
quiet_getattro(PyObject *self, PyObject *name)
{
    PyObject *found, *dict, *hook;
    found = _PyObject_GenericGetAttrWithDict(self, name, NULL, 1);
    if (found != NULL || PyErr_Occurred())
        return found;
    dict = PyModule_GetDict(self);  /* borrowed */
    hook = dict != NULL ? PyDict_GetItemWithError(dict, str_getattr) : NULL;
    if (hook == NULL)
        return PyErr_Occurred() ? NULL : module_getattro(self, name);
    Py_INCREF(hook);
    found = PyObject_CallOneArg(hook, name);
    Py_DECREF(hook);
    return found;
}
#endif

PyObject *
wp_enable_module_getattr(PyObject *module, PyObject *cls)
{
    PyTypeObject *type = (PyTypeObject *)cls;
    if (!PyType_Check(cls) || !PyType_IsSubtype(type, &PyModule_Type))
        return PyErr_Format(PyExc_TypeError, "enable_module_getattr() takes a subclass of "
                            "ModuleType");
#if PY_VERSION_HEX < 0x030C0000
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE) || type->tp_getattro != PyModule_Type.tp_getattro)
        Py_RETURN_FALSE;  /* not a plain subclass: leave it alone */
    if (str_getattr == NULL && (str_getattr = PyUnicode_InternFromString("__getattr__")) == NULL)
        return NULL;
    module_getattro = PyModule_Type.tp_getattro;
    type->tp_getattro = quiet_getattro;
    PyType_Modified(type);
    Py_RETURN_TRUE;
#else
    Py_RETURN_FALSE;  /* 3.12's own look-up does this */
#endif
}
