"""The data DVC recorded at a git revision, copied out of DVC's cache (or its remote)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ..errors import DatacoupleError

# Remotes reached over a network socket: a refused or timed-out connection is told apart from
# "the remote lacks the data" (DVC's HTTP filesystem answers both with "does not exist").
_DEFAULT_PORTS = {"http": 80, "https": 443, "ssh": 22, "sftp": 22, "webdav": 80,
                  "webdavs": 443}
_CONNECT_TIMEOUT = 5.0
# What DVC names the work tree's own cache when it opens a revision of a repository that has
# no remote of its own: not a remote the user configured.
_DVC_UPSTREAM = "auto-generated-upstream"


def download_at_revision(repo_root: Path, relpath: str, rev: str, destination: Path) -> None:
    """Copy `relpath` (a file or directory) as committed at `rev` to `destination`."""
    from dvc.api import DVCFileSystem  # DVC's API costs ~0.5 s to import: only callers pay

    filesystem = None
    try:
        filesystem = DVCFileSystem(os.fspath(repo_root), rev=rev)
        filesystem.get(relpath, os.fspath(destination), recursive=True)
    except Exception as error:  # DVC raises many types; each means "not available here"
        where = _remote_problem(filesystem, rev) if isinstance(error, FileNotFoundError) \
            else None
        if where:
            raise DatacoupleError(f"cannot read {relpath} at {rev}: it is not in the DVC cache "
                                  f"here, and {where}") from None
        raise DatacoupleError(
            f"cannot read {relpath} at {rev} through DVC ({type(error).__name__}: "
            f"{' '.join(str(error).split())[:200]}); is it in the DVC cache or remote "
            "(dvc push on the branch that made it, dvc pull here)?"
        ) from None


def _remote_problem(filesystem, rev: str) -> str | None:
    """Why DVC's default remote could not supply the data, as the end of a sentence; None when
    it cannot be told (the caller then says what DVC said). DVC reads the remote from the
    revision's own .dvc/config plus the local, uncommitted .dvc/config.local."""
    try:
        repo = filesystem.repo
        name = repo.config["core"].get("remote")
        if not name or name == _DVC_UPSTREAM:
            return (f"no DVC remote is configured at {rev}: add the one the data was pushed "
                    "to (dvc remote add --local -d NAME URL applies at every revision)")
        url = str(repo.config["remote"][name]["url"])
        remote = repo.cloud.get_remote(name)
    except Exception:  # a diagnosis must never hide the original failure
        return None
    shown = f"the DVC remote '{name}' ({_without_credentials(url)})"
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("", "file") or len(scheme) == 1:  # a path (C:\ on Windows: one letter)
        if not os.path.isdir(remote.path):
            return (f"{shown} does not exist: mount it, or point the remote at the data's "
                    f"storage (dvc remote modify {name} url ...)")
    elif scheme in _DEFAULT_PORTS:
        refused = _connection_problem(url, _DEFAULT_PORTS[scheme])
        if refused:
            return (f"{shown} cannot be reached ({refused}): check its address and the "
                    "network, then run again")
    else:
        try:
            remote.fs.exists(remote.path)
        except Exception as error:  # credentials, DNS, permissions...
            cause = " ".join(str(error).replace(url, _without_credentials(url)).split())[:150] \
                or type(error).__name__
            return (f"{shown} cannot be read ({type(error).__name__}: {cause}): check its "
                    "address and credentials, then run again")
    return f"{shown} does not hold it either: dvc push it from where it was made"


def _connection_problem(url: str, default_port: int) -> str | None:
    """The reason a TCP connection to the URL's host fails, or None when it connects."""
    parts = urlsplit(url)
    try:
        port = parts.port or default_port
    except ValueError:
        return "no valid port in the address"
    if not parts.hostname:
        return None
    try:
        with socket.create_connection((parts.hostname, port), timeout=_CONNECT_TIMEOUT):
            return None
    except OSError as error:
        return error.strerror or str(error) or type(error).__name__


def _without_credentials(url: str) -> str:
    """The URL with any user:password@ dropped: an error message must not show a secret."""
    parts = urlsplit(url)
    if not parts.username and not parts.password:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=host))
