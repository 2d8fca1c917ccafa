"""What a finished study shows: figures, the report, comparisons of runs.

Above the studies: everything here reads saved files (or results loaded from
them) and draws; nothing here runs the model, so a folder redraws to the same
figures without rerunning anything.

- ``figures``: the figures of a run folder; ``report``: its self-contained report.html;
- ``sweep_figures``: the figure of a sweep folder;
- ``comparison``: runs side by side (tables, figures, differences with intervals).
"""

from __future__ import annotations

from pathlib import Path


def draw_run(folder: Path) -> list[Path]:
    """(Re)draw the figures and the report of a run folder from its saved files only."""
    from sim.outputs.figures import draw_figures
    from sim.outputs.report import write_report

    figures = draw_figures(folder)
    write_report(folder, figures)
    return figures


def draw_sweep(folder: Path) -> list[Path]:
    """(Re)draw the figure of a sweep folder from its saved files only."""
    from sim.outputs.sweep_figures import draw_sweep as draw

    return draw(folder)
