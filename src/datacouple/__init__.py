"""datacouple: couple datasets to models.

Pandera schemas fingerprint feature tables, DVC versions them, MLflow records the lineage, and a
pre-merge check names the model versions a data change affects.
"""

from .errors import DatacoupleError
from .fingerprint import fingerprint, load_fingerprint, validate, write_fingerprint

__all__ = ["DatacoupleError", "fingerprint", "load_fingerprint", "validate", "write_fingerprint"]
__version__ = "0.1.0"
