"""``report.html``: one page with a run's summary table and every figure.

The page is drawn from the folder's saved files only (scenario, manifest,
summary, figures). It is self-contained: styles are inline and the figures
are embedded (PNG as data URIs), so the page alone can be mailed or archived;
it needs no network and no script. Links to the data files (scenario.yaml,
summary.json, outcomes.csv) are relative, for when it stays in its folder.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

from sim.scenario import Scenario, load_scenario
from sim.studies import folders

STYLE = """body{font:15px/1.45 system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;
color:#222}h1{font-size:1.6em;margin-bottom:.2em}.note{background:#fdf6e3;border:1px solid #ccc;
padding:.6em 1em;border-radius:4px}table{border-collapse:collapse;margin:1em 0}
td,th{border-bottom:1px solid #ddd;padding:.25em .8em;text-align:left}td.n{text-align:right;
font-variant-numeric:tabular-nums}img{max-width:100%;border:1px solid #eee;margin:.5em 0}
figure{margin:1.5em 0}figcaption{color:#555;font-size:.9em}"""
CAPTIONS = {
    "outcomes": "How the replications end, with 95% Wilson intervals.",
    "agreement_over_time": "Cumulative probability of agreement, with the talk rounds, the "
                           "deadline and the scheduled events.",
    "terms": "Agreed terms per issue, with each party's ideal and red line.",
    "front_line": "The front line over time: median and 25-75% / 10-90% bands of the sampled "
                  "replications.",
    "blockers": "Who blocked and which issue stuck, among replications without agreement.",
    "utilities": "Each actor's utility at the agreed terms.",
}


def write_report(folder: Path, figures: Sequence[Path]) -> Path:
    """Write ``folder/report.html`` (atomically) from the saved files; return its path."""
    folder = Path(folder)
    sc = load_scenario(folder / folders.SCENARIO)
    summary = folders.read_json(folder / folders.SUMMARY)
    manifest = folders.read_json(folder / folders.MANIFEST)
    body = [_header(sc, manifest), _summary_table(sc, summary), *_figures(folder, figures)]
    page = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(sc.title or sc.name)} · peacesim</title><style>{STYLE}</style>"
            "</head><body>\n" + "\n".join(body) + "\n</body></html>\n")
    path = folder / folders.REPORT
    folders.write_atomic(path, page)
    return path


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _header(sc: Scenario, manifest: dict) -> str:
    title = sc.title or sc.name
    facts = [f"scenario <code>{_e(sc.name)}</code>", f"seed {_e(manifest.get('seed'))}",
             f"{_e(manifest.get('runs'))} replications",
             f"horizon {sc.horizon_days:g} days" + (f" from {sc.start}" if sc.start else ""),
             f"peacesim {_e(manifest.get('peacesim', ''))}"]
    question = f"<p>{_e(sc.description)}</p>" if sc.description else ""
    return (f"<h1>{_e(title)}</h1><p>{' · '.join(facts)}</p>{question}"
            "<p class=\"note\">These results explore the assumptions written in the scenario "
            "file (<a href=\"scenario.yaml\">scenario.yaml</a>); they are not forecasts. "
            "Every number below comes from <a href=\"summary.json\">summary.json</a> and "
            "<a href=\"outcomes.csv\">outcomes.csv</a>.</p>")


def _interval(lo: float, hi: float) -> str:
    return f"[{lo:.1%}, {hi:.1%}]"


def _quantile_cell(q: dict | None, fmt: str = "{:.3g}") -> str:
    if q is None:
        return "–"
    return f"{fmt.format(q['median'])} ({fmt.format(q['p10'])} to {fmt.format(q['p90'])})"


def _summary_table(sc: Scenario, s: dict) -> str:
    """Outcome shares with intervals, time to agreement and median terms."""
    rows = [("P(agreement)", f"{s['p_agreement']:.1%}", _interval(*s["p_agreement_ci95"]))]
    for outcome, share in s["outcomes"].items():
        if outcome != "agreement":
            rows.append((f"P({outcome.replace('_', ' ')})", f"{share:.1%}",
                         _interval(*s["outcomes_ci95"][outcome])))
    rows.append(("days to agreement: median (10th to 90th percentile)",
                 _quantile_cell(s["days_to_agreement"], "{:.0f}"), ""))
    for issue, q in s["deal"].items():
        label = sc.issues[issue].label or issue
        rows.append((f"agreed {label}: median (10th to 90th percentile)", _quantile_cell(q), ""))
    for name, share in s.get("blockers", {}).items():
        label = sc.actors[name].label or name if name in sc.actors else name
        rows.append((f"blocked by {label} (share of runs without agreement)", f"{share:.1%}",
                     ""))
    for issue, share in s.get("sticking_issues", {}).items():
        label = sc.issues[issue].label or issue if issue in sc.issues else issue
        rows.append((f"stuck on {label} (share of runs without agreement)", f"{share:.1%}",
                     ""))
    for name, share in s.get("levers_fired", {}).items():
        rows.append((f"lever {name} fired (share of runs)", f"{share:.1%}", ""))
    if s.get("stop_reason"):
        rows.append(("stopped because", _e(s["stop_reason"]), ""))
    cells = "\n".join(f"<tr><td>{_e(a)}</td><td class=\"n\">{_e(b)}</td>"
                      f"<td class=\"n\">{_e(c)}</td></tr>" for a, b, c in rows)
    return ("<h2>Summary</h2><table><tr><th></th><th>value</th><th>95% interval</th></tr>\n"
            f"{cells}</table>")


def _figures(folder: Path, figures: Sequence[Path]) -> list[str]:
    out = ["<h2>Figures</h2>"]
    for path in figures:
        rel = Path(path).resolve().relative_to(folder.resolve()).as_posix()
        caption = CAPTIONS.get(Path(path).stem, "")
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        out.append(f"<figure><img src=\"data:image/png;base64,{data}\" "
                   f"alt=\"{_e(caption or rel)}\"><figcaption>{_e(caption)} "
                   f"(<code>{_e(rel)}</code>)</figcaption></figure>")
    return out


__all__ = ["write_report"]
