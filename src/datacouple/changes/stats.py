"""Small statistics the rules share: is a shift in a share real, or sampling noise?"""

from __future__ import annotations

import math


def share(count: int, rows: int) -> float:
    return count / rows if rows else 0.0


def z_score(old_count: int, old_rows: int, new_count: int, new_rows: int) -> float:
    """Two-proportion z-score of new_count/new_rows against old_count/old_rows."""
    if not old_rows or not new_rows:
        return 0.0
    pooled = (old_count + new_count) / (old_rows + new_rows)
    if pooled in (0.0, 1.0):
        return 0.0
    error = math.sqrt(pooled * (1 - pooled) * (1 / old_rows + 1 / new_rows))
    return (new_count / new_rows - old_count / old_rows) / error


def chance_of_none(count: int, rows: int, other_rows: int) -> float:
    """Probability that `other_rows` draws at the observed share count/rows contain none.

    Used both ways: a value that vanished (share from the old side, draws on the new side)
    and one that appeared (share from the new side, draws on the old side).
    """
    if not rows or count <= 0:
        return 1.0
    return (1 - count / rows) ** other_rows


def psi(old_shares: list[float], new_shares: list[float], floor: float = 1e-4) -> float:
    """Population stability index over aligned bins (empty bins floored, as is customary)."""
    total = 0.0
    for old, new in zip(old_shares, new_shares, strict=True):
        old, new = max(old, floor), max(new, floor)
        total += (new - old) * math.log(new / old)
    return total


def psi_noise(bins: int, old_rows: int, new_rows: int) -> float:
    """PSI's expected value between two samples of one distribution: (k-1)(1/n0 + 1/n1)."""
    if not old_rows or not new_rows:
        return math.inf
    return (bins - 1) * (1 / old_rows + 1 / new_rows)


def poisson_tail(observed: int, expected: float) -> float:
    """P(K >= observed) for K ~ Poisson(expected)."""
    if observed <= 0:
        return 1.0
    term = total = math.exp(-expected)
    for i in range(1, observed):
        term *= expected / i
        total += term
    return max(0.0, 1.0 - total)
