"""What a CSV side cannot say. CSV has one spelling for NULL and for "": an empty field. A
string column written to CSV from data with NULLs therefore reads back, under the arrow engine,
as "" (which is how the file spells it; pandas' read_csv would read it back as NaN instead).
The diff cannot know which the data meant, so a NULL <-> "" change with a CSV side says so."""

from __future__ import annotations

from ...profile.format import read_from_csv
from ..context import DiffContext

_NULL, _EMPTY = "null", "empty"


def csv_ambiguity(ctx: DiffContext, before: str, after: str) -> tuple[str, str] | None:
    """For a change of encoding `before` -> `after`: when it is NULL <-> "" and the side that
    spells it "" was read from CSV, (which side, a qualifier for the message); else None."""
    if {before, after} != {_NULL, _EMPTY}:
        return None
    side, document = ("new", ctx.new) if after == _EMPTY else ("old", ctx.old)
    if not read_from_csv(document):
        return None
    name = "NEW" if side == "new" else "OLD"
    return side, (
        f" ({name} was read from CSV, which cannot tell NULL from \"\": both are written as an "
        "empty field, so this may be the file format rather than the pipeline; compare "
        "Parquet or Arrow files to know)"
    )
