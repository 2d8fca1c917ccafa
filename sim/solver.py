"""The maths of proposals: Nash bargaining, least-bad compromise, and concession walks.

Every actor's utility is separable and piecewise linear (DESIGN.md 1.2):
``f(x) = c - sum_k g[k] * |x[k] - p[k]|``, with ``g = weight / D`` and ``c``
its constant (1 minus its no-deal value, when we measure gains). A *term* is
``(beta, c, g, p)``.

Two facts make exact and fast solutions possible in pure Python:

* Nash objective ``sum beta log f`` is concave and, because each ``f`` is a sum
  of one-issue functions, its directional derivative is a sum of one-issue
  parts. So a point no single-issue move can improve is the global maximum:
  coordinate ascent with exact one-issue steps finds it. Each one-issue step
  is a closed form (a linear or quadratic equation on the right segment).
* Moving issues from one party's ideal to another's in order of cheapest
  concession traces the Pareto frontier exactly (the ``walk``), which gives
  alternating offers and the two-party least-bad compromise in closed form.

Plain lists and floats throughout: these run at every talk round.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Term = tuple[float, float, Sequence[float], Sequence[float]]  # beta, c, g, p
INF = math.inf
TOL = 1e-12
MAX_SWEEPS = 500


def value(c: float, g: Sequence[float], p: Sequence[float], x: Sequence[float]) -> float:
    """``c - sum_k g_k |x_k - p_k|``."""
    v = c
    for gk, pk, xk in zip(g, p, x, strict=False):
        if gk:
            v -= gk * abs(xk - pk)
    return v


def nash_value(terms: Sequence[Term], x: Sequence[float], known: Sequence[float] = ()) -> float:
    """``sum beta log f`` at ``x``; -inf when a term with weight is not positive.

    ``known``: the values at ``x`` of the first terms, when the caller has them already.
    """
    total = 0.0
    for j, (beta, c, g, p) in enumerate(terms):
        if beta > 0:
            f = known[j] if j < len(known) else value(c, g, p, x)
            if f <= 0:
                return -INF
            total += beta * math.log(f)
    return total


# --- Nash bargaining: coordinate ascent with exact one-issue steps ------------------------

def nash(terms: Sequence[Term], lo: Sequence[float], hi: Sequence[float],
         x: Sequence[float]) -> list[float]:
    """Maximise ``sum beta log f(x)`` over the box, from a start where every f > 0.

    Newton settles the issues strictly inside a segment (the objective is
    smooth there); a check of one-sided derivatives then proves optimality,
    because the objective's directional derivative is a sum of one-issue
    parts. Where the check fails, a sweep of exact one-issue steps moves the
    issues across kinks (ideals, bounds) and we go again.
    """
    x = list(x)
    used = [t for t in terms if t[0] > 0]
    for _ in range(MAX_SWEEPS):
        _newton(used, lo, hi, x)
        if _optimal(used, lo, hi, x):
            break
        _sweep(used, lo, hi, x)
    return x


def _optimal(terms: Sequence[Term], lo, hi, x: Sequence[float]) -> bool:
    """No single issue can move to improve: both one-sided derivatives point inward."""
    weights = []
    for beta, c, g, p in terms:
        f = value(c, g, p, x)
        if f <= 0:
            return False
        weights.append(beta / f)
    for k, xk in enumerate(x):
        right = left = scale = 0.0
        for w, (_, _, g, p) in zip(weights, terms, strict=True):
            gk = g[k]
            if gk:
                pk = p[k]
                wg = w * gk  # and -w * gk is exactly -wg
                right += wg if xk < pk else -wg
                left += wg if xk <= pk else -wg
                scale += wg
        tol = 1e-9 * scale
        if (xk < hi[k] and right > tol) or (xk > lo[k] and left < -tol):
            return False
    return True


def _sweep(terms: Sequence[Term], lo, hi, x: list[float]) -> bool:
    """One pass of exact one-issue maximisation; True if any issue moved."""
    moved = False
    vals = [value(c, g, p, x) for _, c, g, p in terms]
    for k in range(len(x)):
        if hi[k] <= lo[k]:
            continue
        xk = x[k]
        active = [(beta, vals[j] + g[k] * abs(xk - p[k]), g[k], p[k])
                  for j, (beta, _, g, p) in enumerate(terms) if beta > 0 and g[k] > 0]
        if not active:
            continue
        new = line_max(active, lo[k], hi[k])
        if new != xk:
            for j, (_, _, g, p) in enumerate(terms):
                if g[k]:
                    vals[j] += g[k] * (abs(xk - p[k]) - abs(new - p[k]))
            x[k] = new
            moved = moved or abs(new - xk) > TOL * (1 + abs(xk))
    return moved


def _newton(used: Sequence[Term], lo, hi, x: list[float]) -> None:
    """Newton steps on the issues strictly inside a segment, staying inside that cell."""
    free, left, right = [], [], []  # issues strictly inside a segment, and its ends
    for k, xk in enumerate(x):
        a, b = lo[k], hi[k]
        if not a < xk < b:
            continue
        for _, _, g, p in used:  # the cell: nearest kinks on either side
            if g[k] > 0:
                q = p[k]
                if q == xk:  # on a kink: not free
                    break
                if a < q < xk:
                    a = q
                elif xk < q < b:
                    b = q
        else:
            free.append(k)
            left.append(a)
            right.append(b)
    if not free:
        return
    rows = [(beta, [g[k] if x[k] < p[k] else -g[k] for k in free], value(c, g, p, x))
            for beta, c, g, p in used]
    # one or two free issues are the common cases: the same arithmetic on scalars is quicker
    if len(free) == 1:
        _newton_one(rows, free[0], left[0], right[0], x)
    elif len(free) == 2:
        _newton_two(rows, free, left, right, x)
    else:
        _newton_many(rows, free, left, right, x)


def _newton_one(rows: list[tuple], k: int, left: float, right: float, x: list[float]) -> None:
    """``_newton_many`` for a single free issue k, operation for operation, on plain floats.

    Each term's slope s on the cell is fixed; h is its value, updated along the steps.
    """
    terms = [(beta, s[0], h) for beta, s, h in rows]
    for _ in range(30):
        grad = hess = 0.0
        for beta, s, h in terms:
            w = beta / h
            grad += w * s
            hess -= w / h * s * s
        if not hess < 0:  # _solve_symmetric: no Newton step
            return
        step = -grad / hess
        xk = x[k]
        # longest step keeping x in the cell and every term positive; "t = b if b < t else t"
        # is min(t, b) without the call
        t = 1.0
        b = (right - xk) / step if step > 0 else (left - xk) / step if step < 0 else t
        t = b if b < t else t
        changes = [0.0 + s * step for _, s, _ in terms]  # as sum() of one product
        for dh, (_, _, h) in zip(changes, terms, strict=True):
            if dh < 0:
                b = 0.99 * h / -dh
                t = b if b < t else t
        x[k] = min(max(xk + t * step, left), right)
        terms = [(beta, s, h + t * dh) for (beta, s, h), dh in zip(terms, changes, strict=True)]
        if t < 1.0 or abs(step) <= 1e-15 * (1 + max(map(abs, x))):
            return


def _newton_two(rows: list[tuple], free: list[int], left: list[float], right: list[float],
                x: list[float]) -> None:
    """``_newton_many`` for two free issues, operation for operation, on plain floats."""
    (i, j), (left_i, left_j), (right_i, right_j) = free, left, right
    terms = [(beta, s[0], s[1], h) for beta, s, h in rows]
    for _ in range(30):
        g0 = g1 = h00 = h01 = h11 = 0.0
        for beta, s0, s1, h in terms:
            w = beta / h
            w2 = w / h
            g0 += w * s0
            h00 -= w2 * s0 * s0
            h01 -= w2 * s0 * s1
            g1 += w * s1
            h11 -= w2 * s1 * s1
        det = h00 * h11 - h01 * h01  # _solve_symmetric, n = 2
        if det <= 1e-12 * (h00 * h00 + h11 * h11):
            return
        d0, d1 = -(h11 * g0 - h01 * g1) / det, -(h00 * g1 - h01 * g0) / det
        t = 1.0  # as in _newton_one
        b = (right_i - x[i]) / d0 if d0 > 0 else (left_i - x[i]) / d0 if d0 < 0 else t
        t = b if b < t else t
        b = (right_j - x[j]) / d1 if d1 > 0 else (left_j - x[j]) / d1 if d1 < 0 else t
        t = b if b < t else t
        changes = [0.0 + s0 * d0 + s1 * d1 for _, s0, s1, _ in terms]  # as sum()
        for dh, (*_, h) in zip(changes, terms, strict=True):
            if dh < 0:
                b = 0.99 * h / -dh
                t = b if b < t else t
        x[i] = min(max(x[i] + t * d0, left_i), right_i)
        x[j] = min(max(x[j] + t * d1, left_j), right_j)
        terms = [(beta, s0, s1, h + t * dh)
                 for (beta, s0, s1, h), dh in zip(terms, changes, strict=True)]
        if t < 1.0 or max(abs(d0), abs(d1)) <= 1e-15 * (1 + max(map(abs, x))):
            return


def _newton_many(rows: list[tuple], free: list[int], left: list[float], right: list[float],
                 x: list[float]) -> None:
    """Damped Newton on the free issues; ``rows`` are (beta, slopes on the cell, value)."""
    n = len(free)
    for _ in range(30):
        grad = [0.0] * n
        hess = [[0.0] * n for _ in range(n)]
        for beta, s, h in rows:
            w = beta / h
            w2 = w / h
            for a in range(n):
                grad[a] += w * s[a]
                row = hess[a]
                for b in range(a, n):
                    row[b] -= w2 * s[a] * s[b]
        step = _solve_symmetric(hess, grad)
        if step is None:
            return
        t = 1.0  # longest step keeping x in the cell and every term positive
        for a, k in enumerate(free):
            if step[a] > 0:
                t = min(t, (right[a] - x[k]) / step[a])
            elif step[a] < 0:
                t = min(t, (left[a] - x[k]) / step[a])
        changes = [sum(sa * da for sa, da in zip(s, step, strict=True)) for _, s, _ in rows]
        for dh, (_, _, h) in zip(changes, rows, strict=True):
            if dh < 0:
                t = min(t, 0.99 * h / -dh)
        for a, k in enumerate(free):
            x[k] = min(max(x[k] + t * step[a], left[a]), right[a])
        rows = [(beta, s, h + t * dh) for (beta, s, h), dh in zip(rows, changes, strict=True)]
        if t < 1.0 or max(abs(d) for d in step) <= 1e-15 * (1 + max(map(abs, x))):
            return


def _solve_symmetric(hess: list[list[float]], grad: list[float]) -> list[float] | None:
    """The Newton step ``-H^-1 grad`` from the upper triangle of H; None when singular."""
    n = len(grad)
    if n == 1:
        return [-grad[0] / hess[0][0]] if hess[0][0] < 0 else None
    if n == 2:
        a, b, d = hess[0][0], hess[0][1], hess[1][1]
        det = a * d - b * b
        if det <= 1e-12 * (a * a + d * d):
            return None
        return [-(d * grad[0] - b * grad[1]) / det, -(a * grad[1] - b * grad[0]) / det]
    for a in range(n):
        for b in range(a):
            hess[a][b] = hess[b][a]
    return _solve_linear(hess, [-v for v in grad])


def _solve_linear(a: list[list[float]], b: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None when (nearly) singular."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    scale = max(abs(v) for row in a for v in row) or 1.0
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) <= 1e-12 * scale:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= f * m[col][c]
    out = [0.0] * n
    for r in range(n - 1, -1, -1):
        out[r] = (m[r][n] - sum(m[r][c] * out[c] for c in range(r + 1, n))) / m[r][r]
    return out


def _derivative(active: Sequence[tuple], y: float, right: bool) -> float:
    """One-sided derivative of ``sum beta log(C - g |y - p|)``; +-inf where a term is <= 0."""
    total = 0.0
    pos_inf = neg_inf = False
    for beta, big_c, g, p in active:
        s = g if (y < p or (y == p and not right)) else -g  # slope of -g |y - p| beside y
        h = big_c - g * abs(y - p)
        if h <= 0:
            pos_inf, neg_inf = pos_inf or s > 0, neg_inf or s < 0
        else:
            total += beta * s / h
    if pos_inf != neg_inf:
        return INF if pos_inf else -INF
    return total


def line_max(active: Sequence[tuple], lo: float, hi: float) -> float:
    """Exact maximiser over [lo, hi] of the concave ``sum beta log(C - g |y - p|)``.

    ``active``: (beta, C, g, p) per term. The derivative decreases, so we find
    the segment between breakpoints (the p's) where it changes sign.
    """
    cuts = sorted({p for _, _, _, p in active if lo < p < hi})
    points = [lo, *cuts, hi]
    if _derivative(active, lo, right=True) <= 0:
        return lo
    for i in range(len(points) - 1):
        a, b = points[i], points[i + 1]
        if _derivative(active, b, right=False) >= 0:
            if b == hi or _derivative(active, b, right=True) <= 0:
                return b
            continue
        return _root(active, a, b)
    return hi  # not reached: the last segment ends at hi


def _root(active: Sequence[tuple], a: float, b: float) -> float:
    """Zero of ``sum beta s/(e + s y)`` on (a, b), where every term is affine in y."""
    terms = []
    for beta, big_c, g, p in active:
        s = g if p >= b else -g
        terms.append((beta, big_c - g * abs(a - p) - s * a, s))  # h(y) = e + s y
    if len(terms) == 2:
        (b1, e1, s1), (b2, e2, s2) = terms
        y = -(b1 * s1 * e2 + b2 * s2 * e1) / ((b1 + b2) * s1 * s2)
    elif len(terms) == 3:
        y = _quadratic_root(terms, a, b)
    else:
        y = 0.5 * (a + b)
    return _polish(terms, a, b, y)


def _quadratic_root(terms: Sequence[tuple], a: float, b: float) -> float:
    """Three terms: multiply out to ``A2 y^2 + A1 y + A0 = 0`` and take the root in (a, b)."""
    (b1, e1, s1), (b2, e2, s2), (b3, e3, s3) = terms
    a2 = s1 * s2 * s3 * (b1 + b2 + b3)
    a1 = b1 * s1 * (e2 * s3 + e3 * s2) + b2 * s2 * (e1 * s3 + e3 * s1) + \
        b3 * s3 * (e1 * s2 + e2 * s1)
    a0 = b1 * s1 * e2 * e3 + b2 * s2 * e1 * e3 + b3 * s3 * e1 * e2
    disc = max(a1 * a1 - 4 * a2 * a0, 0.0)
    q = -0.5 * (a1 + math.copysign(math.sqrt(disc), a1))
    roots = [r for r in (q / a2 if a2 else None, a0 / q if q else None) if r is not None]
    mid = 0.5 * (a + b)
    return min(roots, key=lambda r: abs(r - min(max(r, a), b)) * 1e6 + abs(r - mid)) \
        if roots else mid


def _polish(terms: Sequence[tuple], a: float, b: float, y: float) -> float:
    """Newton on the decreasing derivative, kept inside [a, b]: one or two steps after a
    closed form, more (with bisection as a safeguard) from a midpoint."""
    lo, hi = a, b
    y = min(max(y, a), b)
    for _ in range(100):
        d = d2 = 0.0
        for beta, e, s in terms:
            h = e + s * y
            if h <= 0:
                d, d2 = (INF if s > 0 else -INF), 0.0
                break
            d += beta * s / h
            d2 -= beta * s * s / (h * h)
        if d > 0:
            lo = y
        elif d < 0:
            hi = y
        else:
            return y
        new = y - d / d2 if d2 < 0 and math.isfinite(d) else 0.5 * (lo + hi)
        if not lo <= new <= hi:
            new = 0.5 * (lo + hi)
        if abs(new - y) <= 2e-16 * (1 + abs(y)):
            return new
        y = new
    return y


# --- Concession walks along the Pareto frontier --------------------------------------------

Stop = Callable[[float, list[float], float, list[float]], float | None]


def walk(mover: tuple[float, Sequence[float], Sequence[float]],
         others: Sequence[tuple[float, float, Sequence[float], Sequence[float]]],
         lo: Sequence[float], hi: Sequence[float], stop: Stop) -> list[float]:
    """Start at the others' best deal and concede issues to ``mover``, cheapest first.

    ``mover`` is (c, g, p); ``others`` are (weight, c, g, p). Moving issue k by
    one unit toward the mover costs the others ``sum weight g`` per ``g`` the
    mover gains, so taking segments in order of that rate traces the Pareto
    frontier. Along a segment utilities change linearly;
    ``stop(f_mover, f_others, df_mover, df_others)`` returns the fraction of
    the segment at which to stop, or None to go on. Without a stop the walk
    ends at the mover's ideal (within the box).
    """
    c_m, g_m, p_m = mover
    x = [_weighted_median(k, others, lo[k], hi[k], p_m[k]) for k in range(len(lo))]
    f_m = value(c_m, g_m, p_m, x)
    f_o = [value(c, g, p, x) for _, c, g, p in others]
    segments = []
    for k in range(len(x)):
        target = _clip(p_m[k], lo[k], hi[k])
        if not g_m[k] or target == x[k]:
            continue
        up = target > x[k]
        cuts = sorted({_clip(p[k], lo[k], hi[k]) for _, _, _, p in others
                       if min(x[k], target) < p[k] < max(x[k], target)}, reverse=not up)
        points = [x[k], *cuts, target]
        for n in range(len(points) - 1):
            a, b = points[n], points[n + 1]
            behind = sum(w * g[k] for w, _, g, p in others if (p[k] <= a if up else p[k] >= a))
            ahead = sum(w * g[k] for w, _, g, p in others if (p[k] >= b if up else p[k] <= b))
            segments.append(((behind - ahead) / g_m[k], k, n, a, b))
    segments.sort()
    for _, k, _, a, b in segments:
        length = abs(b - a)
        df_m = g_m[k] * length
        df_o = [(-g[k] if (p[k] <= a if b > a else p[k] >= a) else g[k]) * length
                for _, _, g, p in others]
        frac = stop(f_m, f_o, df_m, df_o)
        if frac is not None:
            x[k] = a + (b - a) * min(max(frac, 0.0), 1.0)
            return x
        x[k] = b
        f_m += df_m
        f_o = [f + d for f, d in zip(f_o, df_o, strict=True)]
    return x


def _clip(v: float, lo: float, hi: float) -> float:
    return lo if v < lo else hi if v > hi else v


def _weighted_median(k: int, others: Sequence[tuple], lo: float, hi: float,
                     prefer: float) -> float:
    """The best value of issue k for the others (sum of w g |x - p| least), nearest ``prefer``
    among ties."""
    points = sorted((_clip(p[k], lo, hi), w * g[k]) for w, _, g, p in others if w * g[k] > 0)
    total = sum(w for _, w in points)
    if total <= 0:
        return _clip(prefer, lo, hi)
    acc = 0.0
    left = right = points[-1][0]
    for v, w in points:
        acc += w
        if acc >= total / 2 - 1e-15 * total:
            left = v
            break
    acc = 0.0
    for v, w in reversed(points):
        acc += w
        if acc >= total / 2 - 1e-15 * total:
            right = v
            break
    return _clip(prefer, min(left, right), max(left, right))


# --- Least-bad compromise: max over x of min_j f_j(x) --------------------------------------

def maxmin(terms: Sequence[Term], lo: Sequence[float], hi: Sequence[float]) \
        -> tuple[list[float], float]:
    """The deal whose worst-off term is best off: ``argmax_x min_j f_j(x)`` and that minimum.

    Exact for one or two terms (a walk along the frontier); for more, an
    interior-point path (barrier) with coordinate ascent, accurate to ~1e-9.
    """
    if len(terms) == 1:
        _, c, g, p = terms[0]
        x = [_clip(p[k], lo[k], hi[k]) for k in range(len(lo))]
        return x, value(c, g, p, x)
    if len(terms) == 2:
        return _maxmin_two(terms, lo, hi)
    return _maxmin_barrier(terms, lo, hi)


def _maxmin_two(terms: Sequence[Term], lo, hi) -> tuple[list[float], float]:
    """Walk from B's best deal toward A's until their gains are equal (or a walk end)."""
    (_, ca, ga, pa), (_, cb, gb, pb) = terms

    def stop(f_a, f_o, df_a, df_o):
        if f_a >= f_o[0]:
            return 0.0
        if f_a + df_a >= f_o[0] + df_o[0]:
            return (f_o[0] - f_a) / (df_a - df_o[0])
        return None

    x = walk((ca, ga, pa), [(1.0, cb, gb, pb)], lo, hi, stop)
    return x, min(value(ca, ga, pa, x), value(cb, gb, pb, x))


def _maxmin_barrier(terms: Sequence[Term], lo, hi) -> tuple[list[float], float]:
    """Maximise ``t + eps sum log(f_j - t)`` over (x, t) for shrinking eps.

    Its directional derivative is also separable, so coordinate ascent with the
    exact one-issue Nash step (constants shifted by t) reaches the optimum.
    """
    x = [_clip(0.5 * (lo[k] + hi[k]), lo[k], hi[k]) for k in range(len(lo))]
    t = min(value(c, g, p, x) for _, c, g, p in terms) - 1.0
    for eps in (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9):
        for _ in range(50):
            shifted = [(1.0, c - t, g, p) for _, c, g, p in terms]
            x_new = nash(shifted, lo, hi, x)
            vals = [value(c, g, p, x_new) for _, c, g, p in terms]
            t_new = _barrier_t(vals, eps, t)
            step = max(abs(a - b) for a, b in zip(x, x_new, strict=True))
            done = abs(t_new - t) <= 1e-13 and step <= 1e-13
            x, t = x_new, t_new
            if done:
                break
    return x, min(value(c, g, p, x) for _, c, g, p in terms)


def _barrier_t(vals: Sequence[float], eps: float, t: float) -> float:
    """The t < min(vals) with ``eps * sum 1/(v - t) = 1`` (bisection on a monotone function)."""
    top = min(vals)
    lo, hi = min(t, top - len(vals) * eps) - 1.0, top
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if eps * sum(1.0 / (v - mid) for v in vals) > 1:
            hi = mid
        else:
            lo = mid
    return lo
