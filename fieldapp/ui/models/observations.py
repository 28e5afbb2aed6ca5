"""The observations list: 100,000 rows page in on demand."""

from __future__ import annotations

from fieldapp.domain.enums import ActionTaken, Severity
from fieldapp.store import queries
from fieldapp.store.queries import ObservationRow
from fieldapp.ui.models import text
from fieldapp.ui.models.paged import Column, PagedTableModel


def _people(row: ObservationRow) -> str:
    return text.number(row.people_count)


class ObservationsModel(PagedTableModel):
    columns = [
        Column("Time", lambda r: text.moment(r.observed_at), "observed_at"),
        Column("Place", lambda r: r.place_name, "place"),
        Column("Area", lambda r: r.area_name, "area"),
        Column("Category", lambda r: text.category_name(r.category_sv, r.category_en),
               "category"),
        Column("Severity", lambda r: text.label(Severity, r.severity), "severity"),
        Column("People", _people, "people_count", numeric=True),
        Column("Youths", lambda r: text.number(r.youths_present), "youths_present",
               numeric=True),
        Column("Action taken", lambda r: text.label(ActionTaken, r.action_taken),
               "action_taken"),
        Column("Details", lambda r: r.details.splitlines()[0] if r.details else "",
               tooltip=lambda r: r.details),
    ]
    default_sort = ("observed_at", True)

    def query_page(self, session, flt, sort, descending, after, limit):
        return queries.observation_page(session, flt, sort=sort, descending=descending,
                                        after=after, limit=limit)

    def query_count(self, session, flt):
        return queries.count_observations(session, flt)
