"""The Qt table model of a list, made from its description (``fieldapp.store.lists``).

The description names each column's formatter kind (``show``); this module says how each
kind reads in a cell. The rows page in through :mod:`fieldapp.store.list_query` on the
database lane (:class:`~fieldapp.ui.models.paged.PagedTableModel`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sqlalchemy.orm import Session

from fieldapp.domain.weeks import to_stockholm
from fieldapp.i18n import _
from fieldapp.store.list_query import ListColumn, ListFilter, ListSpec, list_count, list_page
from fieldapp.ui.context import AppContext
from fieldapp.ui.models import text
from fieldapp.ui.models.paged import Column, PagedTableModel


def _text(value) -> str:
    return "" if value is None else str(value)


def _count(value: int | None) -> str:
    """A count, blank when there is none (a column of mostly zeros reads better empty)."""
    return text.number(value) if value else ""


def _first_line(value: str | None) -> str:
    return value.splitlines()[0] if value else ""


def _shift_end(starts_at, ends_at) -> str:
    """The end time alone on the start's day; "running" while the shift goes on."""
    if ends_at is None:
        return _("running")
    if to_stockholm(ends_at).date() == to_stockholm(starts_at).date():
        return to_stockholm(ends_at).strftime("%H:%M")
    return text.moment(ends_at)


def _progress(done: int, total: int) -> str:
    if not total:
        return ""
    return _("{done} of {total} carried out").format(done=text.number(done),
                                                      total=text.number(total))


def _coordinates(lat: float | None, lon: float | None) -> str:
    if lat is None or lon is None:
        return ""
    return f"{text.coordinate(lat)}; {text.coordinate(lon)}"


#: formatter kind -> the cell's text from the column's fields
FORMATS: dict[str, Callable[..., str]] = {
    "text": _text,
    "moment": text.moment,
    "number": text.number,
    "count": _count,
    "category": text.category_name,
    "first_line": _first_line,
    "shift_end": _shift_end,
    "progress": _progress,
    "coordinates": _coordinates,
}
NUMERIC = frozenset({"number", "count"})  # right-aligned
#: formatter kind -> the cell's tooltip (the whole text of a cell that shows a part)
TOOLTIPS: dict[str, Callable[..., str]] = {"first_line": _text}


def _reader(fields: tuple[str, ...], formatter: Callable[..., str]) -> Callable[[object], str]:
    if len(fields) == 1:
        name = fields[0]
        return lambda row: formatter(getattr(row, name))
    return lambda row: formatter(*(getattr(row, name) for name in fields))


def column_of(described: ListColumn) -> Column:
    """The Qt model's column for a described one."""
    if described.show == "label":
        formatter = partial(text.label, described.enum)
    else:
        try:
            formatter = FORMATS[described.show]
        except KeyError:
            raise ValueError(f"no formatter for the column kind {described.show!r}") from None
    tooltip = TOOLTIPS.get(described.show)
    fields = described.fields()
    return Column(described.header, _reader(fields, formatter),
                  described.key if described.sort is not None else None,
                  numeric=described.show in NUMERIC,
                  tooltip=_reader(fields, tooltip) if tooltip is not None else None)


class ListModel(PagedTableModel):
    """The paged table model of the list ``spec`` describes."""

    def __init__(self, ctx: AppContext, spec: ListSpec, parent=None):
        super().__init__(ctx, parent, default_sort=spec.default_sort)
        self.spec = spec
        self.columns = [column_of(c) for c in spec.columns]

    def query_page(self, session: Session, flt: ListFilter, sort: str, descending: bool,
                   after, limit: int):
        return list_page(session, self.spec, flt, sort=sort, descending=descending,
                         after=after, limit=limit)

    def query_count(self, session: Session, flt: ListFilter) -> int:
        return list_count(session, self.spec, flt)
