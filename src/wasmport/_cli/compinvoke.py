"""``wasmport run app.wasm --invoke 'add(1, 2)'`` on a component.

The call is WIT-typed: its arguments are parsed against the export's WIT types in
the WAVE value syntax ``wasmtime run --invoke`` uses for components, and the result
is printed in WAVE.
"""

from __future__ import annotations

from typing import Any


class ComponentInvokeError(ValueError):
    """An --invoke text that does not fit the component: a usage error."""


def invoke_component(instance: Any, text: str, words: list[str], where: str) -> int:
    """Call the export ``text`` names on a component instance, print the result."""
    raise ComponentInvokeError(
        f"{where}: --invoke {text!r}: calling a component's export from the command line "
        "needs the WAVE value syntax, which this build does not have yet; call it from "
        f"Python instead: wasmport.load({where!r}).<export>(...)")
