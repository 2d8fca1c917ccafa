"""Figures and the report: every file is a valid PNG drawn from the saved files alone, the
report embeds every figure and links only files that exist, and redrawing gives the same
bytes."""

from __future__ import annotations

import base64
import html.parser
import shutil

import numpy as np
import pytest
from matplotlib.image import imread

import sim
from sim.cli import main
from sim.outputs.figures import figure_names
from sim.studies import folders
from tests.helpers import textbook

PNG = b"\x89PNG\r\n\x1a\n"
ALL = ["outcomes", "agreement_over_time", "terms", "front_line", "blockers", "utilities"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("fig") / "run"
    sim.run(textbook("statics"), runs=300, seed=5, workers=1, out=out)
    return out


@pytest.fixture(scope="module")
def deadlocked(tmp_path_factory):
    """Red lines at both ideals: no deal exists, so no agreement in any replication."""
    sc = textbook("statics", **{"actors.a.positions.region.red_line": 0,
                                "actors.b.positions.region.red_line": 1})
    out = tmp_path_factory.mktemp("fig") / "deadlock"
    sim.run(sc, runs=50, seed=5, workers=1, out=out)
    return out


class Links(html.parser.HTMLParser):
    """Every src and href in a page."""

    def __init__(self):
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.targets += [v for k, v in attrs if k in ("src", "href") and v]


def links(page) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.targets


def check_pngs(folder, names) -> None:
    for name in names:
        path = folder / "figures" / f"{name}.png"
        assert path.read_bytes()[:8] == PNG, name
        pixels = imread(path)
        assert pixels.shape[0] > 300 and pixels.shape[1] > 500, name
        assert np.ptp(pixels[..., :3]) > 0.5, f"{name} is blank"


@pytest.mark.parametrize("which", ["folder", "deadlocked"])
def test_every_figure_is_a_valid_png(which, request):
    run = request.getfixturevalue(which)
    assert sorted(p.name for p in (run / "figures").iterdir()) == sorted(f"{n}.png" for n in ALL)
    check_pngs(run, ALL)


def test_deadlocked_run_has_no_agreement(deadlocked):
    assert sim.Results.load(deadlocked).summary["p_agreement"] == 0.0


def test_front_line_only_with_a_battlefield():
    assert "front_line" not in figure_names(textbook("nash-two"))
    assert list(figure_names(textbook("statics"))) == ALL


@pytest.mark.parametrize("which", ["folder", "deadlocked"])
def test_report_embeds_every_figure_and_links_only_files_that_exist(which, request):
    run = request.getfixturevalue(which)
    targets = links(run / folders.REPORT)
    embedded = [t for t in targets if t.startswith("data:image/png;base64,")]
    assert sorted(base64.b64decode(t.split(",", 1)[1]) for t in embedded) == \
        sorted((run / "figures" / f"{n}.png").read_bytes() for n in ALL)  # self-contained
    for target in set(targets) - set(embedded):
        assert "://" not in target and not target.startswith("/"), target
        assert (run / target).is_file(), target
    text = (run / folders.REPORT).read_text(encoding="utf-8")
    assert "not forecasts" in text


def test_report_names_blockers_and_sticking_issues_by_their_labels(deadlocked):
    # no deal exists: every run ends without agreement, stuck on the one issue
    sc = sim.load_scenario(deadlocked / "scenario.yaml")
    text = (deadlocked / folders.REPORT).read_text(encoding="utf-8")
    issue = sc.issues["region"].label or "region"
    assert f"stuck on {html.escape(issue)} (share of runs without agreement)</td>" \
           "<td class=\"n\">100.0%" in text
    assert "blocked by " in text


def test_report_escapes_scenario_text(tmp_path):
    sc = textbook("nash-two").with_overrides({"title": "<script>alert(1)</script> & co"})
    out = tmp_path / "run"
    sim.run(sc, runs=5, workers=1, out=out)
    text = (out / folders.REPORT).read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text


def test_plot_redraws_from_saved_files_to_the_same_bytes(folder, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    before = {p.name: p.read_bytes() for p in (copy / "figures").iterdir()}
    shutil.rmtree(copy / "figures")
    (copy / folders.REPORT).unlink()
    assert main(["plot", str(copy)]) == 0
    after = {p.name: p.read_bytes() for p in (copy / "figures").iterdir()}
    assert after == before
    assert (copy / folders.REPORT).is_file()
    assert str(copy / "report.html") in capsys.readouterr().out


def test_plot_refuses_an_unfinished_folder(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["plot", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "empty" in err[0]
