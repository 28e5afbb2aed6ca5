"""The observations list: 100,000 rows page in on demand."""

from __future__ import annotations

from fieldapp.domain.enums import ActionTaken, Severity
from fieldapp.i18n import N_
from fieldapp.store import queries
from fieldapp.store.queries import ObservationRow
from fieldapp.ui.models import text
from fieldapp.ui.models.paged import Column, PagedTableModel


def _people(row: ObservationRow) -> str:
    return text.number(row.people_count)


class ObservationsModel(PagedTableModel):
    columns = [
        Column(N_("Time"), lambda r: text.moment(r.observed_at), "observed_at"),
        Column(N_("Place"), lambda r: r.place_name, "place"),
        Column(N_("Area"), lambda r: r.area_name, "area"),
        Column(N_("Category"), lambda r: text.category_name(r.category_sv, r.category_en),
               "category"),
        Column(N_("Severity"), lambda r: text.label(Severity, r.severity), "severity"),
        Column(N_("People"), _people, "people_count", numeric=True),
        Column(N_("Youths"), lambda r: text.number(r.youths_present), "youths_present",
               numeric=True),
        Column(N_("Action taken"), lambda r: text.label(ActionTaken, r.action_taken),
               "action_taken"),
        Column(N_("Details"), lambda r: r.details.splitlines()[0] if r.details else "",
               tooltip=lambda r: r.details),
    ]
    default_sort = ("observed_at", True)

    def query_page(self, session, flt, sort, descending, after, limit):
        return queries.observation_page(session, flt, sort=sort, descending=descending,
                                        after=after, limit=limit)

    def query_count(self, session, flt):
        return queries.count_observations(session, flt)
