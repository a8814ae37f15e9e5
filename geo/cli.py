"""The ``qala`` command: one entry point, one line and exit code 2 for every expected failure."""

from __future__ import annotations

import argparse
import sys

from geo.errors import QalaError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qala", description="Qala Atlas: internal migration in Kazakhstan's cities.")
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="sources catalogue and the build of every layer")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    sources = data_sub.add_parser("sources", help="print the sources catalogue")
    sources.set_defaults(func=_print_sources)
    build = data_sub.add_parser("build", help="acquire sources and build every layer (what `make data` runs)")
    build.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    build.add_argument("--quiet", action="store_true", help="no progress lines")
    build.set_defaults(func=_build)

    from geo import export, publish
    from geo.join import cli as userjoin  # subcommands owned by their modules

    userjoin.add_parser(sub)
    export.add_parser(sub)
    publish.add_parser(sub)

    demo = sub.add_parser("demo", help="synthetic demo inputs (labelled SYNTHETIC) to try the tools on")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    survey = demo_sub.add_parser("survey", help="a seeded synthetic 3-city survey CSV (Russian headers, ; and "
                                 "comma decimals) to try `qala join` and `qala publish` on")
    survey.add_argument("-o", "--output", default="survey.csv", help="CSV to write (default: survey.csv)")
    survey.add_argument("--rows", type=int, default=1200, help="respondents (default 1200)")
    survey.add_argument("--seed", type=int, default=7, help="random seed: same seed, same file (default 7)")
    survey.add_argument("--wave", type=int, default=1, help="survey wave: the same population asked again, "
                        "Q1 risen in each city's first district from wave 2 on (default 1)")
    survey.set_defaults(func=_demo_survey)
    return parser


def _print_sources(args: argparse.Namespace) -> int:
    from geo.io.catalogue import format_catalogue

    print(format_catalogue())
    return 0


def _build(args: argparse.Namespace) -> int:
    from geo.build.run import run

    run(force=args.force, quiet=args.quiet)
    return 0


def _demo_survey(args: argparse.Namespace) -> int:
    from geo import store
    from geo.engines.synthetic_survey import (
        CITY_COLUMN,
        CIVIL_SERVICE,
        DISTRICT_COLUMN,
        GROUP_COLUMN,
        ITEMS,
        SECTOR_COLUMN,
        WEIGHT_COLUMN,
        synthetic_survey,
        write_survey_csv,
    )

    frame = synthetic_survey(store.load_districts(), args.rows, seed=args.seed, wave=args.wave)
    path = write_survey_csv(frame, args.output)
    per_city = frame[CITY_COLUMN].value_counts().to_dict()
    print(f"wrote {len(frame)} SYNTHETIC respondents to {path} ({', '.join(f'{c} {n}' for c, n in per_city.items())};"
          f" seed {args.seed}, wave {args.wave})")
    scores = " ".join(f"--score {item}:1-5" for item in ITEMS) + f" --score {SECTOR_COLUMN}={CIVIL_SERVICE}"
    print(f"next: qala join {path} --city-col {CITY_COLUMN} --district-col {DISTRICT_COLUMN} --group-col "
          f"{GROUP_COLUMN} --weight-col {WEIGHT_COLUMN} {scores} -o survey-out")
    print("then: qala publish survey-out --name demo-survey --title 'Demo survey' --source 'qala demo' "
          "--period 2024")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except QalaError as exc:
        print(f"qala: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qala: interrupted; outputs left as they were", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
