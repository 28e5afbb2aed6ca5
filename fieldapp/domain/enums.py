"""The fixed vocabularies of field work. Values are stable keys stored in the database and
sent in envelopes; ``label`` gives the translated text for the screen and reports.

Observation categories are reference data (``resources/categories.toml``), not an enum here,
so another stadsdelsförvaltning can load its own list.
"""

from __future__ import annotations

from enum import StrEnum

from fieldapp.i18n import _


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        return _(self._labels()[self])

    @classmethod
    def _labels(cls) -> dict:
        raise NotImplementedError


class ShiftKind(_Labelled):
    NATTVANDRING = "nattvandring"
    FALTPASS = "faltpass"
    TRYGGHETSVANDRING = "trygghetsvandring"
    SKOLBESOK = "skolbesok"
    AKTIVITET = "aktivitet"
    HELGINSATS = "helginsats"

    @classmethod
    def _labels(cls):
        return {
            cls.NATTVANDRING: "Night walk",
            cls.FALTPASS: "Outreach shift",
            cls.TRYGGHETSVANDRING: "Safety walk",
            cls.SKOLBESOK: "School visit",
            cls.AKTIVITET: "Activity",
            cls.HELGINSATS: "Weekend effort",
        }


class Severity(_Labelled):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @classmethod
    def _labels(cls):
        return {cls.LOW: "Low", cls.MEDIUM: "Medium", cls.HIGH: "High"}

    @property
    def rank(self) -> int:
        return list(Severity).index(self) + 1


class AgeBand(_Labelled):
    UNDER_13 = "u13"
    AGE_13_15 = "13-15"
    AGE_16_17 = "16-17"
    AGE_18_20 = "18-20"

    @classmethod
    def _labels(cls):
        return {
            cls.UNDER_13: "Under 13",
            cls.AGE_13_15: "13–15",
            cls.AGE_16_17: "16–17",
            cls.AGE_18_20: "18–20",
        }


class Gender(_Labelled):
    GIRL = "flicka"
    BOY = "pojke"
    OTHER = "annat"
    UNKNOWN = "okant"

    @classmethod
    def _labels(cls):
        return {cls.GIRL: "Girl", cls.BOY: "Boy", cls.OTHER: "Other", cls.UNKNOWN: "Unknown"}


class MeetingKind(_Labelled):
    UTSATTNINGSMOTE = "utsattningsmote"
    PLATSSAMVERKAN = "platssamverkan"
    SSPF = "sspf"
    TRYGGHETSFORUM = "trygghetsforum"

    @classmethod
    def _labels(cls):
        return {
            cls.UTSATTNINGSMOTE: "Deployment meeting (police)",
            cls.PLATSSAMVERKAN: "Place partnership",
            cls.SSPF: "SSPF area meeting",
            cls.TRYGGHETSFORUM: "Safety forum",
        }


class ActionStatus(_Labelled):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        return {cls.PLANNED: "Planned", cls.DONE: "Carried out", cls.CANCELLED: "Cancelled"}


class PlaceStatus(_Labelled):
    ACTIVE = "active"
    WATCHED = "watched"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {cls.ACTIVE: "Active", cls.WATCHED: "Under watch", cls.CLOSED: "Closed"}


class PlaceKind(_Labelled):
    CENTRE = "centrum"
    STATION = "station"
    SQUARE = "torg"
    PARK = "park"
    SCHOOL = "skola"
    SPORTS = "idrott"
    YOUTH_CENTRE = "fritidsgard"
    STREET = "gata"
    OTHER = "annat"

    @classmethod
    def _labels(cls):
        return {
            cls.CENTRE: "Centre",
            cls.STATION: "Station",
            cls.SQUARE: "Square",
            cls.PARK: "Park",
            cls.SCHOOL: "School",
            cls.SPORTS: "Sports ground",
            cls.YOUTH_CENTRE: "Youth centre",
            cls.STREET: "Street",
            cls.OTHER: "Other",
        }


class ActionTaken(_Labelled):
    NONE = "none"
    TALK = "samtal"
    INFORMED_POLICE = "informerat_polis"
    REPORT_OF_CONCERN = "orosanmalan"
    CONTACTED_PARENT = "kontakt_foralder"
    REFERRED = "hanvisning"
    REPORTED_FAULT = "felanmalan"

    @classmethod
    def _labels(cls):
        return {
            cls.NONE: "No action",
            cls.TALK: "Talk",
            cls.INFORMED_POLICE: "Informed police",
            cls.REPORT_OF_CONCERN: "Report of concern",
            cls.CONTACTED_PARENT: "Contacted parent",
            cls.REFERRED: "Referral",
            cls.REPORTED_FAULT: "Fault report (city)",
        }


class StaffRole(_Labelled):
    FIELD_WORKER = "faltassistent"
    LEISURE_LEADER = "fritidsledare"
    TEAM_LEAD = "teamledare"

    @classmethod
    def _labels(cls):
        return {
            cls.FIELD_WORKER: "Field worker",
            cls.LEISURE_LEADER: "Leisure leader",
            cls.TEAM_LEAD: "Team lead",
        }


class PartnerKind(_Labelled):
    POLICE = "polis"
    SECURITY_GUARDS = "ordningsvakter"
    GUARDS = "vaktare"
    NIGHT_WALKERS = "nattvandrare"
    YOUTH_CENTRE = "fritidsgard"
    SCHOOL = "skola"
    SOCIAL_SERVICES = "socialtjanst"
    OTHER = "annan"

    @classmethod
    def _labels(cls):
        return {
            cls.POLICE: "Police",
            cls.SECURITY_GUARDS: "Security guards",
            cls.GUARDS: "Guards",
            cls.NIGHT_WALKERS: "Night walkers",
            cls.YOUTH_CENTRE: "Youth centre",
            cls.SCHOOL: "School",
            cls.SOCIAL_SERVICES: "Social services",
            cls.OTHER: "Other",
        }
