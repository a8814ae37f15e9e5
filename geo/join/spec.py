"""``JoinSpec``: every choice of a researcher's join in one typed, checked object.

``qala join`` (``geo.join.cli``), the browser upload (``dashboard.upload.callbacks``) and the notebook API (``geo.api``)
each build one, and ``geo.join.pipeline.join_user_data`` runs it, so the three can never drift apart: a choice
the command line has, the page and the API have too, with the same defaults and the same checks. A spec is
plain data (``as_dict``/``from_dict``), so it crosses into the browser's child join process and comes back
from a browser form only through ``from_dict``, which checks every field's type and bound.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from geo.errors import BadInput, UnknownName
from geo.indicators.hotspots import DEFAULT_PERMUTATIONS, DEFAULT_SEED, H3_RESOLUTIONS
from geo.join.cells import Scale
from geo.join.choose import resolutions
from geo.settings import CITIES, MIN_N_FLOOR, survey_min_n

ENGINES = ("builtin", "dask")
SCORE_SPEC = re.compile(r"^(?P<column>.+?)\s*:\s*(?P<low>-?\d+)\s*-\s*(?P<high>-?\d+)$")
COLUMN_ROLES = ("lat_col", "lon_col", "district_col", "group_col", "weight_col", "city_col")
MAX_NAME = 300  # longest column or sheet name a spec takes (a header cell, not a document)
MAX_SCORES = 500  # most score items one join takes
MAX_PERMUTATIONS = 99_999


def parse_score(spec: str) -> tuple[str, Scale | None]:
    """``"q1"`` -> ("q1", None: inferred); ``"q1:1-5"`` -> ("q1", (1.0, 5.0)); ``BadInput`` for a scale whose
    low end is not below its high end."""
    found = SCORE_SPEC.match(spec.strip())
    if found is None:
        return spec.strip(), None
    low, high = float(found["low"]), float(found["high"])
    if not low < high:
        raise BadInput(f"score scale {spec!r}: the low end must be below the high end; write e.g. q1:1-5 "
                       "(--score)")
    return found["column"], (low, high)


@dataclass(frozen=True)
class JoinSpec:
    """What to join and how; the defaults are ``qala join``'s.

    Columns (``*_col``) are found by name when None. ``scores`` are score columns, each optionally with its
    scale (``"q1:1-5"``); ``auto_scores`` takes columns named like q1 when none are given. ``min_n`` None is
    ``geo.settings.survey_min_n()``; a join with scores or an explicit ``min_n`` passes the release gate.
    ``sheet`` picks a spreadsheet's sheet (default: the first). ``h3_res`` empty: no hexagons.
    """

    city: str | None = None
    vintage: str | None = None
    lat_col: str | None = None
    lon_col: str | None = None
    district_col: str | None = None
    group_col: str | None = None
    weight_col: str | None = None
    city_col: str | None = None
    scores: tuple[str, ...] = ()
    top_box: int = 1
    min_n: int | None = None
    auto_scores: bool = False
    sheet: str | None = None
    h3_res: tuple[int, ...] = (8,)
    permutations: int = DEFAULT_PERMUTATIONS
    segregation_permutations: int = 0
    seed: int = DEFAULT_SEED
    alpha: float = 0.05
    engine: str = "builtin"
    scheduler: str | None = None
    items: dict[str, Scale | None] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scores", tuple(self.scores))
        object.__setattr__(self, "h3_res", tuple(resolutions(self.h3_res)))
        self._check()
        object.__setattr__(self, "items", dict(parse_score(s) for s in self.scores))

    def _check(self) -> None:
        if self.engine not in ENGINES:
            raise BadInput(f"unknown engine {self.engine!r}; use one of {', '.join(ENGINES)}")
        if self.city is not None and self.city not in CITIES:
            raise UnknownName(f"unknown city {self.city!r}; use one of {', '.join(CITIES)} (--city)")
        if self.top_box < 1:
            raise BadInput(f"--top-box {self.top_box}: give how many top answers form the top box (1 or more)")
        if self.min_n is not None and self.min_n < MIN_N_FLOOR:
            raise BadInput(f"--min-n {self.min_n} would show estimates of a single respondent; give "
                           f"{MIN_N_FLOOR} or more (default {survey_min_n()})")
        if len(self.scores) > MAX_SCORES:
            raise BadInput(f"{len(self.scores):,} score items; at most {MAX_SCORES} can be joined at once: "
                           "join the items in several runs")
        if not 0 <= self.permutations <= MAX_PERMUTATIONS or not 0 <= self.segregation_permutations \
                <= MAX_PERMUTATIONS:
            raise BadInput(f"--permutations: give 0 to {MAX_PERMUTATIONS:,}")
        if not 0 < self.alpha < 1:
            raise BadInput(f"alpha {self.alpha}: give a significance level between 0 and 1")

    @property
    def gated(self) -> bool:
        """Whether the join passes the release gate: score items, or an explicit ``min_n``."""
        return bool(self.items) or self.auto_scores or self.min_n is not None

    def with_changes(self, **changes: Any) -> JoinSpec:
        """A copy with some choices changed (checked again)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (lists for tuples), the inverse of ``from_dict``."""
        data = asdict(self)
        data.pop("items")
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JoinSpec:
        """A spec from plain data (a browser form, a saved spec): unknown keys, wrong types and over-long
        names are refused with one line; nothing is taken unchecked."""
        if not isinstance(data, Mapping):
            raise BadInput("join choices: expected a mapping of choices")
        known = {f.name: f for f in fields(cls) if f.init}
        unknown = sorted(set(map(str, data)) - set(known))
        if unknown:
            raise BadInput(f"join choices: unknown {', '.join(unknown[:5])}; known are {', '.join(known)}")
        return cls(**{key: _checked(key, value) for key, value in data.items()})


def _checked(key: str, value: Any) -> Any:
    """One field of ``from_dict``, type- and length-checked."""
    if key in (*COLUMN_ROLES, "city", "vintage", "sheet", "scheduler"):
        if value is None or (isinstance(value, str) and 0 < len(value) <= MAX_NAME):
            return value
        raise BadInput(f"join choice {key}: give a name of 1 to {MAX_NAME} characters, or nothing")
    if key == "scores":
        if isinstance(value, (list, tuple)) and len(value) <= MAX_SCORES and all(
                isinstance(v, str) and 0 < len(v) <= MAX_NAME + 20 for v in value):
            return tuple(value)
        raise BadInput(f"join choice scores: give at most {MAX_SCORES} column names")
    if key == "h3_res":
        if isinstance(value, (list, tuple)) and len(value) <= len(H3_RESOLUTIONS) and all(
                type(v) is int for v in value):
            return tuple(value)
        raise BadInput(f"join choice h3_res: give resolutions among {H3_RESOLUTIONS}")
    if key == "auto_scores":
        if isinstance(value, bool):
            return value
        raise BadInput("join choice auto_scores: give true or false")
    if key == "alpha":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise BadInput("join choice alpha: give a number")
    if key == "engine":
        if isinstance(value, str):
            return value
        raise BadInput(f"join choice engine: give one of {', '.join(ENGINES)}")
    if key == "min_n" and value is None:
        return None
    if type(value) is int:  # top_box, min_n, permutations, segregation_permutations, seed
        return value
    raise BadInput(f"join choice {key}: give a whole number")

