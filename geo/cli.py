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

    from geo import export
    from geo.join import cli as userjoin  # subcommands owned by their modules

    userjoin.add_parser(sub)
    export.add_parser(sub)
    return parser


def _print_sources(args: argparse.Namespace) -> int:
    from geo.io.catalogue import format_catalogue

    print(format_catalogue())
    return 0


def _build(args: argparse.Namespace) -> int:
    from geo.build.run import run

    run(force=args.force, quiet=args.quiet)
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
