"""A Python module that wasm may import: it opts in by naming what it offers."""

__wasm_exports__ = ["log"]


def log(i: int, total: int) -> None:
    print(f"  wasm says: after {i}, the sum is {total}")
