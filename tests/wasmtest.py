"""Helpers for tests (importable as ``wasmtest``: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path


def write(directory: Path, name: str, text: str) -> Path:
    """Write a fixture file (creating parent directories) and return its path."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
