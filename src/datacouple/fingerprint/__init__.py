"""Fingerprints: the model (canonical JSON, structural hash) and the engines that compute them."""

from .api import assemble, fingerprint, load_fingerprint, validate, write_fingerprint
from .model import canonical_json, structural_hash
from .profile import TableProfile

__all__ = [
    "TableProfile",
    "assemble",
    "canonical_json",
    "fingerprint",
    "load_fingerprint",
    "structural_hash",
    "validate",
    "write_fingerprint",
]
