"""The dynamic entry points: ``load``, ``load_async``, ``compile`` (load.py) and ``run``
(run.py), above the realm."""
