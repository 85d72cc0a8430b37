"""Why a spec command is skipped: one category per reason, counted per script.

Two kinds of reason, kept apart (issue 15):

- wasmport cannot pass a value across yet, or cannot turn an engine feature on: the gaps
  the issue closes.  Each is found where wasmport shows it -- an ``OpaqueExport``, an
  argument with no Python form, a result it cannot give -- never assumed from a file name,
  so a closed gap turns its commands into passes (and the expected counts must change);
- wasmtime 50 itself lacks the feature: checked against raw wasmtime-py (rawcheck.py,
  test_engine_claims.py);
- a proposal's script is older than WebAssembly 3.0 (the threads scripts still call a
  second memory or table invalid).

A command needing several value kinds is counted under the first in ``ORDER``.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

import wasmport

V128 = "v128"
FUNCREF = "funcref"
EXTERNREF = "externref"
GCREF = "gc-ref"
EXNREF = "exnref"
F32_NAN = "f32-nan"
FEATURES = "realm-features"
WASMTIME = "wasmtime-lacks"
OBSOLETE = "pre-3.0-script"
UNCLASSIFIED = "unclassified"

ORDER = (V128, FUNCREF, EXTERNREF, GCREF, EXNREF, F32_NAN, FEATURES, WASMTIME, OBSOLETE,
         UNCLASSIFIED)

DESCRIPTIONS = {
    V128: "wasmport cannot pass a v128 across yet (the export is an OpaqueExport)",
    FUNCREF: "wasmport cannot pass a non-nullable or typed function reference "
             "((ref func), (ref $f), nullfuncref) yet",
    EXTERNREF: "wasmport cannot pass a non-nullable externref ((ref extern), nullexternref) "
               "or an externref holding a wasm value (extern.convert_any) yet",
    GCREF: "wasmport cannot pass a GC reference (anyref, eqref, i31ref, structref, "
           "arrayref, nullref, (ref $struct/$array)) yet",
    EXNREF: "wasmport cannot pass an exnref yet",
    F32_NAN: "wasmport quiets an f32 signalling NaN passed in or out (the hardware "
             "float <-> double conversion)",
    FEATURES: "the script needs an engine feature that wasmport cannot turn on yet "
              "(Realm(features=...))",
    WASMTIME: "wasmtime 50 itself lacks the feature",
    OBSOLETE: "a proposal's script predates WebAssembly 3.0: it calls invalid what 3.0 allows",
    UNCLASSIFIED: "a value kind this harness does not classify (a harness bug)",
}


class Gap(Exception):
    """A command that cannot run for a known, counted reason."""

    def __init__(self, category: str, detail: str) -> None:
        super().__init__(f"{category}: {detail}")
        self.category, self.detail = category, detail


# -- value kinds --------------------------------------------------------------------------

_ABSTRACT = {
    "func": FUNCREF, "nofunc": FUNCREF, "extern": EXTERNREF, "noextern": EXTERNREF,
    "exn": EXNREF, "noexn": EXNREF, "any": GCREF, "eq": GCREF, "i31": GCREF,
    "struct": GCREF, "array": GCREF, "none": GCREF,
}
# Nullable funcref and externref cross today; every other shorthand is a gap.
_SHORTHAND = {f"{name}ref": cat for name, cat in _ABSTRACT.items()
              if name not in ("func", "extern")}
_SHORTHAND.update(nullref=GCREF, nullfuncref=FUNCREF, nullexternref=EXTERNREF,
                  nullexnref=EXNREF, noneref=GCREF)
_CONCRETE = {"func": FUNCREF, "struct": GCREF, "array": GCREF}
_TOKEN = re.compile(r"\(ref (?:null )?(?:\(exact )?([^()\s]+)\)*|\b([a-z0-9]+ref|v128)\b")


def category_of_value(json_type: str) -> str:
    """The gap of a script value's type (wasm-tools JSON names: anyref, structref, ...)."""
    return _SHORTHAND.get(json_type, V128 if json_type == "v128" else UNCLASSIFIED)


def categories_of_type(text: str, type_kinds: list[str]) -> set[str]:
    """The gaps a type as wasmport prints it falls into (``func (v128) -> (ref $2)``);
    ``type_kinds`` says what each type index of the module defines (typesec.py)."""
    found: set[str] = set()
    for heap, word in _TOKEN.findall(text):
        if word in ("funcref", "externref"):
            continue
        if word:
            found.add(V128 if word == "v128" else _SHORTHAND.get(word, UNCLASSIFIED))
        elif heap.startswith("$"):
            index = int(heap[1:])
            kind = type_kinds[index] if index < len(type_kinds) else "?"
            found.add(_CONCRETE.get(kind, UNCLASSIFIED))
        else:
            found.add(_ABSTRACT.get(heap, UNCLASSIFIED))
    return found


def first(categories: set[str]) -> str:
    return next((c for c in ORDER if c in categories), UNCLASSIFIED)


# -- proposals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """How a proposal's scripts run: the Realm features they need and the wasmtime Config
    flag behind them; or, for a proposal wasmtime 50 lacks, the words of its validator
    that say so (a module refused with them is skipped, not failed)."""

    features: frozenset[str] = frozenset()
    config_flag: str = ""
    lacking_markers: tuple[str, ...] = ()
    pre_3_0: bool = False  # its assert_invalid texts include PRE_3_0_INVALID


PROPOSALS = {
    # wasm_threads is on by default in wasmtime 50, but wasmport refuses shared memories
    # until a realm asks for the feature.
    "threads": Proposal(frozenset({"threads"}), "wasm_threads", pre_3_0=True),
    # wasm_wide_arithmetic is on by default in wasmtime 50: the scripts run as they are.
    "wide-arithmetic": Proposal(frozenset(), "wasm_wide_arithmetic"),
    "custom-page-sizes": Proposal(frozenset({"custom_page_sizes"}), "wasm_custom_page_sizes"),
    # No Config flag, in wasmtime-py nor in the C API: "custom descriptors proposal must
    # be enabled ...", "custom descriptors required for exact reference types".
    "custom-descriptors": Proposal(lacking_markers=("custom descriptors",)),
}


def realm_takes_features() -> bool:
    return "features" in inspect.signature(wasmport.Realm).parameters


def proposal_gate(proposal: str | None) -> Proposal:
    """How a script of ``proposal`` runs; Gap when it cannot run here at all."""
    spec = PROPOSALS[proposal] if proposal is not None else Proposal()
    if spec.features and not realm_takes_features():
        names = ", ".join(map(repr, sorted(spec.features)))
        raise Gap(FEATURES, f"needs Realm(features={{{names}}}) "
                  f"(wasmtime Config.{spec.config_flag})")
    return spec


# assert_invalid texts of proposal scripts written before 3.0 made them valid.
PRE_3_0_INVALID = {
    "multiple memories": "multi-memory is part of WebAssembly 3.0",
    "multiple tables": "multiple tables are part of WebAssembly 2.0 (reference types)",
}
