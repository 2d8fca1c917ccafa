"""The figures of a finished run folder, drawn only from its saved files.

``draw_figures(folder)`` reads ``scenario.yaml``, ``summary.json``,
``outcomes.csv`` and (when present) ``rounds.csv`` and writes PNG files to
``folder/figures``; nothing is ever rerun, so a folder redraws to the same
figures anywhere. Every figure carries a caption saying it explores the
scenario's assumptions and is not a forecast.

Figures are built with the object-oriented API (``matplotlib.figure.Figure``),
so no display and no pyplot state are involved and nothing needs closing.
"""

from __future__ import annotations

import datetime
import math
import multiprocessing
import os
import sys
import textwrap
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.engine.records import OUTCOMES
from sim.scenario import Scenario, load_scenario
from sim.scenario.distributions import span
from sim.studies import folders
from sim.studies.results import read_table
from sim.studies.stats import wilson_band

DPI = 110
WIDE = (9.0, 5.2)  # inches: 990 x 572 px at DPI
OUTCOME_LABELS = {"agreement": "agreement", "military": "military decision",
                  "breakdown": "breakdown of talks", "no_deal": "no deal by the horizon"}
OUTCOME_COLORS = {"agreement": "#2a9d55", "military": "#c0392b", "breakdown": "#e08e0b",
                  "no_deal": "#7f8c8d"}
MAX_TICKS = 1000  # periodic rounds denser than this are named in the legend, not drawn
MAX_LABELLED_ROUNDS = 30  # more explicit rounds than this: lines without venue labels
MAX_GRID = 2001  # points of the front-line grid: daily up to this many days, coarser beyond
NOTE_STYLE = {"ha": "center", "va": "center", "fontsize": 10, "color": "0.25",
              "wrap": True, "bbox": {"boxstyle": "round,pad=0.6", "fc": "#fdf6e3",
                                     "ec": "0.7"}}


# --- reading the folder --------------------------------------------------------------------

@dataclass(frozen=True)
class RunData:
    """What the figures draw from, read once from a run folder's saved files."""

    folder: Path
    scenario: Scenario
    summary: dict
    outcomes: pd.DataFrame  # run, outcome, day, deal.*, utility.*
    rounds: pd.DataFrame  # run, day, held_km2 (no rows when rounds.csv is absent or empty)

    @property
    def runs(self) -> int:
        """Number of replications in the study."""
        return len(self.outcomes)

    @property
    def agreements(self) -> pd.DataFrame:
        """The outcome rows of replications that ended in agreement."""
        return self.outcomes[self.outcomes["outcome"] == "agreement"]


def load_run(folder: Path) -> RunData:
    """Read the saved files of ``folder`` that the figures need (never rerunning anything)."""
    folder = Path(folder)
    scenario = load_scenario(folder / folders.SCENARIO)
    summary = folders.read_json(folder / folders.SUMMARY)
    outcomes = read_table(folder / folders.OUTCOMES, lambda c: c in {"run", "outcome", "day"}
                            or c.startswith(("deal.", "utility.")))
    rounds = pd.DataFrame(columns=["run", "day", "held_km2"])
    path = folder / folders.ROUNDS
    if scenario.battlefield is not None and path.is_file():
        table = read_table(path, lambda c: c in {"run", "day", "held_km2"})
        if {"run", "day", "held_km2"} <= set(table.columns):
            rounds = table
    return RunData(folder, scenario, summary, outcomes, rounds)


# --- small shared helpers ------------------------------------------------------------------

def clip_span(s: tuple[float, float], lo: float, hi: float) -> tuple[float, float]:
    """A span clipped to a finite window (a normal's support may be infinite)."""
    return min(max(s[0], lo), hi), min(max(s[1], lo), hi)


def label_of(scenario: Scenario, actor: str) -> str:
    """An actor's display name: its label, else its name."""
    return scenario.actors[actor].label or actor


def issue_label(scenario: Scenario, issue: str) -> str:
    """An issue's display name: its label, else its name."""
    return scenario.issues[issue].label or issue


def actor_colors(scenario: Scenario) -> dict[str, tuple]:
    """One fixed colour per actor, the same in every figure."""
    cmap = matplotlib.colormaps["tab10"]
    return {name: cmap(i % 10) for i, name in enumerate(scenario.actors)}


def wrap(text: str, width: int = 28) -> str:
    """Long labels over several lines, so that bar and axis labels stay readable."""
    return "\n".join(textwrap.wrap(text, width)) or text


def new_figure(size: tuple[float, float] = WIDE) -> Figure:
    """A figure laid out automatically (titles, labels and legends never overlap)."""
    return Figure(figsize=size, dpi=DPI, layout="constrained")


def frame(fig: Figure, data: RunData, title: str) -> None:
    """Title the figure and caption it with the scenario, n and the not-a-forecast note."""
    sc = data.scenario
    fig.suptitle(title, fontsize=13, weight="bold")
    name = f"{sc.title} ({sc.name})" if sc.title else sc.name
    fig.supxlabel(f"{wrap(name, 90)} · {data.runs} replications\nAn exploration of the "
                  "scenario's assumptions, not a forecast.", fontsize=8.5, color="0.35",
                  style="italic")


def note(ax: Axes, text: str, y: float = 0.5) -> None:
    """A boxed message inside an axes, for when there is nothing (or little) to plot."""
    ax.text(0.5, y, text, transform=ax.transAxes, **NOTE_STYLE)


def blank(ax: Axes, text: str) -> None:
    """An axes with only a message: no ticks or frame pretending to show data."""
    ax.set_axis_off()
    note(ax, text)


def no_agreement_text(data: RunData) -> str:
    """The message shown where agreement data would be."""
    return (f"No replication ended in agreement (0 of {data.runs}),\n"
            "so there is nothing to show here.")


def save(fig: Figure, path: Path, dpi: int = DPI) -> Path:
    """Write a PNG atomically: readers see the old figure or the new one, never half."""
    with folders.atomic_file(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=dpi)
    return path


@dataclass(frozen=True)
class TimeAxis:
    """Days of the scenario on an x axis: calendar dates when day 0 has a date."""

    start: datetime.date | None

    @property
    def offset(self) -> float:
        """Matplotlib date number of day 0 (0 when there is no date)."""
        if self.start is None:
            return 0.0
        return float(mdates.date2num(datetime.datetime.combine(self.start, datetime.time())))

    def x(self, days):
        """Axis coordinates of scenario days (scalars or arrays)."""
        return np.asarray(days, dtype=float) + self.offset if not np.isscalar(days) \
            else float(days) + self.offset

    def style(self, ax: Axes, horizon: float) -> None:
        """Limits, ticks and label of the time axis (a little wider than the horizon, so a
        mark on day 0 or at the horizon stays clear of the frame)."""
        pad = 0.015 * max(horizon, 1.0)
        ax.set_xlim(self.x(-pad), self.x(max(horizon, 1.0) + pad))
        if self.start is None:
            ax.set_xlabel("day (days since day 0 of the scenario)")
            return
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlabel(f"date (day 0 = {self.start.isoformat()})")


def mark_span(ax: Axes, s: tuple[float, float] | None, window: tuple[float, float],
              color, label: str, style: str = "-", alpha: float = 0.18) -> None:
    """A vertical line at a fixed value, or a shaded band over the values it may take."""
    if s is None:
        return
    lo, hi = clip_span(s, *window)
    if s[0] > window[1] or s[1] < window[0]:
        return  # outside what the axis shows
    if lo == hi:
        ax.axvline(lo, color=color, linestyle=style, linewidth=1.6, label=label)
    else:
        ax.axvspan(lo, hi, color=color, alpha=alpha, linewidth=0, label=f"{label} (uncertain)")


# --- 1. outcomes ---------------------------------------------------------------------------

def outcomes_figure(data: RunData) -> Figure:
    """Shares of the four outcomes with their 95% Wilson intervals (from summary.json)."""
    s = data.summary
    fig = new_figure((8.0, 5.2))
    ax = fig.subplots()
    shares = [s["outcomes"].get(o) or 0.0 for o in OUTCOMES]
    lows = [s["outcomes_ci95"][o][0] for o in OUTCOMES]
    highs = [s["outcomes_ci95"][o][1] for o in OUTCOMES]
    yerr = [[max(p - lo, 0.0) for p, lo in zip(shares, lows, strict=True)],
            [max(hi - p, 0.0) for p, hi in zip(shares, highs, strict=True)]]
    xs = np.arange(len(OUTCOMES))
    ax.bar(xs, shares, color=[OUTCOME_COLORS[o] for o in OUTCOMES], width=0.6)
    ax.errorbar(xs, shares, yerr=yerr, fmt="none", ecolor="0.15", capsize=6, linewidth=1.3,
                label="95% interval (Wilson)")
    for x, p, hi in zip(xs, shares, highs, strict=True):
        ax.text(x, hi + 0.015, f"{p:.1%}", ha="center", va="bottom", fontsize=10)
    ax.set_xticks(xs, [OUTCOME_LABELS[o] for o in OUTCOMES])
    ax.set_ylim(0, 1.1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share of replications")
    ax.set_xlabel("how a replication ended")
    ax.legend(loc="upper right")
    ax.set_title("Bars: share of replications; whiskers: 95% interval of that share",
                 fontsize=9, color="0.3")
    frame(fig, data, f"How the replications end (n = {s['runs']})")
    return fig


# --- 2. agreement over time ----------------------------------------------------------------

def periodic_days(sc: Scenario) -> np.ndarray | None:
    """Days of the periodic talk rounds, as the engine schedules them without jitter: every
    ``every_days`` after the last explicit round (from day 0 when there is none), before the
    horizon. None when ``every_days`` is unset or uncertain."""
    every = sc.talks.every_days
    if every is None or hasattr(every, "support") or every <= 0:
        return None
    explicit = [r.day for r in sc.talks.rounds]
    first = explicit[-1] + every if explicit else 0.0
    if first >= sc.horizon_days:
        return np.array([])
    count = math.ceil((sc.horizon_days - first) / every)
    if count > MAX_TICKS:
        return None
    days = first + every * np.arange(count)
    return days[days < sc.horizon_days]


def mark_talks(ax: Axes, sc: Scenario, t: TimeAxis) -> None:
    """Explicit rounds (lines with venues), periodic rounds (light ticks at the bottom)."""
    rounds = sc.talks.rounds
    xs = [t.x(r.day) for r in rounds if r.day <= sc.horizon_days]
    if xs:
        ax.vlines(xs, 0, 1, transform=ax.get_xaxis_transform(), colors="#3b5b92",
                  linestyles="--", linewidth=1.1, label="scheduled talk round")
    if len(rounds) <= MAX_LABELLED_ROUNDS:
        for r in rounds:
            if r.venue and r.day <= sc.horizon_days:
                ax.text(t.x(r.day), 0.97, f" {r.venue}", transform=ax.get_xaxis_transform(),
                        rotation=90, va="top", ha="left", fontsize=8, color="#3b5b92")
    every = sc.talks.every_days
    days = periodic_days(sc)
    if days is not None and len(days):
        jitter = sc.talks.jitter_days
        about = f" ± {jitter:g}" if jitter else ""
        ax.vlines(t.x(days), 0, 0.035, transform=ax.get_xaxis_transform(), colors="#3b5b92",
                  alpha=0.45, linewidth=1.0,
                  label=f"periodic round (every {every:g}{about} days)")
    elif every is not None:
        lo, hi = span(every)
        text = f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"
        ax.plot([], [], " ", label=f"then a round every {text} days (not drawn)")


def mark_deadline_and_events(ax: Axes, sc: Scenario, t: TimeAxis) -> None:
    """The negotiation deadline and the scheduled events, as lines or uncertainty bands."""
    window = (t.x(0.0), t.x(sc.horizon_days))
    deadline = sc.talks.deadline_day
    if deadline is None:  # talks concede until the horizon
        s, label = (sc.horizon_days, sc.horizon_days), "deadline (= horizon)"
    else:
        s, label = span(deadline), "deadline"
    mark_span(ax, (t.x(s[0]), t.x(s[1])), window, "#8e44ad", label, style="-.")
    for i, event in enumerate(sc.events):
        s = span(event.day)
        if s[0] > sc.horizon_days:
            continue  # after the end of every replication
        name = event.label or f"event {i + 1}"
        lo, hi = clip_span((t.x(s[0]), t.x(s[1])), *window)
        mark_span(ax, (lo, hi), window, "#d35400", f"event: {name}", style=":")
        ax.text((lo + hi) / 2, 0.60, f" {wrap(name, 30)}", transform=ax.get_xaxis_transform(),
                rotation=90, va="center", ha="left", fontsize=8, color="#d35400")


def agreement_curve(data: RunData) -> tuple[np.ndarray, np.ndarray]:
    """Step curve of the cumulative share of all replications agreed by each day:
    (days, share), starting at day 0 and ending at the horizon."""
    horizon = data.scenario.horizon_days
    days = np.sort(data.agreements["day"].to_numpy(dtype=float))
    unique, counts = np.unique(days, return_counts=True)
    xs = np.concatenate([[0.0], unique, [horizon]])
    ks = np.concatenate([[0], np.cumsum(counts), [len(days)]])
    if len(unique) and unique[0] == 0.0:  # an agreement at day 0 counts from day 0
        xs, ks = xs[1:], ks[1:]
    return xs, ks


def agreement_over_time_figure(data: RunData) -> Figure:
    """Cumulative probability of agreement over time, with its pointwise 95% band, the talk
    schedule, the deadline and the scheduled events."""
    sc, n = data.scenario, max(data.runs, 1)
    t = TimeAxis(sc.start)
    fig = new_figure()
    ax = fig.subplots()
    xs, ks = agreement_curve(data)
    lo, hi = wilson_band(ks, n)
    ax.fill_between(t.x(xs), lo, hi, step="post", color=OUTCOME_COLORS["agreement"], alpha=0.2,
                    linewidth=0, label="95% interval (Wilson, pointwise)")
    ax.step(t.x(xs), ks / n, where="post", color=OUTCOME_COLORS["agreement"], linewidth=2,
            label="share of replications agreed by then")
    mark_talks(ax, sc, t)
    mark_deadline_and_events(ax, sc, t)
    t.style(ax, sc.horizon_days)
    ax.set_ylim(0, min(1.03, max(0.05, float(hi.max()) * 1.15)))  # 100% clear of the frame
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("P(agreement by this day)")
    # outside the axes: inside, it would hide the venue labels at the top of the early days
    fig.legend(*ax.get_legend_handles_labels(), loc="outside right upper", fontsize=8)
    if len(data.agreements) == 0:
        note(ax, f"No replication ended in agreement (0 of {data.runs}). The band shows how "
             f"large\nthe probability could still be (95% upper bound {hi[-1]:.1%}).", y=0.45)
    ax.set_title("Cumulative share of all replications that reached agreement by each day",
                 fontsize=9, color="0.3")
    frame(fig, data, "When agreements happen")
    return fig


# --- 3. terms ------------------------------------------------------------------------------

def terms_histogram(ax: Axes, values: np.ndarray, lo: float, hi: float, step: float | None,
                    indivisible: bool) -> None:
    """Distribution of agreed values of one issue, as shares of the agreements."""
    weights = np.full(len(values), 1.0 / max(len(values), 1))
    if indivisible:  # only the two ends can be agreed: two bars
        width = (hi - lo) * 0.06 or 0.1
        shares = [float(np.sum(values == lo)) * weights[0] if len(values) else 0.0,
                  float(np.sum(values == hi)) * weights[0] if len(values) else 0.0]
        ax.bar([lo, hi], shares, width=width, color="0.55", label="agreed terms")
        return
    if hi <= lo:
        edges = np.array([lo - 0.5, hi + 0.5])
    elif step and (hi - lo) / step <= 200:  # one bin per allowed value
        edges = lo - step / 2 + step * np.arange(math.floor((hi - lo) / step + 1e-9) + 2)
    else:
        edges = np.linspace(lo, hi, 26)
    ax.hist(values, bins=edges, weights=weights, color="0.55", edgecolor="white",
            label="agreed terms")


def mark_positions(ax: Axes, sc: Scenario, issue: str, colors: dict) -> None:
    """Each party's ideal (solid) and red line (dashed, or a band when uncertain), and the
    mediator's ideal (dotted)."""
    window = tuple(sc.issues[issue].range)
    for name, actor in sc.actors.items():
        position = actor.positions.get(issue)
        if position is None:
            continue
        who = label_of(sc, name)
        if actor.role == "mediator":
            mark_span(ax, span(position.ideal), window, colors[name], f"{who} ideal (mediator)",
                      style=":")
            continue
        mark_span(ax, span(position.ideal), window, colors[name], f"{who} ideal", style="-")
        mark_span(ax, span(position.red_line), window, colors[name], f"{who} red line",
                  style="--")


def terms_figure(data: RunData) -> Figure:
    """One panel per issue: histogram of the agreed terms with the actors' positions."""
    sc = data.scenario
    issues = list(sc.issues)
    cols = min(3, len(issues))
    rows = math.ceil(len(issues) / cols)
    fig = new_figure((max(9.0, 4.4 * cols + 2.8), 3.6 * rows + 1.3))
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    agreed = data.agreements
    colors = actor_colors(sc)
    handles: dict[str, object] = {}
    for ax, issue in zip(axes, issues, strict=False):
        spec = sc.issues[issue]
        lo, hi = spec.range
        values = agreed[f"deal.{issue}"].dropna().to_numpy(dtype=float) \
            if f"deal.{issue}" in agreed else np.array([])
        terms_histogram(ax, values, lo, hi, spec.step, spec.indivisible)
        mark_positions(ax, sc, issue, colors)
        pad = (hi - lo) * 0.03 or 0.5
        ax.set_xlim(lo - pad, hi + pad)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("share of agreements")
        ax.set_xlabel(wrap(f"{issue_label(sc, issue)} [{lo:g}, {hi:g}]", 45))
        ax.set_title(f"{issue}: {len(values)} agreements", fontsize=9, color="0.3")
        if len(values) == 0:
            note(ax, "No agreements: no terms to show.\nLines show the actors' positions.",
                 y=0.55)
            ax.set_ylim(0, 1)
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, h)
    for ax in axes[len(issues):]:
        ax.set_axis_off()
    order = [label_of(sc, a) for a in sc.actors]
    labels = sorted(handles, key=lambda lab: (
        next((i for i, who in enumerate(order) if lab.startswith(f"{who} ")), -1), lab))
    if labels:  # one legend for all panels, actor by actor
        fig.legend([handles[lab] for lab in labels], labels, loc="outside right upper",
                   fontsize=8)
    frame(fig, data, "Agreed terms per issue, with the actors' positions")
    return fig


# --- 4. front line -------------------------------------------------------------------------

def day_grid(horizon: float) -> np.ndarray:
    """Whole days from 0, and the horizon itself; coarser than daily beyond MAX_GRID points."""
    step = max(1.0, float(math.ceil(horizon / (MAX_GRID - 1))))
    return np.append(np.arange(0.0, horizon, step), horizon)


def held_paths(data: RunData, grid: np.ndarray) -> np.ndarray:
    """Held km² per sampled replication (rows) on the day grid (columns): the last round
    observation forward-filled, NaN once the replication has ended (from its end day on, so
    that the front at the moment of a deal or defeat does not count as still running; a run
    that lasted to the horizon keeps the horizon day)."""
    rounds = data.rounds.dropna(subset=["held_km2"])
    ends = dict(zip(data.outcomes["run"], data.outcomes["day"], strict=True))
    start = span(data.scenario.battlefield.held_km2)
    known_start = start is not None and start[0] == start[1]
    horizon = data.scenario.horizon_days
    runs = sorted(rounds["run"].unique())
    paths = np.full((len(runs), len(grid)), np.nan)
    for i, (run, group) in enumerate(rounds.groupby("run", sort=True)):
        days = group["day"].to_numpy(dtype=float)
        held = group["held_km2"].to_numpy(dtype=float)
        if known_start and (len(days) == 0 or days[0] > 0):  # before the first round: day 0
            days, held = np.concatenate([[0.0], days]), np.concatenate([[start[0]], held])
        order = np.argsort(days, kind="stable")
        days, held = days[order], held[order]
        last = np.searchsorted(days, grid, side="right") - 1
        row = np.where(last >= 0, held[np.clip(last, 0, None)], np.nan)
        end = ends.get(run, horizon)
        row[((grid >= end) & (grid < horizon)) | (grid > end)] = np.nan
        paths[i] = row
    return paths


def front_line_figure(data: RunData) -> Figure:
    """Fan chart of the front line over time, from the rounds of the sampled replications."""
    sc = data.scenario
    field = sc.battlefield
    t = TimeAxis(sc.start)
    fig = new_figure((9.0, 6.0))
    ax, count_ax = fig.subplots(2, 1, sharex=True, height_ratios=[4, 1])
    horizon = sc.horizon_days
    grid = day_grid(horizon)
    paths = held_paths(data, grid) if len(data.rounds) else np.empty((0, len(grid)))
    running = np.sum(~np.isnan(paths), axis=0)
    holder = label_of(sc, field.holder)
    start = span(field.held_km2)
    if start[0] == start[1]:
        ax.axhline(start[0], color="0.3", linestyle="--", linewidth=1.1,
                   label=f"held at day 0 ({start[0]:,.0f} km²)")
    else:
        ax.axhspan(*start, color="0.5", alpha=0.15, label="held at day 0 (uncertain)")
    if running.any():
        ok = running > 0
        q = np.full((5, len(grid)), np.nan)
        q[:, ok] = np.nanquantile(paths[:, ok], [0.1, 0.25, 0.5, 0.75, 0.9], axis=0)
        x = t.x(grid)
        ax.fill_between(x, q[0], q[4], color="#c0392b", alpha=0.15, linewidth=0,
                        label="10–90% of replications")
        ax.fill_between(x, q[1], q[3], color="#c0392b", alpha=0.3, linewidth=0,
                        label="25–75%")
        ax.plot(x, q[2], color="#922b21", linewidth=2, label="median")
        count_ax.fill_between(x, running, step="post", color="0.6", linewidth=0)
    else:
        note(ax, "No talk rounds were recorded in rounds.csv,\nso the front line cannot be "
             "drawn.")
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"area held by {holder} (km²)")
    ax.legend(loc="best", fontsize=8)
    sampled = len(paths)
    ax.set_title(f"Quantiles at each day over the {sampled} sampled replications still running "
                 "(no deal or other end yet);\nthe front is known at talk rounds and carried "
                 "forward between them", fontsize=9, color="0.3")
    count_ax.set_ylabel("still\nrunning", fontsize=8)
    count_ax.set_ylim(0, max(sampled, 1))
    t.style(count_ax, horizon)
    frame(fig, data, f"The front line: km² held by {holder}")
    return fig


# --- 5. blockers ---------------------------------------------------------------------------

def share_bars(ax: Axes, shares: dict, labels: dict[str, str], title: str, color) -> None:
    """Horizontal bars of shares, largest on top, with their values written on them."""
    items = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))[:12]
    if not items:
        blank(ax, f"{title}:\nnone recorded")
        return
    names = [wrap(labels.get(k, "none recorded" if k == "none" else k)) for k, _ in items]
    values = [v for _, v in items]
    ys = np.arange(len(items))[::-1]
    ax.barh(ys, values, color=color, height=0.6)
    for y, v in zip(ys, values, strict=True):
        ax.text(v + 0.01, y, f"{v:.0%}", va="center", fontsize=9)
    ax.set_yticks(ys, names, fontsize=9)
    ax.set_xlim(0, 1.12)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("share of replications without agreement")
    ax.set_title(title, fontsize=10)


def blockers_figure(data: RunData) -> Figure:
    """Who blocked and which issue stuck, among the replications that did not agree."""
    sc, s = data.scenario, data.summary
    fig = new_figure((10.0, 4.8))
    failed = int(np.sum(data.outcomes["outcome"] != "agreement"))
    title = "What stood in the way of agreement"
    if failed == 0:
        blank(fig.subplots(), f"Every replication ended in agreement ({data.runs} of "
              f"{data.runs}):\nthere are no blockers or sticking issues to show.")
        frame(fig, data, title)
        return fig
    left, right = fig.subplots(1, 2)
    actors = {a: label_of(sc, a) for a in sc.actors}
    issues = {k: issue_label(sc, k) for k in sc.issues}
    share_bars(left, s.get("blockers") or {}, actors,
               "Blocker: at the last rejection, the party\nfurthest below its aspiration",
               "#c0392b")
    share_bars(right, s.get("sticking_issues") or {}, issues,
               "Sticking issue: a red line the text crossed,\nelse the blocker's largest "
               "shortfall", "#3b5b92")
    frame(fig, data, f"{title}, in the {failed} replications without it")
    return fig


# --- 6. utilities --------------------------------------------------------------------------

def utilities_figure(data: RunData) -> Figure:
    """Box plots of each actor's utility at the agreed terms."""
    sc = data.scenario
    fig = new_figure()
    ax = fig.subplots()
    agreed = data.agreements
    actors = [a for a in sc.actors if f"utility.{a}" in agreed]
    if len(agreed) == 0 or not actors:
        blank(ax, no_agreement_text(data))
        frame(fig, data, "Utility of the agreed terms for each actor")
        return fig
    colors = actor_colors(sc)
    values = [agreed[f"utility.{a}"].dropna().to_numpy(dtype=float) for a in actors]
    names = [wrap(label_of(sc, a) + (" (mediator)" if sc.actors[a].role == "mediator" else ""),
                  18) for a in actors]
    box = ax.boxplot(values, patch_artist=True, widths=0.5,
                     whis=(10, 90), medianprops={"color": "black", "linewidth": 1.6},
                     flierprops={"markersize": 3, "alpha": 0.4})
    for patch, a in zip(box["boxes"], actors, strict=True):
        patch.set_facecolor(colors[a])
        patch.set_alpha(0.55)
    ax.set_xticks(np.arange(1, len(actors) + 1), names)
    ax.set_ylim(-0.03, 1.03)
    ax.set_ylabel("utility at the agreed terms (0 = worst, 1 = ideal)")
    ax.set_xlabel("actor")
    ax.set_title(f"Over the {len(agreed)} agreements: boxes 25–75%, line median, whiskers "
                 "10–90%, dots beyond", fontsize=9, color="0.3")
    frame(fig, data, "Utility of the agreed terms for each actor")
    return fig


# --- all figures ---------------------------------------------------------------------------

FIGURES: list[tuple[str, Callable[[RunData], Figure]]] = [
    ("outcomes", outcomes_figure),
    ("agreement_over_time", agreement_over_time_figure),
    ("terms", terms_figure),
    ("front_line", front_line_figure),
    ("blockers", blockers_figure),
    ("utilities", utilities_figure),
]


def figure_names(scenario: Scenario) -> Iterable[str]:
    """The figures a run of ``scenario`` gets, in report order (front_line needs a
    battlefield)."""
    return [name for name, _ in FIGURES
            if name != "front_line" or scenario.battlefield is not None]


def draw_figures(folder: Path) -> list[Path]:
    """Draw every figure of a run folder into ``folder/figures`` from its saved files only;
    return the PNG paths in report order. Where it can, a forked process draws every
    other figure meanwhile (the same bytes: each figure is drawn alone either way)."""
    data = load_run(Path(folder))
    out = Path(folder) / folders.FIGURES
    out.mkdir(exist_ok=True)
    wanted = set(figure_names(data.scenario))
    names = [name for name, _ in FIGURES if name in wanted]
    helper = names[1::2] if _can_fork() else []
    if not helper:
        return _draw(data, names, out)
    global _shared
    _shared = data  # what the forked process reads (nothing is pickled)
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            theirs = pool.submit(_draw_shared, helper, out)
            _draw(data, [n for n in names if n not in helper], out)
            theirs.result()
    finally:
        _shared = None
    return [out / f"{name}.png" for name in names]


_shared: RunData | None = None


def _can_fork() -> bool:
    """Fork a helper only where it is cheap and safe: Linux, more than one core, not
    inside a Jupyter kernel (whose threads a fork would copy mid-work)."""
    return (sys.platform == "linux" and (os.cpu_count() or 1) > 1
            and "ipykernel" not in sys.modules)


def _draw(data: RunData, names: list[str], out: Path) -> list[Path]:
    draws = dict(FIGURES)
    return [save(draws[name](data), out / f"{name}.png") for name in names]


def _draw_shared(names: list[str], out: Path) -> None:
    assert _shared is not None
    _draw(_shared, names, out)


__all__ = ["FIGURES", "RunData", "draw_figures", "figure_names", "load_run"]
