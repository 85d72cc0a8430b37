"""The command line: ``wasmport <command>`` (main.py) and one module per command."""
