"""The maths of proposals: Nash bargaining, least-bad compromise, and concession walks.

Every actor's utility is separable and piecewise linear (docs/model.md §2):
``f(x) = c - sum_k g[k] * |x[k] - p[k]|``, with ``g = weight / D`` and ``c``
its constant (1 minus its no-deal value, when we measure gains). A set of
*terms* is four arrays: ``beta`` (n), ``c`` (n), ``G`` (n x issues), ``P`` (n x issues).

Two facts make exact and fast solutions possible:

* Nash objective ``sum beta log f`` is concave and, because each ``f`` is a sum
  of one-issue functions, its directional derivative is a sum of one-issue
  parts. So a point no single-issue move can improve is the global maximum:
  coordinate ascent with exact one-issue steps finds it. Each one-issue step
  is a closed form (a linear or quadratic equation on the right segment).
* Moving issues from one party's ideal to another's in order of cheapest
  concession traces the Pareto frontier exactly (the ``walk``), which gives
  alternating offers and the two-party least-bad compromise in closed form.

These run at every talk round, so they are compiled (``sim.jit``); they are
written as plain loops over float arrays, and ``_max``/``_min`` keep Python's
``max``/``min`` tie rules so that the compiled code and its source agree to the bit.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.jit import inline, jit

INF = math.inf
MAX_SWEEPS = 500
# how a walk stops: at the mover's level, where two gains are equal, or at the mover's ideal
STOP_LEVEL, STOP_EQUAL, STOP_NEVER = 0, 1, 2


@jit
def _max(a, b):
    """Python's ``max(a, b)``: the first unless the second is larger."""
    return b if b > a else a


@jit
def _min(a, b):
    """Python's ``min(a, b)``: the first unless the second is smaller."""
    return b if b < a else a


@jit
def _clip(v, lo, hi):
    return lo if v < lo else hi if v > hi else v


@jit
def _sorted_unique(v, m):
    """Sort the first ``m`` values of ``v`` in place and drop repeats; return how many are
    left. What ``np.unique`` gives on finite values (a stable sort that keeps the first of
    equals), without its cost in compiled code (half a microsecond on a few values)."""
    for i in range(1, m):
        x, j = v[i], i
        while j > 0 and v[j - 1] > x:
            v[j] = v[j - 1]
            j -= 1
        v[j] = x
    u = 0
    for i in range(m):
        if u == 0 or v[i] != v[u - 1]:
            v[u] = v[i]
            u += 1
    return u


@jit
def _stable_order(keys, m):
    """The indices of the first ``m`` keys in increasing order, ties in index order (what
    ``np.argsort(kind="mergesort")`` gives on finite keys, without its cost)."""
    order = np.empty(m, np.int64)
    for i in range(m):
        j = i
        while j > 0 and keys[order[j - 1]] > keys[i]:
            order[j] = order[j - 1]
            j -= 1
        order[j] = i
    return order


@jit
def _absmax(x):
    """Python's ``max(map(abs, x))``."""
    m = abs(x[0])
    for k in range(1, x.shape[0]):
        m = _max(m, abs(x[k]))
    return m


@inline
def value(c, g, p, x):
    """``c - sum_k g_k |x_k - p_k|``."""
    v = c
    for k in range(x.shape[0]):
        if g[k] != 0.0:
            v -= g[k] * abs(x[k] - p[k])
    return v


@inline
def values(c, G, P, x):
    """Every term's ``value`` at ``x``."""
    out = np.empty(c.shape[0])
    for j in range(c.shape[0]):
        out[j] = value(c[j], G[j], P[j], x)
    return out


@jit
def nash_value(beta, c, G, P, x):
    """``sum beta log f`` at ``x``; -inf when a term with weight is not positive."""
    return _nash_value(beta, c, G, P, x, np.empty(0))


@jit
def _nash_value(beta, c, G, P, x, known):
    """``nash_value`` given the values at ``x`` of the first ``len(known)`` terms."""
    total = 0.0
    for j in range(beta.shape[0]):
        if beta[j] > 0:
            f = known[j] if j < known.shape[0] else value(c[j], G[j], P[j], x)
            if f <= 0:
                return -INF
            total += beta[j] * math.log(f)
    return total


# --- Nash bargaining: coordinate ascent with exact one-issue steps ------------------------

@jit
def nash(beta, c, G, P, lo, hi, x0):
    """Maximise ``sum beta log f(x)`` over the box, from a start where every f > 0.

    Newton settles the issues strictly inside a segment (the objective is
    smooth there); a check of one-sided derivatives then proves optimality,
    because the objective's directional derivative is a sum of one-issue
    parts. Where the check fails, a sweep of exact one-issue steps moves the
    issues across kinks (ideals, bounds) and we go again.
    """
    x = x0.copy()
    used = beta > 0
    beta, c, G, P = beta[used], c[used], G[used], P[used]
    for _ in range(MAX_SWEEPS):
        _newton(beta, c, G, P, lo, hi, x)
        if _optimal(beta, c, G, P, lo, hi, x):
            break
        _sweep(beta, c, G, P, lo, hi, x)
    return x


@jit
def _optimal(beta, c, G, P, lo, hi, x):
    """No single issue can move to improve: both one-sided derivatives point inward."""
    n = beta.shape[0]
    weights = values(c, G, P, x)
    for j in range(n):
        if weights[j] <= 0:
            return False
        weights[j] = beta[j] / weights[j]
    for k in range(x.shape[0]):
        xk = x[k]
        right = left = scale = 0.0
        for j in range(n):
            gk = G[j, k]
            if gk != 0.0:
                wg = weights[j] * gk  # and -weights[j] * gk is exactly -wg
                right += wg if xk < P[j, k] else -wg
                left += wg if xk <= P[j, k] else -wg
                scale += wg
        tol = 1e-9 * scale
        if (xk < hi[k] and right > tol) or (xk > lo[k] and left < -tol):
            return False
    return True


@jit
def _sweep(beta, c, G, P, lo, hi, x):
    """One pass of exact one-issue maximisation."""
    n = beta.shape[0]
    vals = values(c, G, P, x)
    act = np.empty((4, n))  # the terms that care about issue k: beta, C, g, p
    for k in range(x.shape[0]):
        if hi[k] <= lo[k]:
            continue
        xk = x[k]
        m = 0
        for j in range(n):
            if beta[j] > 0 and G[j, k] > 0:
                act[0, m], act[1, m] = beta[j], vals[j] + G[j, k] * abs(xk - P[j, k])
                act[2, m], act[3, m] = G[j, k], P[j, k]
                m += 1
        if m == 0:
            continue
        new = line_max(act[0, :m], act[1, :m], act[2, :m], act[3, :m], lo[k], hi[k])
        if new != xk:
            for j in range(n):
                if G[j, k] != 0.0:
                    vals[j] += G[j, k] * (abs(xk - P[j, k]) - abs(new - P[j, k]))
            x[k] = new


@jit
def _newton(beta, c, G, P, lo, hi, x):
    """Newton steps on the issues strictly inside a segment, staying inside that cell."""
    n, issues = G.shape
    free = np.empty(issues, np.int64)  # issues strictly inside a segment, and its ends
    left, right = np.empty(issues), np.empty(issues)
    m = 0
    for k in range(issues):
        xk, a, b = x[k], lo[k], hi[k]
        if not a < xk < b:
            continue
        on_kink = False
        for j in range(n):  # the cell: nearest kinks on either side
            if G[j, k] > 0:
                q = P[j, k]
                if q == xk:
                    on_kink = True
                    break
                if a < q < xk:
                    a = q
                elif xk < q < b:
                    b = q
        if not on_kink:
            free[m], left[m], right[m] = k, a, b
            m += 1
    if m == 0:
        return
    slopes, h = np.empty((n, m)), values(c, G, P, x)  # per term: slope on the cell, value
    for j in range(n):
        for i in range(m):
            k = free[i]
            slopes[j, i] = G[j, k] if x[k] < P[j, k] else -G[j, k]
    # one or two free issues are the common cases: written out on scalars, same arithmetic
    if m == 1:
        _newton_one(beta, slopes[:, 0], h, free[0], left[0], right[0], x)
    elif m == 2:
        _newton_two(beta, slopes, h, free[0], free[1], left[0], left[1], right[0], right[1], x)
    else:
        _newton_many(beta, slopes, h, free[:m], left[:m], right[:m], x)


@jit
def _newton_one(beta, s, h, k, left, right, x):
    """``_newton_many`` for a single free issue k, operation for operation."""
    n = beta.shape[0]
    changes = np.empty(n)
    for _ in range(30):
        grad = hess = 0.0
        for j in range(n):
            w = beta[j] / h[j]
            grad += w * s[j]
            hess -= w / h[j] * s[j] * s[j]
        if not hess < 0:  # _solve_symmetric: no Newton step
            return
        step = -grad / hess
        xk = x[k]
        # longest step keeping x in the cell and every term positive
        t = 1.0
        b = (right - xk) / step if step > 0 else (left - xk) / step if step < 0 else t
        t = _min(t, b)
        for j in range(n):
            changes[j] = 0.0 + s[j] * step  # as the sum of one product
            if changes[j] < 0:
                t = _min(t, 0.99 * h[j] / -changes[j])
        x[k] = _min(_max(xk + t * step, left), right)
        for j in range(n):
            h[j] = h[j] + t * changes[j]
        if t < 1.0 or abs(step) <= 1e-15 * (1 + _absmax(x)):
            return


@jit
def _newton_two(beta, s, h, i, k, left_i, left_k, right_i, right_k, x):
    """``_newton_many`` for two free issues i and k, operation for operation."""
    n = beta.shape[0]
    changes = np.empty(n)
    for _ in range(30):
        g0 = g1 = h00 = h01 = h11 = 0.0
        for j in range(n):
            s0, s1 = s[j, 0], s[j, 1]
            w = beta[j] / h[j]
            w2 = w / h[j]
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
        t = _min(t, b)
        b = (right_k - x[k]) / d1 if d1 > 0 else (left_k - x[k]) / d1 if d1 < 0 else t
        t = _min(t, b)
        for j in range(n):
            changes[j] = 0.0 + s[j, 0] * d0 + s[j, 1] * d1
            if changes[j] < 0:
                t = _min(t, 0.99 * h[j] / -changes[j])
        x[i] = _min(_max(x[i] + t * d0, left_i), right_i)
        x[k] = _min(_max(x[k] + t * d1, left_k), right_k)
        for j in range(n):
            h[j] = h[j] + t * changes[j]
        if t < 1.0 or _max(abs(d0), abs(d1)) <= 1e-15 * (1 + _absmax(x)):
            return


@jit
def _newton_many(beta, s, h, free, left, right, x):
    """Damped Newton on the free issues; per term its slopes on the cell and its value h."""
    n, m = s.shape
    changes = np.empty(n)
    for _ in range(30):
        grad, hess = np.zeros(m), np.zeros((m, m))
        for j in range(n):
            w = beta[j] / h[j]
            w2 = w / h[j]
            for a in range(m):
                grad[a] += w * s[j, a]
                for b in range(a, m):
                    hess[a, b] -= w2 * s[j, a] * s[j, b]
        ok, step = _solve_symmetric(hess, grad)
        if not ok:
            return
        t = 1.0  # longest step keeping x in the cell and every term positive
        for a in range(m):
            if step[a] > 0:
                t = _min(t, (right[a] - x[free[a]]) / step[a])
            elif step[a] < 0:
                t = _min(t, (left[a] - x[free[a]]) / step[a])
        for j in range(n):
            changes[j] = 0.0
            for a in range(m):
                changes[j] += s[j, a] * step[a]
        for j in range(n):
            if changes[j] < 0:
                t = _min(t, 0.99 * h[j] / -changes[j])
        for a in range(m):
            x[free[a]] = _min(_max(x[free[a]] + t * step[a], left[a]), right[a])
        for j in range(n):
            h[j] = h[j] + t * changes[j]
        if t < 1.0 or _absmax(step) <= 1e-15 * (1 + _absmax(x)):
            return


@jit
def _solve_symmetric(hess, grad):
    """The Newton step ``-H^-1 grad`` from the upper triangle of H; (False, _) if singular."""
    n = grad.shape[0]
    for a in range(n):
        for b in range(a):
            hess[a, b] = hess[b, a]
    return _solve_linear(hess, -grad)


@jit
def _solve_linear(a, b):
    """Gaussian elimination with partial pivoting; (False, _) when (nearly) singular."""
    n = b.shape[0]
    m = np.empty((n, n + 1))
    m[:, :n] = a
    m[:, n] = b
    scale = 0.0
    for r in range(n):
        for c in range(n):
            scale = _max(scale, abs(a[r, c]))
    scale = scale or 1.0
    out = np.zeros(n)
    for col in range(n):
        pivot = col  # the first row with the largest |entry|
        for r in range(col + 1, n):
            if abs(m[r, col]) > abs(m[pivot, col]):
                pivot = r
        if abs(m[pivot, col]) <= 1e-12 * scale:
            return False, out
        if pivot != col:
            row = m[col].copy()
            m[col], m[pivot] = m[pivot], row
        for r in range(col + 1, n):
            f = m[r, col] / m[col, col]
            for c in range(col, n + 1):
                m[r, c] -= f * m[col, c]
    for r in range(n - 1, -1, -1):
        done = 0.0
        for c in range(r + 1, n):
            done += m[r, c] * out[c]
        out[r] = (m[r, n] - done) / m[r, r]
    return True, out


@jit
def _derivative(beta, big_c, g, p, y, right):
    """One-sided derivative of ``sum beta log(C - g |y - p|)``; +-inf where a term is <= 0."""
    total = 0.0
    pos_inf = neg_inf = False
    for j in range(beta.shape[0]):
        s = g[j] if (y < p[j] or (y == p[j] and not right)) else -g[j]  # slope beside y
        h = big_c[j] - g[j] * abs(y - p[j])
        if h <= 0:
            pos_inf, neg_inf = pos_inf or s > 0, neg_inf or s < 0
        else:
            total += beta[j] * s / h
    if pos_inf != neg_inf:
        return INF if pos_inf else -INF
    return total


@jit
def line_max(beta, big_c, g, p, lo, hi):
    """Exact maximiser over [lo, hi] of the concave ``sum beta log(C - g |y - p|)``.

    One term per array entry. The derivative decreases, so we find the segment
    between breakpoints (the p's) where it changes sign.
    """
    cuts = p.copy()
    points = np.empty(p.shape[0] + 2)
    points[0], m = lo, 1
    for i in range(_sorted_unique(cuts, cuts.shape[0])):
        if lo < cuts[i] < hi:
            points[m] = cuts[i]
            m += 1
    points[m] = hi
    if _derivative(beta, big_c, g, p, lo, True) <= 0:
        return lo
    for i in range(m):
        a, b = points[i], points[i + 1]
        if _derivative(beta, big_c, g, p, b, False) >= 0:
            if b == hi or _derivative(beta, big_c, g, p, b, True) <= 0:
                return b
            continue
        return _root(beta, big_c, g, p, a, b)
    return hi  # not reached: the last segment ends at hi


@jit
def _root(beta, big_c, g, p, a, b):
    """Zero of ``sum beta s/(e + s y)`` on (a, b), where every term is affine in y."""
    n = beta.shape[0]
    e, s = np.empty(n), np.empty(n)
    for j in range(n):
        s[j] = g[j] if p[j] >= b else -g[j]
        e[j] = big_c[j] - g[j] * abs(a - p[j]) - s[j] * a  # h(y) = e + s y
    if n == 2:
        b1, e1, s1, b2, e2, s2 = beta[0], e[0], s[0], beta[1], e[1], s[1]
        y = -(b1 * s1 * e2 + b2 * s2 * e1) / ((b1 + b2) * s1 * s2)
    elif n == 3:
        y = _quadratic_root(beta, e, s, a, b)
    else:
        y = 0.5 * (a + b)
    return _polish(beta, e, s, a, b, y)


@jit
def _quadratic_root(beta, e, s, a, b):
    """Three terms: multiply out to ``A2 y^2 + A1 y + A0 = 0`` and take the root in (a, b)."""
    b1, b2, b3 = beta[0], beta[1], beta[2]
    e1, e2, e3 = e[0], e[1], e[2]
    s1, s2, s3 = s[0], s[1], s[2]
    a2 = s1 * s2 * s3 * (b1 + b2 + b3)
    a1 = b1 * s1 * (e2 * s3 + e3 * s2) + b2 * s2 * (e1 * s3 + e3 * s1) + \
        b3 * s3 * (e1 * s2 + e2 * s1)
    a0 = b1 * s1 * e2 * e3 + b2 * s2 * e1 * e3 + b3 * s3 * e1 * e2
    disc = _max(a1 * a1 - 4 * a2 * a0, 0.0)
    q = -0.5 * (a1 + math.copysign(math.sqrt(disc), a1))
    mid = 0.5 * (a + b)
    roots = np.array([q / a2 if a2 else 0.0, a0 / q if q else 0.0])
    exists = (a2 != 0, q != 0)
    best, best_key, found = mid, 0.0, False  # nearest (a, b), then its middle; first wins
    for i in range(2):
        r = roots[i]
        key = abs(r - _min(_max(r, a), b)) * 1e6 + abs(r - mid)
        if exists[i] and (not found or key < best_key):
            best, best_key, found = r, key, True
    return best


@jit
def _polish(beta, e, s, a, b, y):
    """Newton on the decreasing derivative, kept inside [a, b]: one or two steps after a
    closed form, more (with bisection as a safeguard) from a midpoint."""
    lo, hi = a, b
    y = _min(_max(y, a), b)
    for _ in range(100):
        d = d2 = 0.0
        for j in range(beta.shape[0]):
            h = e[j] + s[j] * y
            if h <= 0:
                d, d2 = (INF if s[j] > 0 else -INF), 0.0
                break
            d += beta[j] * s[j] / h
            d2 -= beta[j] * s[j] * s[j] / (h * h)
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

@inline
def _stop(mode, level, f_m, f_o, df_m, df_o):
    """The fraction of a segment at which a walk stops, or -1 to go on.

    STOP_LEVEL: where the mover's utility reaches ``level``; STOP_EQUAL: where the
    mover's gain reaches the first other's; STOP_NEVER: at the walk's end.
    """
    if mode == STOP_LEVEL:
        if f_m >= level:
            return 0.0
        return (level - f_m) / df_m if f_m + df_m >= level else -1.0
    if mode == STOP_EQUAL:
        if f_m >= f_o[0]:
            return 0.0
        if f_m + df_m >= f_o[0] + df_o[0]:
            return (f_o[0] - f_m) / (df_m - df_o[0])
    return -1.0


@jit
def walk(c_m, g_m, p_m, w, c, G, P, lo, hi, mode, level):
    """Start at the others' best deal and concede issues to the mover, cheapest first.

    The mover's utility is ``(c_m, g_m, p_m)``; the others' are terms weighted by
    ``w``. Moving issue k by one unit toward the mover costs the others ``sum w g``
    per ``g`` the mover gains, so taking segments in order of that rate traces the
    Pareto frontier. Along a segment utilities change linearly; ``mode`` says
    where the walk stops (``_stop``). Without a stop it ends at the mover's ideal
    (within the box).
    """
    n, issues = G.shape
    x = np.empty(issues)
    for k in range(issues):
        x[k] = _weighted_median(w, G[:, k], P[:, k], lo[k], hi[k], p_m[k])
    f_m, f_o = value(c_m, g_m, p_m, x), values(c, G, P, x)
    # the segments, in the order made: at most n + 1 per issue
    rates, seg_a, seg_b = np.empty(issues * (n + 1)), np.empty(issues * (n + 1)), \
        np.empty(issues * (n + 1))
    seg_k = np.empty(issues * (n + 1), np.int64)
    points = np.empty(n + 2)
    made = 0
    for k in range(issues):
        target = _clip(p_m[k], lo[k], hi[k])
        if not g_m[k] or target == x[k]:
            continue
        up = target > x[k]
        m = 0  # the others' ideals strictly between, sorted, without repeats
        for j in range(n):
            if _min(x[k], target) < P[j, k] < _max(x[k], target):
                points[1 + m] = _clip(P[j, k], lo[k], hi[k])
                m += 1
        m = _sorted_unique(points[1:], m)
        if not up:
            points[1:1 + m] = points[m:0:-1].copy()
        points[0], points[1 + m] = x[k], target
        for i in range(m + 1):
            a, b = points[i], points[i + 1]
            behind = ahead = 0.0
            for j in range(n):
                if P[j, k] <= a if up else P[j, k] >= a:
                    behind += w[j] * G[j, k]
                if P[j, k] >= b if up else P[j, k] <= b:
                    ahead += w[j] * G[j, k]
            rates[made], seg_k[made], seg_a[made], seg_b[made] = (behind - ahead) / g_m[k], k, \
                a, b
            made += 1
    # by rate, ties in the order made (issue, then segment): a stable sort
    order = _stable_order(rates, made)
    df_o = np.empty(n)
    for i in order:
        k, a, b = seg_k[i], seg_a[i], seg_b[i]
        length = abs(b - a)
        df_m = g_m[k] * length
        for j in range(n):
            toward = P[j, k] <= a if b > a else P[j, k] >= a
            df_o[j] = (-G[j, k] if toward else G[j, k]) * length
        frac = _stop(mode, level, f_m, f_o, df_m, df_o)
        if frac != -1.0:  # (a NaN stops, as None would not)
            x[k] = a + (b - a) * _min(_max(frac, 0.0), 1.0)
            return x
        x[k] = b
        f_m += df_m
        for j in range(n):
            f_o[j] = f_o[j] + df_o[j]
    return x


@jit
def _weighted_median(w, g, p, lo, hi, prefer):
    """The best value of one issue for the others (sum of w g |x - p| least), nearest
    ``prefer`` among ties. ``w``, ``g``, ``p``: per other, its weight, slope and ideal."""
    n = w.shape[0]
    vs, ws = np.empty(n), np.empty(n)
    m = 0
    for j in range(n):
        if w[j] * g[j] > 0:  # insert (value, weight) in sorted order
            v, wg = _clip(p[j], lo, hi), w[j] * g[j]
            i = m
            while i > 0 and (vs[i - 1] > v or (vs[i - 1] == v and ws[i - 1] > wg)):
                vs[i], ws[i] = vs[i - 1], ws[i - 1]
                i -= 1
            vs[i], ws[i] = v, wg
            m += 1
    total = 0.0
    for i in range(m):
        total += ws[i]
    if total <= 0:
        return _clip(prefer, lo, hi)
    half = total / 2 - 1e-15 * total
    left = right = vs[m - 1]
    acc = 0.0
    for i in range(m):
        acc += ws[i]
        if acc >= half:
            left = vs[i]
            break
    acc = 0.0
    for i in range(m - 1, -1, -1):
        acc += ws[i]
        if acc >= half:
            right = vs[i]
            break
    return _clip(prefer, _min(left, right), _max(left, right))


# --- Least-bad compromise: max over x of min_j f_j(x) --------------------------------------

@jit
def maxmin(c, G, P, lo, hi):
    """The deal whose worst-off term is best off: ``argmax_x min_j f_j(x)`` and that minimum.

    Exact for one or two terms (a walk along the frontier); for more, an
    interior-point path (barrier) with coordinate ascent, accurate to ~1e-9.
    """
    if c.shape[0] == 1:
        x = np.empty(lo.shape[0])
        for k in range(x.shape[0]):
            x[k] = _clip(P[0, k], lo[k], hi[k])
        return x, value(c[0], G[0], P[0], x)
    if c.shape[0] == 2:  # walk from B's best deal toward A's until their gains are equal
        x = walk(c[0], G[0], P[0], np.ones(1), c[1:], G[1:], P[1:], lo, hi, STOP_EQUAL, 0.0)
        return x, _min(value(c[0], G[0], P[0], x), value(c[1], G[1], P[1], x))
    return _maxmin_barrier(c, G, P, lo, hi)


@jit
def _worst(c, G, P, x):
    """Python's ``min(value(...) for each term)``."""
    low = value(c[0], G[0], P[0], x)
    for j in range(1, c.shape[0]):
        low = _min(low, value(c[j], G[j], P[j], x))
    return low


@jit
def _maxmin_barrier(c, G, P, lo, hi):
    """Maximise ``t + eps sum log(f_j - t)`` over (x, t) for shrinking eps.

    Its directional derivative is also separable, so coordinate ascent with the
    exact one-issue Nash step (constants shifted by t) reaches the optimum.
    """
    n = c.shape[0]
    x = np.empty(lo.shape[0])
    for k in range(x.shape[0]):
        x[k] = _clip(0.5 * (lo[k] + hi[k]), lo[k], hi[k])
    t = _worst(c, G, P, x) - 1.0
    ones = np.ones(n)
    for eps in (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9):
        for _ in range(50):
            x_new = nash(ones, c - t, G, P, lo, hi, x)
            t_new = _barrier_t(values(c, G, P, x_new), eps, t)
            step = abs(x[0] - x_new[0])
            for k in range(1, x.shape[0]):
                step = _max(step, abs(x[k] - x_new[k]))
            done = abs(t_new - t) <= 1e-13 and step <= 1e-13
            x, t = x_new, t_new
            if done:
                break
    return x, _worst(c, G, P, x)


@jit
def _barrier_t(vals, eps, t):
    """The t < min(vals) with ``eps * sum 1/(v - t) = 1`` (bisection on a monotone function)."""
    top = vals[0]
    for j in range(1, vals.shape[0]):
        top = _min(top, vals[j])
    lo, hi = _min(t, top - vals.shape[0] * eps) - 1.0, top
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid == lo or mid == hi:
            break
        total = 0.0
        for v in vals:
            total += 1.0 / (v - mid)
        if eps * total > 1:
            hi = mid
        else:
            lo = mid
    return lo
