"""WASI preview 1: configuration (config.py), a realm's WASI context (context.py) and
commands (command.py)."""
