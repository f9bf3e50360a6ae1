"""The rules, one small function per change kind.

Column rules take `(ctx, pair)`, table rules `(ctx)`. Order matters where a rule explains
another's findings away (a unit change explains a range change; NULL -> 0 explains the
missing rate), so explaining rules run first.
"""

from .categories import categories_changed
from .clipping import clipped
from .clock import clock_shifted
from .declared import schema_changed
from .imputation import imputed
from .missing import missing_encoding_changed, missing_rate_changed
from .moved import unexplained_moves
from .nested import nested_changed
from .numeric import distribution_drift, range_changed, scale_changed
from .shape import format_changed
from .table import (
                    column_added,
                    column_order_changed,
                    column_removed,
                    content_changed,
                    row_count_changed,
)
from .types import precision_changed, type_changed
from .uniqueness import uniqueness_lost

TABLE_RULES = (column_removed, column_added, column_order_changed, row_count_changed,
               schema_changed)
COLUMN_RULES = (type_changed, precision_changed, scale_changed, clipped, imputed,
                missing_encoding_changed, missing_rate_changed, categories_changed,
                format_changed, clock_shifted, range_changed, distribution_drift,
                uniqueness_lost, nested_changed)
# Where a side has no rows there is nothing to compare but structure: only these run.
STRUCTURAL_COLUMN_RULES = (type_changed,)
# Both see every other finding: the catch-all first, so that content_changed (only when nothing
# was found) can say the fingerprints agree.
FINAL_RULES = (unexplained_moves, content_changed)

__all__ = ["COLUMN_RULES", "FINAL_RULES", "STRUCTURAL_COLUMN_RULES", "TABLE_RULES"]
