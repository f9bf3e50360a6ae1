"""The rules, one small function per change kind.

Column rules take `(ctx, pair)`, table rules `(ctx)`. Order matters where a rule explains
another's findings away (a unit change explains a range change; NULL -> 0 explains the
missing rate), so explaining rules run first.
"""

from .categories import categories_changed
from .clock import clock_shifted
from .declared import schema_changed
from .missing import missing_encoding_changed, missing_rate_changed
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

TABLE_RULES = (column_removed, column_added, column_order_changed, row_count_changed,
               schema_changed)
COLUMN_RULES = (type_changed, precision_changed, missing_encoding_changed, missing_rate_changed,
                scale_changed, categories_changed, format_changed, clock_shifted, range_changed,
                distribution_drift, nested_changed)
FINAL_RULES = (content_changed,)  # sees every other finding

__all__ = ["COLUMN_RULES", "FINAL_RULES", "TABLE_RULES"]
