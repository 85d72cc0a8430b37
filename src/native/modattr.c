/* Module attributes: a miss goes to the class's `_wasm_missing`, without an exception.
 *
 * An instance-phase module finds each export on its first use as a miss of the generic
 * look-up (later uses hit its __dict__).  Python's way to hook a miss is a module
 * __getattr__ (PEP 562) in each module's __dict__: one more object per instance, and
 * before 3.12 the miss first raises an AttributeError (formatted, normalized, given its
 * name and obj: ~6,000 instructions), only to clear it.  enable_module_getattr(cls)
 * gives a heap subclass of ModuleType this look-up instead:
 *
 *     the generic look-up, told not to raise       found: that
 *     cls._wasm_missing(module, name)              anything but NotImplemented: that
 *     ModuleType's own look-up                     a module __getattr__, its messages
 */
#include "wasmport_native.h"

static getattrofunc module_getattro;  /* ModuleType's own */
static PyObject *str_missing;

static PyObject *
hooked_getattro(PyObject *self, PyObject *name)
{
    PyObject *found, *hook, *args[2] = {self, name};
    found = _PyObject_GenericGetAttrWithDict(self, name, NULL, 1);
    if (found != NULL || PyErr_Occurred())
        return found;
    hook = _PyType_Lookup(Py_TYPE(self), str_missing);  /* borrowed */
    if (hook == NULL)
        return module_getattro(self, name);
    Py_INCREF(hook);
    found = PyObject_Vectorcall(hook, args, 2, NULL);
    Py_DECREF(hook);
    if (found != Py_NotImplemented)
        return found;
    Py_DECREF(found);
    return module_getattro(self, name);
}

PyObject *
wp_enable_module_getattr(PyObject *module, PyObject *cls)
{
    PyTypeObject *type = (PyTypeObject *)cls;
    if (!PyType_Check(cls) || !PyType_IsSubtype(type, &PyModule_Type))
        return PyErr_Format(PyExc_TypeError, "enable_module_getattr() takes a subclass of "
                            "ModuleType");
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE) || type->tp_getattro != PyModule_Type.tp_getattro)
        Py_RETURN_FALSE;  /* not a plain subclass: leave it alone */
    if (str_missing == NULL && (str_missing = PyUnicode_InternFromString("_wasm_missing")) == NULL)
        return NULL;
    module_getattro = PyModule_Type.tp_getattro;
    type->tp_getattro = hooked_getattro;
    PyType_Modified(type);
    Py_RETURN_TRUE;
}
