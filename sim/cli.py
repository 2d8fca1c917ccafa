"""The ``peacesim`` command line. It only parses arguments and calls the library.

Bad input of any kind ends with one clear line per problem on stderr and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence

import sim
from sim.errors import PeacesimError
from sim.paths import dotted, parameters
from sim.scenario import parse_assignment

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _overrides(pairs: Sequence[str]) -> dict:
    return dict(parse_assignment(p) for p in pairs)


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


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of scenario files."""
    from sim.schema import json_schema

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.func(args)
    except PeacesimError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("peacesim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `peacesim schema | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
