"""datacouple: couple datasets to models.

Pandera schemas fingerprint feature tables, DVC versions them, MLflow records the lineage, and a
pre-merge check names the model versions a data change affects.

    import datacouple
    old = datacouple.fingerprint("data/features.parquet", schema="schemas/features.yaml")
    changes = datacouple.diff(old, new_dataframe)   # fingerprints, fingerprint files or data

The layers, bottom up (docs/architecture.md): identity (DVC hashes, git revisions), schema
(Pandera), profile (the fingerprint's format and engines), changes (rules over two
fingerprints), resolve (what a user pointed at -> a fingerprint), then the CLI. No name below
is also the name of a subpackage, so `import datacouple.changes` and `datacouple.diff(...)`
never hide each other.
"""

from . import _allocator  # noqa: F401  (first: it must run before pyarrow is imported)
from .errors import DatacoupleError
from .profile.api import fingerprint, load_fingerprint, validate, write_fingerprint
from .resolve import diff

__all__ = ["DatacoupleError", "diff", "fingerprint", "load_fingerprint", "log_dataset",
           "register_model", "validate", "write_fingerprint"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # MLflow takes seconds to import: only code that logs lineage pays for it, not the CLI.
    if name in ("log_dataset", "register_model"):
        from .lineage import recording

        return getattr(recording, name)
    raise AttributeError(f"module 'datacouple' has no attribute {name!r}")
