/* The TypeError Python itself raises for a wrong call of `def name(a0, a1, ..., /)`,
 * word for word (3.10 to 3.13 agree), so a native caller fails as the ctypes layer's
 * generated Python function does. */
#include "caller.h"

static PyObject *
param_repr(Py_ssize_t i)
{
    return PyUnicode_FromFormat("'a%zd'", i);
}

static PyObject *
join_missing(Py_ssize_t first, Py_ssize_t stop)
{
    Py_ssize_t count = stop - first, i;
    PyObject *parts, *sep, *head, *out;
    if (count == 1)
        return param_repr(first);
    if (count == 2)
        return PyUnicode_FromFormat("'a%zd' and 'a%zd'", first, first + 1);
    parts = PyList_New(0);
    if (parts == NULL)
        return NULL;
    for (i = first; i < stop - 2; i++) {
        PyObject *one = param_repr(i);
        if (one == NULL || PyList_Append(parts, one) < 0) {
            Py_XDECREF(one);
            Py_DECREF(parts);
            return NULL;
        }
        Py_DECREF(one);
    }
    sep = PyUnicode_FromString(", ");
    head = sep ? PyUnicode_Join(sep, parts) : NULL;
    out = head ? PyUnicode_FromFormat("%U, 'a%zd', and 'a%zd'", head, stop - 2, stop - 1) : NULL;
    Py_XDECREF(sep);
    Py_XDECREF(head);
    Py_DECREF(parts);
    return out;
}

static PyObject *
keyword_error(WpCaller *self, PyObject *kwnames)
{
    Py_ssize_t i, k, nkw = PyTuple_GET_SIZE(kwnames), conflicts = 0;
    PyObject *first = PyTuple_GET_ITEM(kwnames, 0), *names, *sep, *joined;
    if (!PyUnicode_Check(first))
        return PyErr_Format(PyExc_TypeError, "%U() keywords must be strings", self->name);
    if ((names = PyList_New(0)) == NULL)
        return NULL;
    for (i = 0; i < self->nparams; i++) {  /* in parameter order, as CPython lists them */
        for (k = 0; k < nkw; k++) {
            PyObject *kw = PyTuple_GET_ITEM(kwnames, k), *param = PyUnicode_FromFormat("a%zd", i);
            int same = param ? PyObject_RichCompareBool(param, kw, Py_EQ) : -1;
            Py_XDECREF(param);
            if (same < 0 || (same && PyList_Append(names, kw) < 0)) {
                Py_DECREF(names);
                return NULL;
            }
            conflicts += same;
        }
    }
    if (!conflicts) {
        Py_DECREF(names);
        return PyErr_Format(PyExc_TypeError, "%U() got an unexpected keyword argument '%S'",
                            self->name, first);
    }
    sep = PyUnicode_FromString(", ");
    joined = sep ? PyUnicode_Join(sep, names) : NULL;
    if (joined != NULL)
        PyErr_Format(PyExc_TypeError, "%U() got some positional-only arguments passed as "
                     "keyword arguments: '%U'", self->name, joined);
    Py_XDECREF(sep);
    Py_XDECREF(joined);
    Py_DECREF(names);
    return NULL;
}

PyObject *
wp_arity_error(WpCaller *self, Py_ssize_t nargs, PyObject *kwnames)
{
    Py_ssize_t n = self->nparams;
    PyObject *missing;
    if (kwnames != NULL && PyTuple_GET_SIZE(kwnames))
        return keyword_error(self, kwnames);
    if (nargs > n)
        return PyErr_Format(PyExc_TypeError,
                            "%U() takes %zd positional argument%s but %zd %s given", self->name,
                            n, n == 1 ? "" : "s", nargs, nargs == 1 ? "was" : "were");
    if ((missing = join_missing(nargs, n)) == NULL)
        return NULL;
    PyErr_Format(PyExc_TypeError, "%U() missing %zd required positional argument%s: %U",
                 self->name, n - nargs, n - nargs == 1 ? "" : "s", missing);
    Py_DECREF(missing);
    return NULL;
}
