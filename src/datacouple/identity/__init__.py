"""Dataset identity: DVC's own content hash, `.dvc` / `dvc.lock` entries at any git revision,
and git revisions themselves. The bottom layer: it knows nothing of schemas or fingerprints."""

from .content_hash import hash_directory, hash_file
from .dataset import DatasetIdentity, dataset_identity
from .entries import DvcEntry, read_dvc_entry
from .git import git_commit, path_in_git, resolve_commit
from .paths import find_repo_root

__all__ = [
    "DatasetIdentity",
    "DvcEntry",
    "dataset_identity",
    "find_repo_root",
    "git_commit",
    "hash_directory",
    "hash_file",
    "path_in_git",
    "read_dvc_entry",
    "resolve_commit",
]
