"""Checking each different needling site of an import once.

A clinic's sites repeat (the same points, the same needles): the 100,000-session
benchmark export has 494,012 site rows and about 4,000 different ones. ``parse_site``
is remembered by content, and so are the site's database values.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from ..domain.models import Site
from ..domain.validate import as_bool, parse_site
from ..store.rows import SITE_COLUMNS, site_values
from .compact import MISSING, SiteView

_SCALAR_SITE_COLUMNS = tuple(c for c in SITE_COLUMNS if c != "deqi_quality")
_scalar_site_values = itemgetter(*_SCALAR_SITE_COLUMNS)
_THORAX = SITE_COLUMNS.index("thorax_risk")


class SiteMemo:
    """``parse_site`` remembered by content. The database values of a site (with the
    thorax flag as recorded) are remembered too.

    A site may be given as a mapping, or as a :class:`SiteView` of a packed row: sites
    whose content the reader found to be the same text share one content tuple, and
    are known again by it without comparing values."""

    def __init__(self) -> None:
        # key -> [Site, database values in SITE_COLUMNS order, or None]
        self.cache: dict[tuple[Any, ...], list[Any]] = {}
        # (technique, id of a shared content tuple) -> (the tuple, kept alive; entry)
        self.shared: dict[tuple[str, int], tuple[Any, list[Any]]] = {}
        self.last: dict[int, list[Any]] = {}  # id(row) -> its cache entry, until values()

    @staticmethod
    def key(raw: Mapping[str, Any], technique: str) -> tuple[Any, ...]:
        quality = raw.get("deqi_quality", MISSING)  # a list in JSON: the one list column
        try:
            values = _scalar_site_values(raw)  # every column there: the usual case
        except KeyError:  # a missing column is not a null one (insertions defaults to 1)
            values = tuple(raw.get(c, MISSING) for c in _SCALAR_SITE_COLUMNS)
        # The types too: True == 1 == 1.0 to Python, but a count refuses true.
        return (
            technique,
            tuple(quality) if isinstance(quality, list) else quality,
            values,
            tuple(map(type, values)),
        )

    def __call__(self, raw: Mapping[str, Any], technique: str, field: str = "site") -> Site:
        view = raw if type(raw) is SiteView else None
        if view is not None:
            known = self.shared.get((technique, id(view.content)))
            if known is not None:
                found: Site = known[1][0]
                return found
            raw = view.data()
        try:
            key = self.key(raw, technique)
            hit = self.cache.get(key)
        except TypeError:  # an unhashable value where a number goes: checked, not kept
            return parse_site(raw, technique, field=field)
        if hit is None:
            hit = self.cache[key] = [parse_site(raw, technique, field=field), None]
        if view is not None:
            self.shared[(technique, id(view.content))] = (view.content, hit)
        else:
            self.last[id(raw)] = hit  # values() comes next for the same row
        found = hit[0]
        return found

    def values(self, raw: Mapping[str, Any], technique: str, site: Site) -> tuple[Any, ...]:
        """The site's database values in ``SITE_COLUMNS`` order; the thorax flag
        recorded at the time is kept, even if the catalogue changed since."""
        if type(raw) is SiteView:
            known = self.shared.get((technique, id(raw.content)))
            hit = known[1] if known is not None else None
        else:
            hit = self.last.pop(id(raw), None)
        if hit is None:
            try:
                hit = self.cache.get(self.key(_plain(raw), technique))
            except TypeError:
                hit = None
        if hit is not None and hit[1] is not None:
            kept: tuple[Any, ...] = hit[1]
            return kept
        values = list(site_values(site))
        thorax = raw.get("thorax_risk")
        if thorax not in (None, ""):
            values[_THORAX] = int(as_bool("thorax_risk", thorax))
        result = tuple(values)
        if hit is not None:
            hit[1] = result
        return result


def _plain(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    return raw.data() if type(raw) is SiteView else raw
