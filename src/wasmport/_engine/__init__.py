"""The one wasmtime boundary: the library handles, engine records, the store context, limits,
value types, raw look-ups, traps across the boundary and the fast call layer.

Nothing here imports another layer of wasmport (but the error tree); it is the only place
that uses wasmtime-py's private members.
"""
