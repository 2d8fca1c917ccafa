"""The ``peacesim`` command line. It only parses arguments and calls the library.

Bad input of any kind ends with one clear line per problem on stderr and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import sim
from sim.errors import PeacesimError, ScenarioError, StudyInterruptedError
from sim.scenario import parse_assignment
from sim.scenario.paths import dotted, parameters

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _overrides(pairs: Sequence[str]) -> dict:
    """The ``--set PATH=VALUE`` pairs; every one that cannot be read is named at once."""
    overrides, problems = {}, []
    for pair in pairs:
        try:
            path, value = parse_assignment(pair)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        overrides[path] = value
    if problems:
        raise ScenarioError(problems)
    return overrides


def cmd_validate(args: argparse.Namespace) -> int:
    """Check scenario files; print one line per problem."""
    overrides = _overrides(args.set)
    failed = 0
    for path in args.files:
        try:
            sc = sim.load_scenario(path)
            if overrides:
                sc = sc.with_overrides(overrides)
        except PeacesimError as exc:
            print(exc, file=sys.stderr)
            failed += 1
            continue
        params = list(parameters(sc))
        uncertain = sum(1 for _, v, _ in params if hasattr(v, "dist"))
        print(f"{path}: ok ({len(sc.issues)} issues, {len(sc.actors)} actors, "
              f"{uncertain} uncertain parameters)")
        if args.params:
            for p, value, _ in params:
                if value is not None:
                    shown = value.model_dump(exclude_none=True) if hasattr(value, "dist") else value
                    print(f"  {dotted(p)} = {shown}")
    return EXIT_BAD_INPUT if failed else 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run a Monte Carlo study, or finish an interrupted one."""
    from sim.studies.study import default_out

    quiet = args.quiet
    if args.resume:
        if args.scenario or args.set or args.runs or args.seed is not None or args.out or \
                args.precision:
            raise PeacesimError("--resume takes only the run folder (and optionally --workers "
                                "or --scheduler): it holds everything else")
        results = sim.resume(args.resume, workers=args.workers, scheduler=args.scheduler,
                             quiet=quiet)
    else:
        sc = _scenario(args)
        seed = sc.seed if args.seed is None else args.seed
        runs = args.runs or sc.runs
        out = args.out or default_out(sc, seed, runs)
        results = sim.run(sc, runs=runs, seed=seed, workers=args.workers,
                          scheduler=args.scheduler, out=out, precision=args.precision,
                          quiet=quiet, command=shlex.join(["peacesim", *sys.argv[1:]]))
    _report(results, quiet)
    return 0


def _report(results, quiet: bool) -> None:
    s = results.summary
    lo, hi = s["p_agreement_ci95"]
    print(f"{results.folder}: {s['runs']} runs, P(agreement) {s['p_agreement']:.3f} "
          f"[{lo:.3f}, {hi:.3f}]" + ("" if quiet else f"; open {results.folder}/report.html"))


def cmd_plot(args: argparse.Namespace) -> int:
    """Redraw the figures and report of a run folder, or a sweep folder's figure, from its
    saved files."""
    from sim.outputs import draw_run, draw_sweep

    if _kind(args.folder) == "sweep":
        sim.load_sweep(args.folder)  # refuses unfinished or damaged sweeps
        for path in draw_sweep(Path(args.folder)):
            print(path)
        return 0
    results = sim.Results.load(args.folder)  # refuses unfinished or damaged folders
    for path in draw_run(results.folder):
        print(path)
    print(results.folder / "report.html")
    return 0


def _kind(folder: str) -> str:
    """"sweep" or "run", from the folder's manifest ("run" when it cannot tell: loading it
    as a run then says what is wrong)."""
    from sim.studies import folders

    try:
        manifest = folders.read_json(Path(folder) / folders.MANIFEST)
    except PeacesimError:
        return "run"
    return manifest.get("kind", "run") if isinstance(manifest, dict) else "run"


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare finished runs side by side."""
    from sim.outputs.comparison import compare

    labels = args.labels.split(",") if args.labels else None
    comparison = compare(args.folders, out=args.out, labels=labels)
    print(comparison)
    if args.out:
        print(f"written to {args.out}")
    return 0


def _scenario(args: argparse.Namespace) -> sim.Scenario:
    """The scenario named on the command line (or the default one), with its --set values."""
    from sim.studies.study import DEFAULT_SCENARIO

    sc = sim.load_scenario(args.scenario or DEFAULT_SCENARIO)
    return sc.with_overrides(_overrides(args.set)) if args.set else sc


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a parameter sweep, or finish an interrupted one."""
    from sim import api
    from sim.studies import sweeps

    if args.resume:
        if args.scenario or args.set or args.grid or args.lhs or args.runs or \
                args.seed is not None or args.out or args.samples:
            raise PeacesimError("--resume takes only the sweep folder (and optionally --workers "
                                "or --scheduler): it holds everything else")
        table = api.resume_sweep(args.resume, workers=args.workers,
                                 scheduler=args.scheduler, quiet=args.quiet)
        folder = args.resume
    else:
        if bool(args.grid) == bool(args.lhs):
            raise PeacesimError("sweep: give --grid PATH=V1,V2,... or --lhs PATH=LO:HI "
                                "--samples M (not both)")
        sc = _scenario(args)
        if args.grid:
            pairs, design = [sweeps.parse_grid(g) for g in args.grid], "grid"
        else:
            pairs, design = [sweeps.parse_range(r) for r in args.lhs], "lhs"
        parameters = sweeps.as_parameters(pairs)
        seed = sc.seed if args.seed is None else args.seed
        runs = args.runs or sc.runs
        folder = args.out or sweeps.default_out(sc, seed, runs)
        table = sim.sweep(sc, parameters, design=design, samples=args.samples,
                          design_seed=args.design_seed, runs=runs, seed=seed,
                          workers=args.workers, scheduler=args.scheduler, out=folder,
                          quiet=args.quiet, command=shlex.join(["peacesim", *sys.argv[1:]]))
    print(table.to_string(index=False, max_cols=12))
    print(f"written to {folder}")
    return 0


def cmd_threshold(args: argparse.Namespace) -> int:
    """Find where P(agreement) crosses a target as one parameter varies."""
    from sim.studies import sweeps
    from sim.studies.thresholds import threshold

    path, (low, high) = sweeps.parse_range(args.param, "--param")
    answer = threshold(_scenario(args), path, low, high, target=args.target, runs=args.runs,
                       seed=args.seed, workers=args.workers, scheduler=args.scheduler,
                       steps=args.steps, where=args.where, quiet=args.quiet)
    print(answer.evaluations.to_string(index=False))
    print(answer)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of scenario files."""
    from sim.scenario.schema import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="peacesim",
        description="Simulate peace negotiations held while a war goes on. Results explore the "
                    "assumptions in a scenario file; they are not forecasts.")
    parser.add_argument("--version", action="version", version=f"peacesim {sim.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, func: Callable, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(func=func)
        return sub

    validate = command("validate", cmd_validate, "check scenario files and report every problem")
    validate.add_argument("files", nargs="+", metavar="SCENARIO.yaml")
    validate.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                          help="override a value (read as YAML) before checking; repeatable")
    validate.add_argument("--params", action="store_true",
                          help="also list every numeric parameter path and its value")
    command("schema", cmd_schema, "print the JSON Schema of scenario files")

    run = command("run", cmd_run, "run a Monte Carlo study and write a results folder")
    run.add_argument("scenario", nargs="?", metavar="SCENARIO.yaml",
                     help="scenario file (default: scenarios/geneva-2026.yaml)")
    _study_options(run)
    run.add_argument("--out", metavar="DIR",
                     help="results folder (default: results/<scenario>/<UTC time>-<hash>)")
    run.add_argument("--precision", type=_fraction, metavar="H",
                     help="add replications until the 95%% interval of P(agreement) is "
                          "within +-H")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--resume", metavar="RUN_DIR",
                     help="finish an interrupted study; the folder holds all it needs")

    sweep = command("sweep", cmd_sweep, "run a study at every point of a parameter design")
    sweep.add_argument("scenario", nargs="?", metavar="SCENARIO.yaml",
                       help="scenario file (default: scenarios/geneva-2026.yaml)")
    sweep.add_argument("--grid", action="append", default=[], metavar="PATH=V1,V2,...",
                       help="a full grid over these values (read as YAML); repeatable")
    sweep.add_argument("--lhs", action="append", default=[], metavar="PATH=LO:HI",
                       help="a Latin hypercube over these ranges; repeatable; needs --samples")
    sweep.add_argument("--samples", type=_positive, metavar="M", help="points of a --lhs design")
    sweep.add_argument("--design-seed", type=_natural, default=0,
                       help="seed of the --lhs design (default 0)")
    _study_options(sweep)
    sweep.add_argument("--out", metavar="DIR",
                       help="sweep folder (default: results/<scenario>/sweep-<UTC time>-<hash>)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument("--resume", metavar="SWEEP_DIR",
                       help="finish an interrupted sweep; the folder holds all it needs")

    thr = command("threshold", cmd_threshold,
                  "find the value of a parameter at which P(agreement) crosses a target")
    thr.add_argument("scenario", nargs="?", metavar="SCENARIO.yaml",
                     help="scenario file (default: scenarios/geneva-2026.yaml)")
    thr.add_argument("--param", required=True, metavar="PATH=LO:HI",
                     help="the parameter and the range to search")
    thr.add_argument("--target", type=_probability, default=0.5, metavar="P",
                     help="the P(agreement) to cross (default 0.5)")
    thr.add_argument("--where", metavar="CONDITION",
                     help="count only agreements on these terms, e.g. 'deal.donbas >= 0.5' "
                          "(conditions on outcomes.csv columns joined by 'and')")
    thr.add_argument("--quiet", action="store_true", help="no progress bars")
    thr.add_argument("--steps", type=_positive, default=8,
                     help="bisection steps (default 8: the bracket is 1/256 of the range)")
    _study_options(thr)

    plot = command("plot", cmd_plot, "redraw the figures and report of a run folder (or the "
                   "figure of a sweep folder)")
    plot.add_argument("folder", metavar="RUN_DIR")

    comp = command("compare", cmd_compare, "compare finished runs side by side")
    comp.add_argument("folders", nargs="+", metavar="RUN_DIR")
    comp.add_argument("--out", metavar="DIR", help="write figures and tables to DIR (new)")
    comp.add_argument("--labels", metavar="A,B,...",
                      help="names for the runs, comma-separated (default: scenario names)")
    return parser


def _study_options(sub: argparse.ArgumentParser) -> None:
    """--runs, --seed, --workers | --scheduler and --set, as ``run`` has them."""
    sub.add_argument("--runs", type=_positive, help="replications (default: the scenario's)")
    sub.add_argument("--seed", type=_natural, help="root seed (default: the scenario's)")
    where = sub.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive,
                       help="processes (default: one per core; 1 runs in this process)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    sub.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                     help="override a value of the scenario (read as YAML); repeatable")


def _number(kind, test, expected: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not test(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value
    return parse


_positive = _number(int, lambda v: v >= 1, "a whole number >= 1")
_natural = _number(int, lambda v: 0 <= v < 2**63, "a whole number >= 0")
_fraction = _number(float, lambda v: 0 < v < 0.5, "a number between 0 and 0.5")
_probability = _number(float, lambda v: 0 < v < 1, "a probability between 0 and 1")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.func(args)
    except StudyInterruptedError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INTERRUPTED
    except PeacesimError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("peacesim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `peacesim schema | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the machine said no (a file, a disk): one line, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"peacesim: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
