"""Path confinement: a path that a file *in the repository* names (a dataset's `path`, `schema`
or `fingerprint` in datacouple.toml, an `outs` path in a `.dvc` file or `dvc.lock`, and those
files themselves) must lead to a file inside the repository, also once symlinks are followed.

Whoever can commit a line of datacouple.toml should not thereby make a reviewer's or CI's
`datacouple` read `/etc/passwd` or `~/.ssh/id_rsa`, or write a fingerprint over a file outside
the checkout. Paths the user types on the command line are the user's own choice and are not
confined (`datacouple fingerprint /data/x.parquet` stays allowed).

The repository is the git work tree that holds the configuration (else the configuration's own
directory). One exception keeps a standard DVC setup working: a symlink into DVC's cache
(`dvc config cache.type symlink` with a shared `cache.dir` outside the repository) is followed
when the cache is the one `.dvc/config` names.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path

from ..errors import DatacoupleError


def repository_boundary(root: str | os.PathLike) -> Path:
    """The directory paths named in the repository must stay in: the git work tree holding
    `root` (the config's directory or DVC root), else `root` itself."""
    start = Path(os.path.realpath(root))
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def confined_path(written: str, root: str | os.PathLike, *, named_in: str,
                  setting: str) -> Path:
    """`written` (relative to `root`, as it stands in `named_in` under `setting`) as an
    absolute path with symlinks resolved; DatacoupleError when it is absolute or leads outside
    the repository. The path need not exist (data not pulled yet, a fingerprint not written)."""
    if not written or Path(written).is_absolute() or written.startswith("~"):
        raise DatacoupleError(
            f"{named_in}: {setting} = {written!r} is not a path relative to the repository; "
            "write it relative to the repository root (datacouple reads only files inside the "
            "repository from its configuration)"
        )
    resolved = Path(os.path.realpath(Path(root) / written))
    require_inside(resolved, root, named_in=named_in, setting=f"{setting} = {written!r}")
    return resolved


def require_inside(resolved: Path, root: str | os.PathLike, *, named_in: str,
                   setting: str) -> None:
    """DatacoupleError unless `resolved` (symlinks already followed) is inside the repository
    holding `root`, or inside the DVC cache the repository configures."""
    boundary = repository_boundary(root)
    if resolved == boundary or resolved.is_relative_to(boundary):
        return
    if any(resolved.is_relative_to(cache) for cache in dvc_cache_dirs(boundary, Path(root))):
        return
    raise DatacoupleError(
        f"{named_in}: {setting} leads outside the repository {boundary} (to {resolved}); "
        "datacouple follows no path from the repository's files out of it: move the file "
        "into the repository and fix the setting"
    )


def dvc_cache_dirs(boundary: Path, root: Path) -> list[Path]:
    """The DVC cache directories `.dvc/config` and `.dvc/config.local` name (`[cache] dir`),
    resolved; read without importing DVC (only consulted for a path outside the repository)."""
    found = []
    for dvc_root in {Path(os.path.realpath(root)), boundary}:
        for name in ("config", "config.local"):
            config_file = dvc_root / ".dvc" / name
            if not config_file.is_file():
                continue
            parser = configparser.ConfigParser(strict=False, interpolation=None)
            try:
                parser.read_string(config_file.read_text(encoding="utf-8"))
                directory = parser.get("cache", "dir", fallback=None)
            except (configparser.Error, OSError, UnicodeDecodeError):
                continue
            if directory:
                # DVC resolves a relative cache.dir against the .dvc directory.
                found.append(Path(os.path.realpath(dvc_root / ".dvc" / directory.strip())))
    return found
