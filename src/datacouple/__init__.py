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

from .errors import DatacoupleError
from .profile.api import fingerprint, load_fingerprint, validate, write_fingerprint
from .resolve import diff

__all__ = ["DatacoupleError", "diff", "fingerprint", "load_fingerprint", "validate",
           "write_fingerprint"]
__version__ = "0.1.0"
