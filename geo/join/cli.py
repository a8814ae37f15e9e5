"""``qala join FILE``: the command line of ``geo.join.pipeline.join_user_data``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from geo.indicators.hotspots import DEFAULT_PERMUTATIONS, DEFAULT_SEED, H3_RESOLUTIONS
from geo.join.pipeline import join_user_data
from geo.join.spec import ENGINES, JoinSpec
from geo.settings import CITIES, survey_min_n


def add_parser(subparsers: Any) -> None:
    """The ``join`` subcommand on ``qala``'s subparsers."""
    p = subparsers.add_parser(
        "join",
        help="join your own points or district names to the districts: counts, shares, LQ, hot spots, report",
        description="Reads CSV (UTF-8, UTF-16, cp1251 or Latin-1; , ; or tab), Excel .xlsx, SPSS .sav, Stata "
        ".dta, GeoJSON or GeoParquet. Coordinates are "
        "found by name (lat/lon, latitude/longitude, x/y, широта/долгота) unless given; or use --district-col. "
        "Rows of several cities join in one run: by a city column (city/город/қала, or --city-col), or by "
        "where each point lies.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", default="qala-join",
                   help="output folder, replaced as a whole (default: ./qala-join)")
    p.add_argument("--city", choices=CITIES,
                   help="join this city only (rows of others set aside); default: every city of the rows")
    p.add_argument("--city-col", help="column with each row's city, in kk/ru/en (found by name otherwise)")
    p.add_argument("--vintage", help="boundary vintage, e.g. astana-5 (default: the city's latest)")
    p.add_argument("--sheet", help="the sheet of an Excel file to read (default: the first)")
    p.add_argument("--lat-col", help="latitude column (found by name otherwise)")
    p.add_argument("--lon-col", help="longitude column (found by name otherwise)")
    p.add_argument("--district-col", help="join by the district names in this column instead of coordinates")
    p.add_argument("--group-col",
                   help="group column (migrant category, origin region ...) for LQ and indices")
    p.add_argument("--weight-col", help="numeric weight per row (survey weights)")
    p.add_argument("--score", action="append", default=[], metavar="COL[:LOW-HIGH]",
                   help="score item (repeatable), e.g. --score q1:1-5; the scale is inferred from the answers "
                   "when not given; don't-know answers and blanks are not scored")
    p.add_argument("--top-box", type=int, default=1,
                   help="how many top answers form the top box (default 1: the highest; 2 on 1-5: 4 and 5)")
    p.add_argument("--min-n", type=int, default=None,
                   help=f"fewest respondents behind a shown estimate (default {survey_min_n()}, QALA_MIN_N)")
    p.add_argument("--h3-res", type=int, nargs="*", default=[8], choices=H3_RESOLUTIONS,
                   help="H3 resolutions for hot spots (default 8; none to skip)")
    p.add_argument("--permutations", type=int, default=None,
                   help=f"permutations for the Gi* pseudo p-value (default {DEFAULT_PERMUTATIONS}; 0 to skip); "
                   "given, also the tests of dissimilarity and isolation against random allocation, whose "
                   "p-values go into indices.csv")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the permutations")
    p.add_argument("--engine", choices=ENGINES, default="builtin", help="point-in-district engine")
    p.add_argument("--scheduler",
                   help="dask scheduler address (with --engine dask; default: a local cluster)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Join, write the outputs, print a summary; 0 on success (failures raise ``QalaError``)."""
    spec = JoinSpec(
        city=args.city, vintage=args.vintage, lat_col=args.lat_col, lon_col=args.lon_col,
        district_col=args.district_col, group_col=args.group_col, weight_col=args.weight_col,
        city_col=args.city_col, scores=tuple(args.score), top_box=args.top_box, min_n=args.min_n,
        sheet=args.sheet, h3_res=tuple(args.h3_res),
        permutations=DEFAULT_PERMUTATIONS if args.permutations is None else args.permutations,
        segregation_permutations=args.permutations or 0, seed=args.seed, engine=args.engine,
        scheduler=args.scheduler,
    )
    result = join_user_data(args.file, spec)
    paths = result.write(args.output)
    r = result.report
    tag = " [SYNTHETIC input]" if result.synthetic else ""
    print(f"{r['input']}{tag}: {r['input_rows']} rows, {r['joined_rows']} joined to {r['vintage']} "
          f"({r['city']}), {r['set_aside_rows']} set aside")
    for part in r.get("cities", []) if len(r.get("cities", [])) > 1 else []:
        print(f"  {part['city']} ({part['vintage']}): {part['joined_rows']} joined")
    for item, about in r.get("score_items", {}).items():
        print(f"  score {item} ({about['scale']}): {about['answered']} answered, {about['dont_know']} don't "
              f"know, {about['blank']} blank")
    for reason, n in r["set_aside_by_reason"].items():
        print(f"  set aside {n}: {reason}")
    for note in r["notes"]:
        print(f"  note: {note}")
    print(f"wrote {len(paths)} files to {Path(args.output)}")
    return 0
