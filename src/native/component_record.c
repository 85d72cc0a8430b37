/* Records of scalars and strings for the C call (component.c), both ways.
 *
 * A parameter's spec is (attrs, names, kinds): the Python attribute of each field,
 * its WIT name (bytes, which the entries point into) and its value kind.  Lowering
 * reads each attribute and writes one entry per field; any attribute missing or any
 * value the plain tests refuse sends the whole call to the Python wrapper (its
 * general lowerer finds the same fault and names its path).  A result's spec is
 * (cls, kinds): the fields, in order, become cls(*values), as _recordfast's lifter does.
 */
#include "component.h"

/* 1 written (the attribute values, new references, appended to `refs`), 0 refused. */
int
wp_record_lower(PyObject *spec, PyObject *obj, wp_cval_t *val, wp_centry_t *entries,
                PyObject **refs, Py_ssize_t *nrefs)
{
    PyObject *attrs = PyTuple_GET_ITEM(spec, 0), *names = PyTuple_GET_ITEM(spec, 1);
    const unsigned char *kinds = (const unsigned char *)PyBytes_AS_STRING(
        PyTuple_GET_ITEM(spec, 2));
    Py_ssize_t i, n = PyTuple_GET_SIZE(attrs);
    for (i = 0; i < n; i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        PyObject *field = PyObject_GetAttr(obj, PyTuple_GET_ITEM(attrs, i));
        if (field == NULL) {
            PyErr_Clear();  /* the Python wrapper fetches it again and says what is wrong */
            return 0;
        }
        refs[(*nrefs)++] = field;
        entries[i].name.size = (size_t)PyBytes_GET_SIZE(name);
        entries[i].name.data = PyBytes_AS_STRING(name);
        if (!wp_component_lower(kinds[i], field, &entries[i].val))
            return 0;
    }
    memset(val, 0, sizeof *val);
    val->kind = WP_RECORD;
    val->of.record.size = (size_t)n;
    val->of.record.data = entries;
    return 1;
}

/* cls(*fields) from the engine's record `val`, which is freed here. */
PyObject *
wp_record_lift(PyObject *spec, wp_cval_t *val)
{
    PyObject *cls = PyTuple_GET_ITEM(spec, 0), *local[WP_RECORD_FIELDS], *out = NULL;
    const unsigned char *kinds = (const unsigned char *)PyBytes_AS_STRING(
        PyTuple_GET_ITEM(spec, 1));
    Py_ssize_t i, n = PyBytes_GET_SIZE(PyTuple_GET_ITEM(spec, 1));
    wp_centry_t *entries = val->of.record.data;
    if (val->kind != WP_RECORD || (Py_ssize_t)val->of.record.size != n) {
        PyErr_SetString(PyExc_SystemError, "component call: a record of another shape");
        n = 0;
    }
    for (i = 0; i < n; i++)
        if ((local[i] = wp_component_lift(kinds[i], &entries[i].val, 0)) == NULL)
            break;
    if (n > 0 && i == n)
        out = PyObject_Vectorcall(cls, local, n, NULL);
    while (i-- > 0)
        Py_DECREF(local[i]);
    wp_component_engine.val_delete(val);
    val->kind = WP_BOOL;
    return out;
}

/* The specs component_func() takes: checked once, so the calls need not. */
int
wp_record_specs_ok(PyObject *records, PyObject *kinds, int result_kind)
{
    Py_ssize_t i, n = PyBytes_GET_SIZE(kinds);
    if (!PyTuple_Check(records) || PyTuple_GET_SIZE(records) != n + 1)
        return PyErr_Format(PyExc_TypeError, "records: a tuple, one per parameter and the "
                            "result"), -1;
    for (i = 0; i <= n; i++) {
        PyObject *spec = PyTuple_GET_ITEM(records, i);
        int kind = i < n ? (unsigned char)PyBytes_AS_STRING(kinds)[i] : result_kind;
        int want = i < n ? 3 : 2;
        if (kind != WP_RECORD) {
            if (spec != Py_None)
                return PyErr_Format(PyExc_TypeError, "records[%zd]: None for a scalar", i), -1;
            continue;
        }
        if (!PyTuple_Check(spec) || PyTuple_GET_SIZE(spec) != want ||
            !PyBytes_Check(PyTuple_GET_ITEM(spec, want - 1)))
            return PyErr_Format(PyExc_TypeError, "records[%zd]: a record spec", i), -1;
        Py_ssize_t fields = PyBytes_GET_SIZE(PyTuple_GET_ITEM(spec, want - 1));
        if (fields < 1 || fields > WP_RECORD_FIELDS)
            return PyErr_Format(PyExc_ValueError, "records[%zd]: 1..%d fields", i,
                                WP_RECORD_FIELDS), -1;
        for (Py_ssize_t f = 0; f < fields; f++)
            if ((unsigned char)PyBytes_AS_STRING(PyTuple_GET_ITEM(spec, want - 1))[f] >=
                WP_SCALARS)
                return PyErr_Format(PyExc_ValueError, "records[%zd]: scalar fields", i), -1;
        if (i < n && (!PyTuple_Check(PyTuple_GET_ITEM(spec, 0)) ||
                      !PyTuple_Check(PyTuple_GET_ITEM(spec, 1)) ||
                      PyTuple_GET_SIZE(PyTuple_GET_ITEM(spec, 0)) != fields ||
                      PyTuple_GET_SIZE(PyTuple_GET_ITEM(spec, 1)) != fields))
            return PyErr_Format(PyExc_TypeError, "records[%zd]: attrs and names", i), -1;
        for (Py_ssize_t f = 0; i < n && f < fields; f++)
            if (!PyUnicode_Check(PyTuple_GET_ITEM(PyTuple_GET_ITEM(spec, 0), f)) ||
                !PyBytes_Check(PyTuple_GET_ITEM(PyTuple_GET_ITEM(spec, 1), f)))
                return PyErr_Format(PyExc_TypeError, "records[%zd]: str attrs, bytes names",
                                    i), -1;
    }
    return 0;
}
