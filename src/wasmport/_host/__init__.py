"""Typed host modules: Python classes that wasm imports.

The data path, once per signature and then per call::

    class creation   annotations --resolve.py--> HostType objects --plan.py--> SignaturePlan
    link             SignaturePlan == the import's type?  (link.py)  -> wasmtime.Func
    instantiation    the importer's exported memory -> CallerMemory  (link.py, memory.py)
    each call        raw wasm values --lift--> Python arguments -> method -> --lower--> results
"""
