"""Compare two fingerprint documents field by field; fail on ANY disagreement beyond the
tolerances docs/spark.md states.

The only partition-dependent numbers are a column's floating-point `mean` and `std`: partial
moments are combined in another order (Chan et al.), which can move the 10th significant
digit they are rounded to. Everything else (counts, extremes, quantiles, sketches, categories,
patterns, distinct estimates, the structural hash) must be equal.
"""

from __future__ import annotations

import math

# Keys whose float values may differ by the stated relative tolerance.
ROUNDED_MOMENTS = frozenset({"mean", "std"})
MOMENT_REL_TOLERANCE = 1e-9


def differences(left, right, path: str = "$") -> list[str]:
    """Every disagreement between two documents, as `path: left != right`."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = [f"{path}: keys {sorted(left.keys() ^ right.keys())} in one only"
                 ] if left.keys() != right.keys() else []
        for key in sorted(left.keys() & right.keys()):
            found += differences(left[key], right[key], f"{path}.{key}")
        return found
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return [f"{path}: {len(left)} items != {len(right)} items"]
        return [d for i, (a, b) in enumerate(zip(left, right, strict=True))
                for d in differences(a, b, f"{path}[{i}]")]
    if (path.rsplit(".", 1)[-1] in ROUNDED_MOMENTS and isinstance(left, float)
            and isinstance(right, float)
            and math.isclose(left, right, rel_tol=MOMENT_REL_TOLERANCE, abs_tol=1e-300)):
        return []
    if type(left) is not type(right) or left != right:
        return [f"{path}: {left!r} != {right!r}"]
    return []


def assert_same_fingerprint(arrow_document: dict, spark_document: dict) -> None:
    found = differences(arrow_document, spark_document)
    assert not found, "the engines disagree:\n" + "\n".join(found[:40])
