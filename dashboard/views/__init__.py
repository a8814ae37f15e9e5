"""The map views, one module each: a view state in, a :class:`~dashboard.views.base.MapView` out.

- :mod:`~dashboard.views.concentration`: layer 1 in a city (districts coloured by a figure series);
- :mod:`~dashboard.views.overview`: layer 1 for the country (the three cities compared);
- :mod:`~dashboard.views.leftbank`: layer 2 (Astana's banks, institutions, left-bank share);
- :mod:`~dashboard.views.perception`: layer 3 (stance scores per city, origins of newcomers);
- :mod:`~dashboard.views.survey`: a published survey dataset on layer 1 (counts) or 3 (score items);
- :mod:`~dashboard.views.twomaps`: layer 1 at two dates side by side (the second map, shared classes).

The layout draws the first view of a link with :func:`first_view`, the callbacks every later one; both get the
same cached record (the view model never changes while serving).
"""

from __future__ import annotations

import base64
import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from types import ModuleType

import geopandas as gpd
import pandas as pd
import shapely

from dashboard.controls.sync import sync_state
from dashboard.i18n import pick_language
from dashboard.state.query import Notice, ViewState
from dashboard.state.viewmodel import NATIONAL, ViewModel
from dashboard.views import change, concentration, leftbank, overview, perception, profile, survey, twomaps
from dashboard.views.base import ExportTable, MapLayer, MapView, Style, geo_url, notice_text, value_words
from geo.settings import render_cache_bytes, render_cache_size
from geo.store import as_bytes

DOWNLOAD_TYPES = {"csv": "text/csv", "geojson": "application/geo+json"}


def view_module(state: ViewState) -> ModuleType:
    """The module that draws a state's layer (and, for layer 1, city or country); a published survey
    dataset, when one is chosen, instead of the layer's own figures."""
    if state.dataset:
        return survey
    if state.layer == "leftbank":
        return leftbank
    if state.layer == "perception":
        return perception
    if state.change:
        return change
    return overview if state.city == NATIONAL else concentration


def first_view(vm: ViewModel, search: str | None, accept_language: str | None
               ) -> tuple[ViewState, list[Notice], MapView]:
    """The state a link opens (unknown values fall back, with notices) and everything drawn for it."""
    state, notices = sync_state(vm, "url", search, {}, None, pick_language(accept_language))
    return state, notices, render(vm, state, notices)


def render(vm: ViewModel, state: ViewState, notices: Iterable[Notice] = ()) -> MapView:
    """Everything the page shows for a state, the link's notices first (the view cached per worker, keyed by
    the checked state only: notices are added outside the cache)."""
    view = _RENDERED.get((id(vm), state))
    if not isinstance(view, MapView):  # not drawn yet (a state's key holds its MapView, never a second map)
        view = view_module(state).render(vm, state)
        if state.profile:  # the map stays; the side panel shows the district's profile
            view = replace(view, details=profile.profile_panel(vm, state))
        _RENDERED.put((id(vm), state), view)
    notices = tuple(notices)
    if not notices:
        return view
    words = partial(value_words, vm, state)  # a notice names what it shows instead, never by its code
    return replace(view, notices=(*[notice_text(n, state.lang, words) for n in notices], *view.notices))


def second_map(vm: ViewModel, state: ViewState) -> twomaps.SecondMap | None:
    """The second map of two dates side by side, or None (cached like the views, keyed apart from them)."""
    if not twomaps.active(state) or view_module(state) is not concentration:
        return None
    key = (id(vm), state, "second")
    second: object = _RENDERED.get(key)
    if second is None:
        second = concentration.second_map(vm, state)
        if second is not None:
            _RENDERED.put(key, second)
    return second if isinstance(second, twomaps.SecondMap) else None


class _ViewCache:
    """A least-recently-used cache bounded by entries and by bytes (each view's pickled size), thread-safe:
    arbitrary states must not grow a worker without limit. It keeps the views and the second maps."""

    def __init__(self, entries: int, max_bytes: int) -> None:
        self.entries, self.max_bytes = entries, max_bytes
        self._items: OrderedDict[object, tuple[MapView | twomaps.SecondMap, int]] = OrderedDict()
        self.bytes = 0
        self._lock = threading.Lock()

    def get(self, key: object) -> MapView | twomaps.SecondMap | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: object, view: MapView | twomaps.SecondMap) -> None:
        try:
            size = len(pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # noqa: BLE001 -- a view that cannot be measured is not kept
            return
        if size > self.max_bytes or self.entries == 0:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self.bytes -= old[1] if old else 0
            self._items[key] = (view, size)
            self.bytes += size
            while len(self._items) > self.entries or self.bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self.bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)


_RENDERED = _ViewCache(render_cache_size(), render_cache_bytes())


def clear_render_cache() -> None:
    """Forget drawn views (after the view model changed under them, as tests do)."""
    _RENDERED.clear()


def export_table(vm: ViewModel, state: ViewState) -> ExportTable:
    """The current layer's rows for download, and the served layer their geometry comes from."""
    return view_module(state).export(vm, state)


def export_frame(vm: ViewModel, table: ExportTable) -> gpd.GeoDataFrame:
    """The rows with the geometry served for them (None where there is none), EPSG:4326."""
    geometry = {}
    if table.layer:
        for feature in json.loads(vm.geo[table.layer].raw)["features"]:
            if feature.get("geometry"):
                geometry[feature["properties"]["fid"]] = shapely.geometry.shape(feature["geometry"])
    frame = pd.DataFrame(table.rows)
    return gpd.GeoDataFrame(frame, geometry=[geometry.get(r["fid"]) for r in table.rows], crs="EPSG:4326")


def download_data(frame: pd.DataFrame, stem: str, fmt: str) -> dict:
    """A dcc.Download payload of a frame as ``csv`` or ``geojson`` (written by geo.store.as_bytes)."""
    return {"content": base64.b64encode(as_bytes(frame, fmt)).decode(), "filename": f"{stem}.{fmt}",
            "base64": True, "type": DOWNLOAD_TYPES[fmt]}


# The views' public face: what the upload page, the brief and the page take from here.
SecondMap = twomaps.SecondMap
current_series = concentration.current_series
profile_rows = profile.profile_rows
__all__ = ["ExportTable", "MapLayer", "MapView", "SecondMap", "Style", "clear_render_cache", "current_series",
           "download_data", "export_frame", "export_table", "first_view", "geo_url", "profile_rows", "render", "second_map",
           "view_module"]
