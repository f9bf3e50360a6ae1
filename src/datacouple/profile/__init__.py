"""The fingerprint: its format (format.py, shared with the changes layer), the mergeable
sketches, and one subpackage per engine (arrow/). `api.py` is the public face
(`datacouple.fingerprint`, `validate`, `load_fingerprint`, `write_fingerprint`).

This package imports nothing itself, so the changes layer can read `profile.format` without
loading an engine.
"""
