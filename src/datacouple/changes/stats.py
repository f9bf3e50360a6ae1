"""Small statistics the rules share: is a shift in a share real, or sampling noise?"""

from __future__ import annotations

import math
from statistics import NormalDist


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


def two_sided_p(z: float) -> float:
    """P(|Z| >= z) for a standard normal Z."""
    return math.erfc(abs(z) / math.sqrt(2))


def z_of_p(p: float) -> float:
    """The z-score whose two-sided p-value is `p` (inf for p = 0): puts every test on the
    scale of `min_z`."""
    if p >= 1.0:
        return 0.0
    if not p / 2 > 0.0:  # zero, or so small that halving it underflows
        return math.inf
    return -NormalDist().inv_cdf(p / 2)  # the lower tail keeps tiny p-values exact


def cohen_h(old_share: float, new_share: float) -> float:
    """Effect size of a change in a proportion (0.2 small, 0.5 medium, 0.8 large)."""
    def clamp(p: float) -> float:
        return min(1.0, max(0.0, p))
    return abs(2 * math.asin(math.sqrt(clamp(new_share))) - 2 * math.asin(math.sqrt(
        clamp(old_share))))


def ks_p(distance: float, old_n: int, new_n: int) -> float:
    """Asymptotic p-value of a two-sample Kolmogorov-Smirnov distance (conservative for
    discrete or binned data, where the largest gap can only be smaller)."""
    if not old_n or not new_n:
        return 1.0
    effective = old_n * new_n / (old_n + new_n)
    return min(1.0, 2 * math.exp(-2 * distance * distance * effective))


def poisson_lower(observed: int, p: float) -> float:
    """The smallest Poisson mean that makes `observed` or more events at least `p` likely: a
    lower confidence bound on the mean behind an observed count."""
    if observed <= 0:
        return 0.0
    low, high = 0.0, float(observed)
    for _ in range(60):
        middle = (low + high) / 2
        if poisson_tail(observed, middle) < p:
            low = middle
        else:
            high = middle
    return high


def share_z(old_count: int, old_rows: int, new_count: int, new_rows: int) -> float:
    """|z| of a change in a share, on the `min_z` scale: Fisher's exact test where the rarer
    outcome is scarce (the normal approximation overstates a move of a handful of rows, say 2
    of 40 against 11 of 3000), the two-proportion z-test where counts are large."""
    total, rows = old_count + new_count, old_rows + new_rows
    rarer = min(total, rows - total)
    if rarer > 2000:
        return abs(z_score(old_count, old_rows, new_count, new_rows))
    return z_of_p(_fisher_p(old_count, old_rows, new_count, new_rows))


def _fisher_p(old_count: int, old_rows: int, new_count: int, new_rows: int) -> float:
    """Two-sided p of Fisher's exact test: tables as likely as the observed one or less."""
    total, rows = old_count + new_count, old_rows + new_rows
    if total > rows - total:  # count the rarer outcome: fewer terms
        total, new_count = rows - total, new_rows - new_count
    low, high = max(0, new_rows - (rows - total)), min(total, new_rows)

    def log_choose(n: int, k: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)

    base = log_choose(rows, new_rows)
    log_p = [log_choose(total, x) + log_choose(rows - total, new_rows - x) - base
             for x in range(low, high + 1)]
    observed = log_p[new_count - low]
    return min(1.0, sum(math.exp(v) for v in log_p if v <= observed + 1e-9))


def binomial_tail(observed: int, trials: int, p: float) -> float:
    """P(X >= observed) for X ~ Binomial(trials, p)."""
    if observed <= 0:
        return 1.0
    if observed > trials:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    total = 0.0
    for k in range(observed, trials + 1):
        total += math.exp(math.lgamma(trials + 1) - math.lgamma(k + 1)
                          - math.lgamma(trials - k + 1) + k * log_p + (trials - k) * log_q)
    return min(1.0, total)
