"""How an instance's exports look from Python: attributes by Python name, items by WIT name.

    inst.exports.add(1, 2)                         a root function
    inst.exports.my_api.get_point()                an exported interface, short name
    inst.exports["ns:pkg/my-api@1.0.0"]            always there, by full name
    inst.exports.my_api.Point, .Counter            its types and resource classes
    inst.exports.host.Point                        an imported interface: its types

Two interfaces with the same short name (``a:x/api`` and ``b:y/api``) both lose it
and stay reachable by full name only; so does anything else that would collide.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ._names import namespace


class Namespace:
    """Members of one interface (or of the whole world): functions, types, resources."""

    def __init__(self, wit_name: str, members: dict[str, Any], by_wit: dict[str, Any]
                 ) -> None:
        self.__dict__.update(members)
        self.__dict__["_wit"] = by_wit
        self.__dict__["__wit_name__"] = wit_name

    def __getitem__(self, wit_name: str) -> Any:
        try:
            return self._wit[wit_name]
        except KeyError:
            raise KeyError(f"{self.__wit_name__ or 'the world'} has no member {wit_name!r}; "
                           f"it has {', '.join(sorted(self._wit)) or 'none'}") from None

    def __contains__(self, wit_name: object) -> bool:
        return wit_name in self._wit

    def keys(self) -> list[str]:
        return list(self._wit)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"{self.__wit_name__ or 'the world'} has no member {name!r}; "
                             f"it has {', '.join(sorted(self.public())) or 'none'}")

    def public(self) -> list[str]:
        return [k for k in self.__dict__ if not k.startswith("_")]

    def __dir__(self) -> list[str]:
        return sorted(self.public())

    def __repr__(self) -> str:
        return f"<component namespace {self.__wit_name__ or 'world'}: {', '.join(self.public())}>"


def short_names(full_names: list[str], taken: set[str]) -> dict[str, str]:
    """Full interface name -> its short Python name, leaving out every collision."""
    shorts = {full: namespace(full) for full in full_names}
    counts = Counter(shorts.values())
    return {full: short for full, short in shorts.items()
            if counts[short] == 1 and short not in taken}
