"""Acknowledgements: `datacouple.acks.toml`, committed with the branch that makes the change.

    [[ack]]
    dataset = "features"
    kind = "missing_encoding_changed"
    column = "salary"            # "" for a table-level change
    reason = "the model is retrained on the new encoding in #42"
    by = "Ada Lovelace <ada@example.com>"
    at = "2026-11-26T09:12:00Z"
    old_fingerprint = "<sha256 of the base fingerprint>"
    new_fingerprint = "<sha256 of the head fingerprint>"

An ack covers one change exactly: same dataset, kind and column between the very fingerprints it
names. A later, different change (new data, another migration, a moved base) is not covered and
must be acknowledged again.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

import tomli_w

from ..atomic import write_text_atomic
from ..changes import KINDS, Change
from ..errors import DatacoupleError
from ..identity.confine import require_inside

ACKS_FILE = "datacouple.acks.toml"
_FIELDS = ("dataset", "kind", "column", "reason", "by", "at", "old_fingerprint",
           "new_fingerprint")


@dataclass(frozen=True)
class Ack:
    dataset: str
    kind: str
    column: str  # "" for a table-level change
    reason: str
    by: str
    at: str
    old_fingerprint: str
    new_fingerprint: str

    def covers(self, change: Change, old_fingerprint: str, new_fingerprint: str) -> bool:
        return (self.dataset == change.dataset and self.kind == change.kind
                and self.column == (change.column or "")
                and self.old_fingerprint == old_fingerprint
                and self.new_fingerprint == new_fingerprint)


def acks_path(repo_root: Path) -> Path:
    return repo_root / ACKS_FILE


def load_acks(repo_root: Path) -> list[Ack]:
    """Every ack in the work tree's acks file ([] without one); a hand-edited file that is not
    what `datacouple ack` writes is a one-line error, never silently ignored."""
    path = acks_path(repo_root)
    if not path.is_file():
        return []
    if path.is_symlink():  # path confinement: a committed symlink must not read elsewhere
        require_inside(Path(os.path.realpath(path)), repo_root, named_in=ACKS_FILE,
                       setting="the symlink")
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DatacoupleError(f"{ACKS_FILE}: invalid TOML ({error})") from None
    entries = document.get("ack", [])
    if set(document) - {"ack"} or not isinstance(entries, list):
        raise DatacoupleError(f"{ACKS_FILE}: expected only [[ack]] tables")
    return [_ack(entry, number) for number, entry in enumerate(entries, 1)]


def _ack(entry: object, number: int) -> Ack:
    if not isinstance(entry, dict):
        raise DatacoupleError(f"{ACKS_FILE}: ack #{number} is not a table")
    missing = [name for name in _FIELDS if not isinstance(entry.get(name), str)]
    unknown = sorted(set(entry) - set(_FIELDS))
    if missing or unknown:
        problem = (f"missing or non-string {', '.join(missing)}" if missing
                   else f"unknown key(s) {', '.join(unknown)}")
        raise DatacoupleError(f"{ACKS_FILE}: ack #{number} has {problem}; record acks with "
                              "`datacouple ack`")
    if not entry["reason"].strip():
        raise DatacoupleError(f"{ACKS_FILE}: ack #{number} has an empty reason")
    if entry["kind"] not in KINDS:
        raise DatacoupleError(f"{ACKS_FILE}: ack #{number} names an unknown kind of change "
                              f"{entry['kind']!r}; record acks with `datacouple ack`")
    return Ack(**{name: entry[name] for name in _FIELDS})


def require_known_datasets(acks: list[Ack], datasets) -> None:
    """An ack for a dataset the configuration does not have was edited by hand (or outlived
    the dataset): say so rather than let it sit there unnoticed."""
    for number, ack in enumerate(acks, 1):
        if ack.dataset not in datasets:
            known = ", ".join(sorted(datasets)) or "none configured"
            raise DatacoupleError(f"{ACKS_FILE}: ack #{number} names dataset {ack.dataset!r}, "
                                  f"which is not configured (known: {known}); remove the ack")


def record_ack(repo_root: Path, change: Change, reason: str, old_fingerprint: str,
               new_fingerprint: str) -> Ack:
    """Append an ack for `change` (replacing an older one for the same dataset, kind and
    column) and write the file atomically."""
    if not reason.strip():
        raise DatacoupleError("--reason is empty: say why the change is accepted")
    ack = Ack(dataset=change.dataset, kind=change.kind, column=change.column or "",
              reason=reason.strip(), by=_who(repo_root), at=_now(),
              old_fingerprint=old_fingerprint, new_fingerprint=new_fingerprint)
    kept = [existing for existing in load_acks(repo_root)
            if (existing.dataset, existing.kind, existing.column)
            != (ack.dataset, ack.kind, ack.column)]
    text = tomli_w.dumps({"ack": [asdict(entry) for entry in [*kept, ack]]})
    header = ("# Breaking data changes accepted on this branch (`datacouple ack`). Each entry "
              "covers exactly\n# the change between the two fingerprints it names.\n\n")
    write_text_atomic(acks_path(repo_root), header + text)
    return ack


def _who(repo_root: Path) -> str:
    """`Name <email>` as git would sign a commit now (its environment and configuration),
    else the login name."""
    result = subprocess.run(["git", "var", "GIT_AUTHOR_IDENT"], cwd=repo_root,
                            capture_output=True, text=True)
    ident = result.stdout.strip()
    if result.returncode == 0 and ">" in ident:
        return ident[: ident.rindex(">") + 1]  # drop the timestamp and zone after it
    return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
