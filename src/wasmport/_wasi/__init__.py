"""WASI preview 1: the configuration value (config.py) and a store's WASI context and output
sinks (context.py).  Running commands is ``wasmport.run`` (_api/run.py)."""
