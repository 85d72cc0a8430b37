"""Per-signature wrapper source, generated once per (params, results) and cached.

A generated wrapper does only what the signature needs: an inline class-and-range
test per argument, one store into a memoryview over the slot buffer, the C call,
and one load per result.  Anything unusual (a bool, a numpy integer, a bad value)
drops to the exact checks in ``_values``.

Slot views share one buffer; slot ``k`` of 16 bytes is element

    iv[4k]  i32 read (signed)      qv[2k]  i64 read/write (signed), i32 write
    fv[4k]  f32                    dv[2k]  f64
                                   Qv      the trap out-pointer word (unsigned)

An i32 is written as 64 bits (value range -2**31..2**32-1 fits a signed i64); the
engine reads only the low 32 bits, little-endian.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

# The inline ranges: i32 takes both spellings; i64 only the signed one inline, the
# unsigned upper half goes through `lower`, which returns it signed for the 'q' view.
_RANGE = {
    "i32": ("-2147483648", "4294967295"),
    "i64": ("-9223372036854775808", "9223372036854775807"),
}


_SIGNED = {"i32": ("-2147483648", "2147483647"), "i64": _RANGE["i64"]}


def _fast_test(kind: str, var: str, strict: bool = False) -> str:
    """An expression that is true when `var` can be stored without conversion
    (`strict`: only the signed range passes inline; the rest goes to `check`)."""
    if kind in _RANGE:
        lo, hi = (_SIGNED if strict else _RANGE)[kind]
        return f"{var}.__class__ is int and {lo} <= {var} <= {hi}"
    return f"{var}.__class__ is float"


def _store(kind: str, k: int, var: str) -> str:
    return {
        "i32": f"qv[{2 * k}] = {var}",
        "i64": f"qv[{2 * k}] = {var}",
        "f32": f"fv[{4 * k}] = {var}",
        "f64": f"dv[{2 * k}] = {var}",
    }[kind]


def _load(kind: str, k: int) -> str:
    return {"i32": f"iv[{4 * k}]", "i64": f"qv[{2 * k}]",
            "f32": f"fv[{4 * k}]", "f64": f"dv[{2 * k}]"}[kind]


def _returned(results: tuple[str, ...]) -> str:
    loads = [_load(kind, k) for k, kind in enumerate(results)]
    if not loads:
        return "return None"
    if len(loads) == 1:
        return f"return {loads[0]}"
    return f"return ({', '.join(loads)})"


def caller_source(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    args = [f"a{k}" for k in range(len(params))]
    sig = f"{', '.join(args)}, /" if args else ""
    nslots = max(len(params), len(results), 1)
    body = [
        "if busy:",
        f"    return nested({', '.join(args)})",
    ]
    # Every check (which may run user __index__/__float__ code, even a nested call
    # of this very wrapper) happens before the first store into the shared buffer.
    for k, kind in enumerate(params):
        body += [f"if not ({_fast_test(kind, args[k])}):",
                 f"    {args[k]} = lower({args[k]}, {kind!r}, {k + 1})"]
    body += [_store(kind, k, args[k]) for k, kind in enumerate(params)]
    body += [
        "try:",
        "    busy = True",
        "    err = C(A0, A1, A2, A3, A4)",
        "finally:",
        "    busy = False",
        f"if err or Qv[{2 * nslots}]:",
        "    failed(err)",
        _returned(results),
    ]
    lines = [
        "def factory(store, ctx_ref, C, A0, A1, A2, A3, A4, iv, qv, Qv, fv, dv,",
        "            nested, lower, closed, failed, gate, acquire, release):",
        "    busy = False",
        f"    def call({sig}):",
        "        nonlocal busy",
        "        if store._Store__context is not ctx_ref:",
        "            closed()",
        # Once the gate is open the whole call, buffer included, runs under the lock.
        "        if gate[0]:",
        "            acquire()",
        "            try:",
        *("                " + line for line in body),
        "            finally:",
        "                release()",
        *("        " + line for line in body),
        "    return call",
    ]
    return "\n".join(lines) + "\n"


def host_source(params: tuple[str, ...], results: tuple[str, ...], pass_caller: bool,
                strict: bool = False) -> str:
    args = ", ".join((["caller"] if pass_caller else [])
                     + [_load(kind, k) for k, kind in enumerate(params)])
    uses_slots = bool(params or results)
    lines = [
        "def factory(fn, views, make_views, check, failed):",
        "    get = views.get",
        "    def callback(env, caller, p, n):",
        "        try:",
    ]
    if uses_slots:
        lines += ["            v = get(p)",
                  "            if v is None:",
                  "                v = make_views(p, n)",
                  "            iv, qv, Qv, fv, dv = v"]
    lines.append(f"            r = fn({args})")
    lines += _host_store(results, strict)
    lines += [
        "            return 0",
        "        except BaseException as e:",
        "            return failed(e)",
        "    return callback",
    ]
    return "\n".join(lines) + "\n"


def _host_store(results: tuple[str, ...], strict: bool) -> list[str]:
    ind = "            "
    if not results:
        return [f"{ind}if r is not None:", f"{ind}    check(r)"]
    if len(results) == 1:
        return [f"{ind}if not ({_fast_test(results[0], 'r', strict)}):",
                f"{ind}    (r,) = check(r)",
                f"{ind}{_store(results[0], 0, 'r')}"]
    names = [f"r{k}" for k in range(len(results))]
    tests = " and ".join(f"({_fast_test(kind, n, strict)})"
                         for kind, n in zip(results, names, strict=True))
    out = [f"{ind}if r.__class__ is not tuple or len(r) != {len(results)}:",
           f"{ind}    r = check(r)",
           f"{ind}{', '.join(names)} = r",
           f"{ind}if not ({tests}):",
           f"{ind}    {', '.join(names)} = check(r)"]
    stores = [_store(kind, k, n) for k, (kind, n) in enumerate(zip(results, names, strict=True))]
    return out + [ind + line for line in stores]


def _compile(source: str, label: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<wasmport._engine.fast {label}>", "exec"), namespace)
    factory: Callable[..., Any] = namespace["factory"]
    return factory


@functools.cache
def caller_factory(params: tuple[str, ...], results: tuple[str, ...]) -> Callable[..., Any]:
    return _compile(caller_source(params, results), f"call {params}->{results}")


@functools.cache
def host_factory(params: tuple[str, ...], results: tuple[str, ...],
                 pass_caller: bool = False, strict: bool = False) -> Callable[..., Any]:
    return _compile(host_source(params, results, pass_caller, strict),
                    f"host {params}->{results}")


def views_of(buffer: Any) -> tuple[memoryview[Any], ...]:
    """The (iv, qv, Qv, fv, dv) views a generated wrapper indexes, over one buffer."""
    raw = memoryview(buffer).cast("B")
    return raw.cast("i"), raw.cast("q"), raw.cast("Q"), raw.cast("f"), raw.cast("d")
