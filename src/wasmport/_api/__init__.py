"""The dynamic entry points: ``load``, ``load_async``, ``compile`` (load.py) and ``run``
(run.py), above the realm.

The values below register their pickling and tokenizing hooks here (pickling.py), so
that importing any part of wasmport, as unpickling does, makes them work.
"""
from . import pickling as pickling
