"""datacouple: couple datasets to models.

Pandera schemas fingerprint feature tables, DVC versions them, MLflow records the lineage, and a
pre-merge check names the model versions a data change affects.

    import datacouple
    old = datacouple.fingerprint("data/features.parquet", schema="schemas/features.yaml")
    changes = datacouple.diff(old, new_dataframe)   # fingerprints, fingerprint files or data
"""

from . import diff as _diff_package  # noqa: F401  (imported first, so the name below sticks)
from .errors import DatacoupleError
from .fingerprint import fingerprint, load_fingerprint, validate, write_fingerprint
from .toplevel import diff

__all__ = ["DatacoupleError", "diff", "fingerprint", "load_fingerprint", "log_dataset",
           "register_model", "validate", "write_fingerprint"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # MLflow takes seconds to import: only code that logs lineage pays for it, not the CLI.
    if name in ("log_dataset", "register_model"):
        from .lineage import logging

        return getattr(logging, name)
    raise AttributeError(f"module 'datacouple' has no attribute {name!r}")
