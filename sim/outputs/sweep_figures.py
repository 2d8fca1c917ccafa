"""The figure of a finished sweep folder, drawn from its saved files only.

One swept parameter: P(agreement) with its 95% band, and the median time to
agreement, against the parameter. Two on a grid: heatmaps of both. Otherwise
(more parameters, or a Latin hypercube): one panel per parameter showing the
P(agreement) of every point and the mean over the others (main effects).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from sim.outputs.figures import new_figure, save, wrap
from sim.scenario import Scenario, load_scenario, to_document
from sim.scenario.paths import split
from sim.scenario.reference import unit_of
from sim.studies import folders
from sim.studies.results import read_table

GREEN, BLUE = "#2a9d55", "#3b5b92"
NOTE = "Same replication seeds at every point (common random numbers). Not a forecast."


def parameter_label(sc: Scenario, path: str) -> str:
    """A path with what it refers to and its unit: ``actors.russia.positions.donbas.red_line
    (Russia; Share of Donetsk ceded) [issue scale]``."""
    parts = split(path)
    unit = unit_of(to_document(sc), parts)
    return _named(sc, path, parts) + (f" [{unit}]" if unit else "")


def _named(sc: Scenario, path: str, parts: tuple) -> str:
    named = []
    if parts[0] == "actors" and len(parts) > 1 and parts[1] in sc.actors:
        actor = sc.actors[parts[1]]
        named.append(actor.label or parts[1])
        if len(parts) > 3 and parts[2] == "levers" and isinstance(parts[3], int) and \
                parts[3] < len(actor.levers):
            lever = actor.levers[parts[3]]
            named.append(f"lever {lever.name}")
            named += _effect_target(lever.effects, parts[4:])
    if parts[0] == "events" and len(parts) > 1 and isinstance(parts[1], int) and \
            parts[1] < len(sc.events):
        event = sc.events[parts[1]]
        named.append(f"event {event.label or parts[1]}")
        named += _effect_target(event.effects, parts[2:])
    issue = next((p for p in parts if isinstance(p, str) and p in sc.issues), None)
    if issue is not None:
        named.append(sc.issues[issue].label or issue)
    return f"{path} ({'; '.join(named)})" if named else path


def _effect_target(effects, rest) -> list[str]:
    """``effects.J...``: what effect J changes, e.g. ``effect on battlefield.drift``."""
    if len(rest) > 1 and rest[0] == "effects" and isinstance(rest[1], int) and \
            rest[1] < len(effects):
        return [f"effect on {effects[rest[1]].path}"]
    return []


def draw_sweep(folder: Path) -> list[Path]:
    """Draw ``folder/figures/sweep.png``; return its path in a list."""
    folder = Path(folder)
    sc = load_scenario(folder / folders.SCENARIO)
    manifest = folders.read_json(folder / folders.MANIFEST)
    design = manifest["design"]
    table = read_table(folder / "points.csv")
    paths = design["paths"]
    if len(paths) == 1:
        fig = one_parameter(sc, table, paths[0])
    elif len(paths) == 2 and design["type"] == "grid":
        fig = heatmaps(sc, table, paths)
    else:
        fig = main_effects(sc, table, paths, binned=design["type"] == "lhs")
    kind = "Latin hypercube" if design["type"] == "lhs" else "grid"
    fig.suptitle(wrap(f"Sweep of {sc.title or sc.name}: {len(table)} points ({kind}), "
                      f"{manifest['runs']} replications each", 100), fontsize=11,
                 weight="bold")
    fig.supxlabel(NOTE, fontsize=8.5, color="0.35", style="italic")
    out = folder / folders.FIGURES
    out.mkdir(exist_ok=True)
    return [save(fig, out / "sweep.png")]


def _axis(values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """Positions on an axis: the numbers themselves, or 0..n-1 for text values."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float), None
    categories = list(dict.fromkeys(values.astype(str)))
    return np.array([categories.index(v) for v in values.astype(str)], dtype=float), categories


def _p_axis(ax: Axes) -> None:
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("P(agreement)")
    ax.grid(alpha=0.3)


def one_parameter(sc: Scenario, table: pd.DataFrame, path: str) -> Figure:
    """P(agreement) with its band, and median days to agreement (10-90% band)."""
    fig = new_figure((9.0, 6.4))
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    order = table.sort_values(path, kind="stable")
    x, categories = _axis(order[path])
    top.fill_between(x, order["p_agreement_lo"], order["p_agreement_hi"], color=GREEN,
                     alpha=0.2, linewidth=0, label="95% interval (Wilson)")
    line = "o" if categories else "o-"  # values that are text have no order to join
    top.plot(x, order["p_agreement"], line, color=GREEN, label="P(agreement)")
    _p_axis(top)
    top.legend(loc="best", fontsize=8)
    days = order["days.median"].to_numpy(dtype=float)
    bottom.fill_between(x, order["days.p10"], order["days.p90"], color=BLUE, alpha=0.15,
                        linewidth=0, label="10th-90th percentile")
    bottom.plot(x, days, line, color=BLUE, label="median")
    bottom.set_ylabel("days to agreement\n(among agreements)")
    bottom.grid(alpha=0.3)
    bottom.legend(loc="best", fontsize=8)
    if np.isnan(days).all():
        bottom.text(0.5, 0.5, "no agreements at any point", transform=bottom.transAxes,
                    ha="center", color="0.4")
    if categories:
        bottom.set_xticks(range(len(categories)), categories)
    bottom.set_xlabel(wrap(parameter_label(sc, path), 90))
    return fig


def heatmaps(sc: Scenario, table: pd.DataFrame, paths: list[str]) -> Figure:
    """P(agreement) and median days to agreement over a two-parameter grid."""
    fig = new_figure((12.0, 5.4))
    xs = list(dict.fromkeys(table[paths[0]]))
    ys = list(dict.fromkeys(table[paths[1]]))
    for ax, column, title, cmap, limits in [
            (fig.add_subplot(1, 2, 1), "p_agreement", "P(agreement)", "Greens", (0, 1)),
            (fig.add_subplot(1, 2, 2), "days.median", "median days to agreement", "Blues_r",
             (None, None))]:
        grid = np.full((len(ys), len(xs)), np.nan)
        for _, row in table.iterrows():
            grid[ys.index(row[paths[1]]), xs.index(row[paths[0]])] = row[column]
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap=cmap, vmin=limits[0],
                          vmax=limits[1])
        for (i, j), value in np.ndenumerate(grid):
            if len(xs) * len(ys) <= 150 and not math.isnan(value):
                text = f"{value:.0%}" if column == "p_agreement" else f"{value:.0f}"
                r, g, b, _ = image.cmap(image.norm(value))
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5  # white text on dark cells
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
        ax.set_xticks(range(len(xs)), [f"{v:g}" if isinstance(v, float) else str(v)
                                       for v in xs], rotation=45 if len(xs) > 8 else 0)
        ax.set_yticks(range(len(ys)), [f"{v:g}" if isinstance(v, float) else str(v)
                                       for v in ys])
        ax.set_xlabel(wrap(parameter_label(sc, paths[0]), 50))
        ax.set_ylabel(wrap(parameter_label(sc, paths[1]), 40))
        ax.set_title(title + ("" if column == "p_agreement" else " (blank: none)"),
                     fontsize=10)
        fig.colorbar(image, ax=ax, shrink=0.85)
    return fig


def main_effects(sc: Scenario, table: pd.DataFrame, paths: list[str],
                 binned: bool = False) -> Figure:
    """One panel per parameter: each point's P(agreement), and its mean over the other
    parameters at each value, or in bins of the value (``binned``: a Latin hypercube,
    where every point has a value of its own)."""
    cols = min(3, len(paths))
    rows = math.ceil(len(paths) / cols)
    fig = new_figure((4.4 * cols + 1.0, 3.8 * rows + 1.0))
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False, sharey=True)).ravel()
    for ax, path in zip(axes, paths, strict=False):
        x, categories = _axis(table[path])
        ax.scatter(x, table["p_agreement"], s=14, color=GREEN, alpha=0.45, linewidths=0,
                   label="one point of the design")
        centres, means = mean_curve(x, table["p_agreement"].to_numpy(dtype=float),
                                     binned and not categories)
        if len(centres):
            ax.plot(centres, means, "o-" if binned else "-", color="black", linewidth=1.8,
                    label="mean over the others" + (" (in bins)" if binned else ""))
        _p_axis(ax)
        if categories:
            ax.set_xticks(range(len(categories)), categories)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(5))  # few ticks: the panels are narrow
        ax.set_xlabel(wrap(parameter_label(sc, path), 45), fontsize=9)
    for ax in axes[len(paths):]:
        ax.set_axis_off()
    axes[0].legend(loc="best", fontsize=8)
    return fig


def mean_curve(x: np.ndarray, p: np.ndarray, binned: bool) -> tuple[np.ndarray, np.ndarray]:
    """Mean of p at each distinct x; in equal bins of about five points (2 to 10 bins) when
    ``binned`` or x takes many values; nothing from fewer than six points in bins (a mean
    of one or two points per bin would only repeat them)."""
    distinct = np.unique(x)
    if not binned and len(distinct) <= 12:
        return distinct, np.array([p[x == v].mean() for v in distinct])
    if len(x) < 6:
        return np.array([]), np.array([])
    bins = max(2, min(10, len(x) // 5))
    edges = np.linspace(x.min(), x.max(), bins + 1)
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
    keep = [b for b in range(bins) if np.any(which == b)]
    return (np.array([(edges[b] + edges[b + 1]) / 2 for b in keep]),
            np.array([p[which == b].mean() for b in keep]))


__all__ = ["draw_sweep", "parameter_label"]
