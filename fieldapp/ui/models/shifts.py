"""The shifts list."""

from __future__ import annotations

from fieldapp.domain.enums import ShiftKind
from fieldapp.domain.weeks import to_stockholm
from fieldapp.i18n import _
from fieldapp.store import queries
from fieldapp.store.queries import ShiftRow
from fieldapp.ui.models import text
from fieldapp.ui.models.paged import Column, PagedTableModel


def _ends(row: ShiftRow) -> str:
    if row.ends_at is None:
        return _("running")
    if to_stockholm(row.ends_at).date() == to_stockholm(row.starts_at).date():
        return to_stockholm(row.ends_at).strftime("%H:%M")
    return text.moment(row.ends_at)


class ShiftsModel(PagedTableModel):
    columns = [
        Column("Start", lambda r: text.moment(r.starts_at), "starts_at"),
        Column("End", _ends),
        Column("Kind", lambda r: text.label(ShiftKind, r.kind), "kind"),
        Column("Areas", lambda r: r.area_names),
        Column("Staff", lambda r: r.staff_initials),
        Column("Youths met", lambda r: text.number(r.youths_met), numeric=True),
        Column("Adults met", lambda r: text.number(r.adults_met), "adults_met", numeric=True),
        Column("Reports of concern", lambda r: text.number(r.concern_reports), "concern_reports",
               numeric=True),
        Column("Referrals", lambda r: text.number(r.referrals), "referrals", numeric=True),
        Column("Observations", lambda r: text.number(r.observation_count), numeric=True),
    ]
    default_sort = ("starts_at", True)

    def query_page(self, session, flt, sort, descending, after, limit):
        return queries.shift_page(session, flt, sort=sort, descending=descending, after=after,
                                  limit=limit)

    def query_count(self, session, flt):
        return queries.count_shifts(session, flt)
