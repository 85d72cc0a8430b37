"""Why a spec command is skipped: one category per reason, counted per script.

Two reasons are left, and neither is wasmport's (issue 15 closed the others: every value
kind crosses, and realms turn on the proposals wasmtime has behind a flag):

- wasmtime 50 itself lacks the feature: the module is refused by raw wasmtime-py with
  every Config flag on too (rawcheck.py; test_engine_claims.py checks the claim);
- a proposal's script is older than WebAssembly 3.0 (the threads scripts still call a
  second memory or table invalid, which 3.0 and wasmtime accept).

A value the harness has no Python form for is a harness bug: a failure, never a skip.
"""

from __future__ import annotations

from dataclasses import dataclass

WASMTIME = "wasmtime-lacks"
OBSOLETE = "pre-3.0-script"

ORDER = (WASMTIME, OBSOLETE)

DESCRIPTIONS = {
    WASMTIME: "wasmtime 50 itself lacks the feature",
    OBSOLETE: "a proposal's script predates WebAssembly 3.0: it calls invalid what 3.0 allows",
}


class Gap(Exception):
    """A command that cannot run for a known, counted reason."""

    def __init__(self, category: str, detail: str) -> None:
        super().__init__(f"{category}: {detail}")
        self.category, self.detail = category, detail


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
    # wasm_threads is on by default in wasmtime 50; wasmport links shared memories only in
    # a realm that asks for the feature (it turns Config.shared_memory on too).
    "threads": Proposal(frozenset({"threads"}), "wasm_threads", pre_3_0=True),
    # wasm_wide_arithmetic is on by default in wasmtime 50: the scripts run as they are.
    "wide-arithmetic": Proposal(frozenset(), "wasm_wide_arithmetic"),
    "custom-page-sizes": Proposal(frozenset({"custom_page_sizes"}), "wasm_custom_page_sizes"),
    # No Config flag, in wasmtime-py nor in the C API: "custom descriptors proposal must
    # be enabled ...", "custom descriptors required for exact reference types".
    "custom-descriptors": Proposal(lacking_markers=("custom descriptors",)),
}


def proposal_gate(proposal: str | None) -> Proposal:
    """How a script of ``proposal`` runs (None: a core script)."""
    return PROPOSALS[proposal] if proposal is not None else Proposal()


# assert_invalid texts of proposal scripts written before 3.0 made them valid.
PRE_3_0_INVALID = {
    "multiple memories": "multi-memory is part of WebAssembly 3.0",
    "multiple tables": "multiple tables are part of WebAssembly 2.0 (reference types)",
}
