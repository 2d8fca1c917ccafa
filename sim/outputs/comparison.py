"""Compare finished runs side by side: ``compare`` and ``peacesim compare``.

Everything comes from the saved files of each run (outcomes.csv, the scenario,
the manifest); nothing is rerun. The first run is the baseline and every
other run is set against it:

* P(agreement): the difference of proportions p_run - p_baseline with a 95%
  interval by Newcombe's hybrid score method (Newcombe 1998, method 10; see
  ``sim.stats.difference``), built from the two Wilson intervals.
* The median agreed value of each issue, and the median day of agreement: the
  difference of medians with a 95% percentile bootstrap interval, resampling
  the agreements of each run independently (``RESAMPLES`` resamples, fixed
  seeds, so the same runs always give the same numbers).

Both methods treat the runs as independent samples. Runs made with the same
seed share their random numbers (common random numbers), which makes them
positively correlated; for them these intervals are conservative (too wide),
never too narrow.

Runs are only compared on the same issues (same names and ranges); otherwise
the terms would mean different things and ``compare`` refuses.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from sim.engine.records import OUTCOMES
from sim.errors import PeacesimError
from sim.outputs.figures import save
from sim.studies import stats
from sim.studies.results import Results

RESAMPLES = 2000  # bootstrap resamples per interval: percentiles stable to about 0.01 of a s.e.
SEED = 20_260_217  # root seed of the bootstrap; fixed so that output is deterministic
_CELLS = 4_000_000  # most indices drawn at once, to bound memory for runs with many agreements
CURVES, OUTCOME_BARS, TERMS = "agreement_curves.png", "outcomes.png", "terms.png"
TABLE, PAGE = "comparison.csv", "comparison.md"
NOT_FORECASTS = ("These runs explore the assumptions written in their scenarios; they are "
                 "not forecasts.")
NONE = "–"  # shown for a number that does not exist (no agreements, or the baseline itself)


@dataclass(frozen=True, eq=False)  # eq=False: a DataFrame has no single truth value
class Comparison:
    """The result of ``compare``: the runs' labels, the table of differences against the
    first run (the baseline), and the figures written (none without ``out``).

    ``str()`` renders the table as plain text, as ``peacesim compare`` prints it.
    """

    labels: tuple[str, ...]
    table: pd.DataFrame
    figures: list[Path]
    folder: Path | None = None
    sources: tuple[Path | None, ...] = ()  # the run folders compared (None: in memory)

    def __str__(self) -> str:
        return _text(self)


@dataclass(frozen=True, eq=False)
class _Run:
    """What the comparison needs from one finished run, read once from its outcomes."""

    label: str
    results: Results
    n: int  # replications
    agreements: int
    days: np.ndarray  # day of each agreement
    terms: dict[str, np.ndarray]  # agreed value of each issue, one per agreement
    counts: dict[str, int]  # replications ending in each outcome


# --- the public function ---------------------------------------------------------------------

def compare(runs: Sequence[str | Path | Results], out: str | Path | None = None,
            labels: Sequence[str] | None = None) -> Comparison:
    """Compare finished runs (folders or ``Results``) with the first one, the baseline.

    Returns a ``Comparison`` whose ``table`` has one row per run, the baseline
    first (see ``table_columns`` for the columns and the module docstring for
    the statistics). With ``out``, also writes a new folder holding
    agreement_curves.png, outcomes.png, terms.png, comparison.csv and
    comparison.md; an existing folder is refused, never overwritten.

    Raises ``PeacesimError`` for fewer than two runs, bad labels, runs on
    different issues, or an existing ``out``; ``sim.studies.folders.FolderError`` (a
    PeacesimError) for a folder that is not a finished run.
    """
    if isinstance(runs, str | Path | Results):
        raise PeacesimError("compare takes a list of at least two runs, not a single run")
    if len(runs) < 2:
        raise PeacesimError(f"compare needs at least two runs, got {len(runs)}; the first is "
                            "the baseline the others are compared with")
    out = None if out is None else Path(out)
    if out is not None and out.exists():  # refuse before any work; results are never overwritten
        raise PeacesimError(f"{out}: already exists; peacesim never overwrites results "
                            "(choose another output folder)")
    loaded = [r if isinstance(r, Results) else Results.load(r) for r in runs]
    folders = [r.folder.resolve() for r in loaded if r.folder is not None]
    twice = sorted({str(f) for f in folders if folders.count(f) > 1})
    if twice:
        raise PeacesimError(f"the same run is given twice: {', '.join(twice)}; compare "
                            "different runs")
    names = _labels(loaded, labels)
    check_issues(loaded, names)
    issues = list(loaded[0].scenario.issues)
    sample = [_read(label, res, issues) for label, res in zip(names, loaded, strict=True)]
    table = difference_table(sample, issues)
    comparison = Comparison(tuple(names), table, [], None, tuple(r.folder for r in loaded))
    if out is None:
        return comparison
    figures = _write(out, sample, comparison)
    return Comparison(comparison.labels, table, figures, out, comparison.sources)


# --- checks and labels -----------------------------------------------------------------------

def _labels(runs: Sequence[Results], labels: Sequence[str] | None) -> list[str]:
    """The given labels (checked), or the scenario names made unique."""
    if labels is None:
        return default_labels(runs)
    labels = list(labels)
    if len(labels) != len(runs):
        raise PeacesimError(f"got {len(labels)} labels for {len(runs)} runs; give one per run")
    if any(not isinstance(label, str) or not label.strip() for label in labels):
        raise PeacesimError("labels must be non-empty text")
    repeated = sorted(label for label, c in Counter(labels).items() if c > 1)
    if repeated:
        raise PeacesimError(f"labels must differ, repeated: {', '.join(repeated)}")
    return labels


def default_labels(runs: Sequence[Results]) -> list[str]:
    """Scenario names; runs sharing one get their folder name appended (``#k`` if that does
    not tell them apart either, e.g. for results in memory)."""
    names = [r.scenario.name for r in runs]
    shared = Counter(names)
    wanted = [f"{name} ({r.folder.name})" if shared[name] > 1 and r.folder is not None else name
              for name, r in zip(names, runs, strict=True)]
    labels: list[str] = []
    for label in wanted:
        unique, k = label, 1
        while unique in labels:
            k += 1
            unique = f"{label} #{k}"
        labels.append(unique)
    return labels


def check_issues(runs: Sequence[Results], labels: Sequence[str]) -> None:
    """Refuse runs whose issues differ from the baseline's in names or ranges: their agreed
    terms would not measure the same things."""
    base = runs[0].scenario.issues
    for label, run in zip(labels[1:], runs[1:], strict=True):
        problems = _issue_differences(labels[0], base, label, run.scenario.issues)
        if problems:
            raise PeacesimError(f"cannot compare {labels[0]} and {label}: "
                                f"{'; '.join(problems)}; terms are only comparable on the "
                                "same issues")


def _issue_differences(name_a: str, a: dict, name_b: str, b: dict) -> list[str]:
    """How two issue dicts differ, one phrase per kind of difference (empty if they agree)."""
    problems = []
    only_a, only_b = [k for k in a if k not in b], [k for k in b if k not in a]
    if only_a or only_b:
        parts = [f"only in {n}: {', '.join(ks)}" for n, ks in ((name_a, only_a),
                                                              (name_b, only_b)) if ks]
        problems.append(f"issue sets differ ({'; '.join(parts)})")
    ranges = [f"{k}: [{a[k].range[0]:g}, {a[k].range[1]:g}] in {name_a}, "
              f"[{b[k].range[0]:g}, {b[k].range[1]:g}] in {name_b}"
              for k in a if k in b and tuple(a[k].range) != tuple(b[k].range)]
    if ranges:
        problems.append(f"issue ranges differ ({'; '.join(ranges)})")
    return problems


def _read(label: str, results: Results, issues: Sequence[str]) -> _Run:
    """The agreements, days and outcome counts of one run, from its outcomes table."""
    table = results.outcomes
    needed = ["outcome", "day", *(f"deal.{k}" for k in issues)]
    missing = [c for c in needed if c not in table.columns]
    where = results.folder or label
    if missing:
        raise PeacesimError(f"{where}: outcomes.csv lacks the columns {', '.join(missing)}")
    if len(table) == 0:
        raise PeacesimError(f"{where}: outcomes.csv has no replications")
    outcome = table["outcome"].astype(str)
    agreed = table[outcome == "agreement"]
    return _Run(label=label, results=results, n=len(table), agreements=len(agreed),
                days=agreed["day"].to_numpy(dtype=float),
                terms={k: agreed[f"deal.{k}"].to_numpy(dtype=float) for k in issues},
                counts=dict(Counter(outcome)))


# --- the table -------------------------------------------------------------------------------

def table_columns(issues: Sequence[str]) -> list[str]:
    """Columns of the difference table, in order.

    ``run`` label, ``runs`` replications, ``agreements`` (how many ended in
    one), ``p_agreement``; ``diff_p_agreement``, ``diff_lo``, ``diff_hi``: p_run
    - p_baseline and its 95% Newcombe interval; ``significant``: that interval
    excludes 0. Per issue: ``median.<issue>`` of the agreed values and
    ``diff_median[_lo|_hi].<issue>``, the difference from the baseline's median
    with its 95% bootstrap interval; the same for the day of agreement
    (``median_days``, ``diff_median_days[_lo|_hi]``).
    """
    columns = ["run", "runs", "agreements", "p_agreement", "diff_p_agreement", "diff_lo",
               "diff_hi", "significant"]
    for k in issues:
        columns += [f"median.{k}", f"diff_median.{k}", f"diff_median_lo.{k}",
                    f"diff_median_hi.{k}"]
    return [*columns, "median_days", "diff_median_days", "diff_median_days_lo",
            "diff_median_days_hi"]


def difference_table(runs: Sequence[_Run], issues: Sequence[str]) -> pd.DataFrame:
    """One row per run, the baseline (first) included with differences 0 and no intervals."""
    rows = [_row(runs[0], run, i, issues) for i, run in enumerate(runs)]
    return pd.DataFrame(rows, columns=table_columns(issues))


def _row(base: _Run, run: _Run, index: int, issues: Sequence[str]) -> dict:
    row: dict = {"run": run.label, "runs": run.n, "agreements": run.agreements,
                 "p_agreement": run.agreements / run.n}
    if index == 0:
        row.update(diff_p_agreement=0.0, diff_lo=math.nan, diff_hi=math.nan, significant=False)
    else:
        d, lo, hi = stats.difference(base.agreements, base.n, run.agreements, run.n)
        row.update(diff_p_agreement=d, diff_lo=lo, diff_hi=hi, significant=bool(lo > 0 or hi < 0))
    # each cell gets its own seed, so a number does not depend on which others are computed
    for j, k in enumerate(issues):
        cells = _median_cells(base.terms[k], run.terms[k], index, (SEED, index, j))
        row.update(zip((f"median.{k}", f"diff_median.{k}", f"diff_median_lo.{k}",
                        f"diff_median_hi.{k}"), cells, strict=True))
    cells = _median_cells(base.days, run.days, index, (SEED, index, len(issues)))
    row.update(zip(("median_days", "diff_median_days", "diff_median_days_lo",
                    "diff_median_days_hi"), cells, strict=True))
    return row


def _median_cells(base: np.ndarray, values: np.ndarray, index: int,
                  seed: tuple[int, ...]) -> tuple[float, float, float, float]:
    """(median, difference from the baseline's median, its 95% interval)."""
    median = float(np.median(values)) if len(values) else math.nan
    if index == 0:
        return median, (0.0 if len(values) >= 2 else math.nan), math.nan, math.nan
    return (median, *median_difference(base, values, seed))


def median_difference(base: np.ndarray, values: np.ndarray, seed: int | Sequence[int] = SEED,
                      resamples: int = RESAMPLES) -> tuple[float, float, float]:
    """median(values) - median(base) with a 95% percentile bootstrap interval.

    Each sample is resampled with replacement, independently, ``resamples``
    times; the interval is the 2.5th and 97.5th percentiles of the resampled
    differences. NaN when either sample has fewer than 2 values (no spread to
    resample).
    """
    base, values = np.asarray(base, dtype=float), np.asarray(values, dtype=float)
    if len(base) < 2 or len(values) < 2:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    diffs = _resampled_medians(values, rng, resamples) - _resampled_medians(base, rng, resamples)
    lo, hi = np.quantile(diffs, [0.025, 0.975])
    return float(np.median(values) - np.median(base)), float(lo), float(hi)


def _resampled_medians(values: np.ndarray, rng: np.random.Generator,
                       resamples: int) -> np.ndarray:
    """Medians of ``resamples`` bootstrap resamples of ``values``, drawn in blocks."""
    n = len(values)
    block = max(1, _CELLS // n)
    medians = np.empty(resamples)
    for start in range(0, resamples, block):
        stop = min(resamples, start + block)
        medians[start:stop] = np.median(values[rng.integers(0, n, size=(stop - start, n))],
                                        axis=1)
    return medians


# --- text: the table as people read it -------------------------------------------------------

def _cells(table: pd.DataFrame) -> list[list[str]]:
    """The table transposed (one column per run), numbers formatted, for text and Markdown."""
    issues = [c.removeprefix("median.") for c in table.columns if c.startswith("median.")]
    rows = [["", *table["run"]], ["replications", *(str(n) for n in table["runs"])]]
    rows.append(["P(agreement) [95% CI]",
                 *(_with_interval(k / n, *stats.wilson(int(k), int(n)), "{:.3f}")
                   for k, n in zip(table["agreements"], table["runs"], strict=True))])
    rows.append(["  difference", *_diffs(table, "diff_p_agreement", "diff_lo", "diff_hi",
                                         "{:+.3f}", table["significant"])])
    for k in issues:
        rows.append([f"median {k}", *(_number(v) for v in table[f"median.{k}"])])
        rows.append(["  difference", *_diffs(table, f"diff_median.{k}", f"diff_median_lo.{k}",
                                             f"diff_median_hi.{k}", "{:+.3g}")])
    rows.append(["median day of agreement", *(_number(v) for v in table["median_days"])])
    rows.append(["  difference", *_diffs(table, "diff_median_days", "diff_median_days_lo",
                                         "diff_median_days_hi", "{:+.3g}")])
    return rows


def _diffs(table: pd.DataFrame, d: str, lo: str, hi: str, fmt: str,
           significant: pd.Series | None = None) -> list[str]:
    """Difference cells: "baseline" first, then each difference with its interval, a star
    when the interval excludes 0."""
    cells = ["baseline"]
    for i in range(1, len(table)):
        row = table.iloc[i]
        cell = _with_interval(row[d], row[lo], row[hi], fmt)
        excludes = significant.iloc[i] if significant is not None else \
            bool(row[lo] > 0 or row[hi] < 0)
        cells.append(cell + (" *" if excludes else ""))
    return cells


def _with_interval(value: float, lo: float, hi: float, fmt: str) -> str:
    if any(isinstance(v, float) and math.isnan(v) for v in (value, lo, hi)):
        return NONE
    return f"{fmt.format(value)} [{fmt.format(lo)}, {fmt.format(hi)}]"


def _number(value: float) -> str:
    return NONE if math.isnan(value) else f"{value:.4g}"


def _legend() -> list[str]:
    """What the numbers mean, printed under the table."""
    return [
        "Differences are run minus baseline (the first run), with 95% intervals: Newcombe's "
        "hybrid score method for P(agreement), percentile bootstrap "
        f"({RESAMPLES} resamples of each run's agreements) for medians.",
        f"* the interval excludes 0. {NONE} no value (fewer than 2 agreements for a "
        "difference). Days count from day 0 of each scenario.",
        NOT_FORECASTS,
    ]


def _text(comparison: Comparison) -> str:
    """Plain text: the runs with their folders, the transposed table, and its legend."""
    rows = _cells(comparison.table)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"Comparison of {len(comparison.labels)} runs (baseline: {comparison.labels[0]})"]
    for label, source in zip(comparison.labels, comparison.sources, strict=False):
        lines.append(f"  {label}: {source if source is not None else 'in memory'}")
    lines.append("")
    lines += ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
              for row in rows]
    return "\n".join([*lines, "", *_legend()])


# --- files -----------------------------------------------------------------------------------

def _write(out: Path, runs: Sequence[_Run], comparison: Comparison) -> list[Path]:
    """Create ``out`` (never an existing folder) and write the figures, CSV and page into it;
    on failure remove what was written, so there is no half-finished folder."""
    try:
        out.mkdir(parents=True)
    except FileExistsError:  # created since the check at the start
        raise PeacesimError(f"{out}: already exists; peacesim never overwrites results") \
            from None
    except OSError as exc:
        raise PeacesimError(f"{out}: cannot create the folder: {exc.strerror}") from None
    try:
        figures = [draw_curves(runs, out / CURVES), draw_outcomes(runs, out / OUTCOME_BARS),
                   draw_terms(runs, out / TERMS)]
        comparison.table.to_csv(out / TABLE, index=False)
        (out / PAGE).write_text(_page(runs, comparison, figures), encoding="utf-8")
    except BaseException:
        for path in out.iterdir():
            path.unlink()
        out.rmdir()
        raise
    return figures


def _page(runs: Sequence[_Run], comparison: Comparison, figures: Sequence[Path]) -> str:
    """comparison.md: the runs and their folders, the table, the figures, and the caveat."""
    lines = [f"# Comparison of {len(runs)} runs", "", NOT_FORECASTS, "", "## Runs", "",
             "The first run is the baseline; every difference is a run minus the baseline.", "",
             "| run | scenario | folder | replications | seed | horizon (days) | day 0 |",
             "|---|---|---|---:|---:|---:|---|"]
    for run in runs:
        sc, folder = run.results.scenario, run.results.folder
        lines.append(f"| {_md(run.label)} | {_md(sc.name)} | "
                     f"{f'`{folder}`' if folder is not None else 'in memory'} | {run.n} | "
                     f"{run.results.manifest.get('seed', NONE)} | {sc.horizon_days:g} | "
                     f"{sc.start or NONE} |")
    issues = runs[0].results.scenario.issues
    lines += ["", "Issues: " + "; ".join(f"{k} ({i.label or k}, {i.range[0]:g} to "
                                         f"{i.range[1]:g})" for k, i in issues.items()) + ".",
              "", "## Differences from the baseline", ""]
    rows = _cells(comparison.table)
    lines += [_md_row(["", *rows[0][1:]]), _md_row(["---", *(["---:"] * (len(rows[0]) - 1))])]
    lines += [_md_row(row) for row in rows[1:]]
    lines += ["", *(_legend()[:2]), "", f"Every number at full precision: [{TABLE}]({TABLE}).",
              "", "## Figures", ""]
    captions = {CURVES: "Cumulative probability of agreement over time",
                OUTCOME_BARS: "Outcome shares per run", TERMS: "Agreed terms per issue"}
    for path in figures:
        lines += [f"![{captions[path.name]}]({path.name})", ""]
    return "\n".join(lines)


def _md(text: str) -> str:
    return str(text).replace("|", "\\|")


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_md(c) for c in cells) + " |"


# --- figures ---------------------------------------------------------------------------------

def _colour(i: int) -> tuple:
    """The same colour for a run in every figure."""
    return colormaps["tab10"](i % 10)


def _save(fig: Figure, path: Path) -> Path:
    fig.supxlabel("An exploration of the scenarios' assumptions, not a forecast.",
                  fontsize=8.5, color="0.35", style="italic")
    return save(fig, path, dpi=120)


def _start(runs: Sequence[_Run]) -> datetime.date | None:
    """Day 0 as a calendar date, when every run has the same one (else days are shown)."""
    starts = {run.results.scenario.start for run in runs}
    return starts.pop() if len(starts) == 1 else None


def _curve(run: _Run, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """Step points (day, agreements by that day) from day 0 to ``horizon``."""
    days, counts = np.unique(run.days, return_counts=True)
    x = np.concatenate([[0.0], days, [horizon]])
    k = np.concatenate([[0], np.cumsum(counts), [run.agreements]])
    return x, k


def draw_curves(runs: Sequence[_Run], path: Path) -> Path:
    """Cumulative P(agreement by day t) per run, with 95% pointwise Wilson bands."""
    fig = Figure(figsize=(9, 5.5), layout="constrained")
    ax = fig.add_subplot()
    horizon = max(max(r.results.scenario.horizon_days, *r.days, 0.0) for r in runs)
    start = _start(runs)
    for i, run in enumerate(runs):
        x, k = _curve(run, horizon)
        lo, hi = stats.wilson_band(k, run.n)
        xs = _dates(start, x) if start else x
        ax.fill_between(xs, lo, hi, step="post", color=_colour(i), alpha=0.15, linewidth=0)
        ax.step(xs, k / run.n, where="post", color=_colour(i), linewidth=1.8,
                label=f"{run.label} (n = {run.n}, {run.agreements} agreements)")
    if start:
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlabel(f"date (day 0 = {start.isoformat()})")
    else:
        ax.set_xlabel("days since day 0 of each scenario")
    if not any(run.agreements for run in runs):  # flat lines at 0 are easy to miss
        ax.text(0.5, 0.5, "no agreements in any run", transform=ax.transAxes, ha="center",
                color="0.4")
    ax.set_ylim(0, 1.03)  # 100% clear of the frame
    ax.set_ylabel("P(agreement reached by this time)")
    ax.set_title("Cumulative probability of agreement (shaded: 95% Wilson bands)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    return _save(fig, path)


def _dates(start: datetime.date, days: np.ndarray) -> list[datetime.datetime]:
    day0 = datetime.datetime.combine(start, datetime.time())
    return [day0 + datetime.timedelta(days=float(d)) for d in days]


def draw_outcomes(runs: Sequence[_Run], path: Path) -> Path:
    """Grouped bars: the share of replications ending in each outcome, per run, with 95%
    Wilson intervals."""
    extra = sorted({o for r in runs for o in r.counts} - set(OUTCOMES))  # unknown kinds too
    outcomes = [*OUTCOMES, *extra]
    fig = Figure(figsize=(min(16.0, max(7.0, 2.5 + 0.45 * len(outcomes) * len(runs))), 5),
                 layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(runs)
    x = np.arange(len(outcomes))
    for i, run in enumerate(runs):
        k = [run.counts.get(o, 0) for o in outcomes]
        p = np.array(k) / run.n
        lo, hi = stats.wilson_band(k, run.n)
        ax.bar(x + (i - (len(runs) - 1) / 2) * width, p, width, color=_colour(i),
               yerr=[np.maximum(p - lo, 0), np.maximum(hi - p, 0)], capsize=3,
               error_kw={"linewidth": 1}, label=f"{run.label} (n = {run.n})")
    ax.set_xticks(x, [o.replace("_", " ") for o in outcomes])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("how the replication ended")
    ax.set_ylabel("share of replications")
    ax.set_title("Outcomes per run (error bars: 95% Wilson intervals)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small")
    return _save(fig, path)


def draw_terms(runs: Sequence[_Run], path: Path) -> Path:
    """One panel per issue: box plots of the agreed values per run, points overlaid; runs
    without agreements get a note instead of a box."""
    issues = runs[0].results.scenario.issues
    ncols = min(3, len(issues))
    nrows = math.ceil(len(issues) / ncols)
    fig = Figure(figsize=(max(5.0, 1.3 * len(runs) + 2) * ncols, 4.5 * nrows),
                 layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (name, issue) in zip(axes, issues.items(), strict=False):
        _terms_panel(ax, runs, name, issue)
    for ax in axes[len(issues):]:
        ax.set_visible(False)
    fig.suptitle("Agreed terms per run (agreements only): boxes span the middle half, whiskers "
                 "reach the rest up to 1.5 box lengths, the black line is the median")
    return _save(fig, path)


def _terms_panel(ax, runs: Sequence[_Run], name: str, issue) -> None:
    """The distribution of one issue's agreed values across runs."""
    lo, hi = issue.range
    pad = (hi - lo) * 0.05 or 0.5
    jitter = np.random.default_rng(SEED)  # fixed: the same runs draw the same picture
    for i, run in enumerate(runs):
        values = run.terms[name]
        if len(values) == 0:
            ax.text(i + 1, (lo + hi) / 2, "no\nagreements", ha="center", va="center",
                    fontsize="small", color="0.4")
            continue
        boxes = ax.boxplot([values], positions=[i + 1], widths=0.5, patch_artist=True,
                           manage_ticks=False, showfliers=False)
        boxes["boxes"][0].set(facecolor=(*_colour(i)[:3], 0.35), edgecolor=_colour(i))
        boxes["medians"][0].set(color="black")
        ax.scatter(i + 1 + jitter.uniform(-0.18, 0.18, len(values)), values, s=5,
                   color=_colour(i), alpha=0.35, linewidths=0)
    ax.set_xticks(range(1, len(runs) + 1),
                  [f"{r.label}\n({len(r.terms[name])} agreements)" for r in runs],
                  rotation=20 if len(runs) > 3 else 0, fontsize="small")
    ax.set_xlim(0.4, len(runs) + 0.6)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_title(issue.label or name, fontsize="medium")
    ax.set_ylabel(f"agreed {name} (range {lo:g} to {hi:g})")
    ax.grid(axis="y", alpha=0.3)


__all__ = ["Comparison", "check_issues", "compare", "default_labels", "median_difference",
           "table_columns"]
