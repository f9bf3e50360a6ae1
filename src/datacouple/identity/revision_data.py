"""The data DVC recorded at a git revision, copied out of DVC's cache (or its remote)."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DatacoupleError


def download_at_revision(repo_root: Path, relpath: str, rev: str, destination: Path) -> None:
    """Copy `relpath` (a file or directory) as committed at `rev` to `destination`."""
    from dvc.api import DVCFileSystem  # DVC's API costs ~0.5 s to import: only callers pay

    try:
        filesystem = DVCFileSystem(os.fspath(repo_root), rev=rev)
        filesystem.get(relpath, os.fspath(destination), recursive=True)
    except Exception as error:  # DVC raises many types; each means "not available here"
        raise DatacoupleError(
            f"cannot read {relpath} at {rev} through DVC ({type(error).__name__}: "
            f"{' '.join(str(error).split())[:200]}); is it in the DVC cache or remote "
            "(dvc push on the branch that made it, dvc pull here)?"
        ) from None
