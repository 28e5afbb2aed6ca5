"""The fixed vocabularies of field work. Values are stable keys stored in the database and
sent in envelopes; ``label`` gives the translated text for the screen and reports.

Observation categories are reference data (``resources/categories.toml``), not an enum here,
so another stadsdelsförvaltning can load its own list.
"""

from __future__ import annotations

from enum import StrEnum

from fieldapp.i18n import N_, _


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
            cls.NATTVANDRING: N_("Night walk"),
            cls.FALTPASS: N_("Outreach shift"),
            cls.TRYGGHETSVANDRING: N_("Safety walk"),
            cls.SKOLBESOK: N_("School visit"),
            cls.AKTIVITET: N_("Activity"),
            cls.HELGINSATS: N_("Weekend effort"),
        }


class Severity(_Labelled):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @classmethod
    def _labels(cls):
        return {cls.LOW: N_("Low"), cls.MEDIUM: N_("Medium"), cls.HIGH: N_("High")}

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
            cls.UNDER_13: N_("Under 13"),
            cls.AGE_13_15: N_("13–15"),
            cls.AGE_16_17: N_("16–17"),
            cls.AGE_18_20: N_("18–20"),
        }


class Gender(_Labelled):
    GIRL = "flicka"
    BOY = "pojke"
    OTHER = "annat"
    UNKNOWN = "okant"

    @classmethod
    def _labels(cls):
        return {cls.GIRL: N_("Girl"), cls.BOY: N_("Boy"), cls.OTHER: N_("Other"),
                cls.UNKNOWN: N_("Unknown")}


class MeetingKind(_Labelled):
    UTSATTNINGSMOTE = "utsattningsmote"
    PLATSSAMVERKAN = "platssamverkan"
    SSPF = "sspf"
    TRYGGHETSFORUM = "trygghetsforum"

    @classmethod
    def _labels(cls):
        return {
            cls.UTSATTNINGSMOTE: N_("Deployment meeting (police)"),
            cls.PLATSSAMVERKAN: N_("Place partnership"),
            cls.SSPF: N_("SSPF area meeting"),
            cls.TRYGGHETSFORUM: N_("Safety forum"),
        }


class ActionStatus(_Labelled):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        return {cls.PLANNED: N_("Planned"), cls.DONE: N_("Carried out"),
                cls.CANCELLED: N_("Cancelled")}


class PlaceStatus(_Labelled):
    ACTIVE = "active"
    WATCHED = "watched"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {cls.ACTIVE: N_("Active"), cls.WATCHED: N_("Under watch"), cls.CLOSED: N_("Closed")}


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
            cls.CENTRE: N_("Centre"),
            cls.STATION: N_("Station"),
            cls.SQUARE: N_("Square"),
            cls.PARK: N_("Park"),
            cls.SCHOOL: N_("School"),
            cls.SPORTS: N_("Sports ground"),
            cls.YOUTH_CENTRE: N_("Youth centre"),
            cls.STREET: N_("Street"),
            cls.OTHER: N_("Other"),
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
            cls.NONE: N_("No action"),
            cls.TALK: N_("Talk"),
            cls.INFORMED_POLICE: N_("Informed police"),
            cls.REPORT_OF_CONCERN: N_("Report of concern"),
            cls.CONTACTED_PARENT: N_("Contacted parent"),
            cls.REFERRED: N_("Referral"),
            cls.REPORTED_FAULT: N_("Fault report (city)"),
        }


class StaffRole(_Labelled):
    FIELD_WORKER = "faltassistent"
    LEISURE_LEADER = "fritidsledare"
    TEAM_LEAD = "teamledare"

    @classmethod
    def _labels(cls):
        return {
            cls.FIELD_WORKER: N_("Field worker"),
            cls.LEISURE_LEADER: N_("Leisure leader"),
            cls.TEAM_LEAD: N_("Team lead"),
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
            cls.POLICE: N_("Police"),
            cls.SECURITY_GUARDS: N_("Security guards"),
            cls.GUARDS: N_("Guards"),
            cls.NIGHT_WALKERS: N_("Night walkers"),
            cls.YOUTH_CENTRE: N_("Youth centre"),
            cls.SCHOOL: N_("School"),
            cls.SOCIAL_SERVICES: N_("Social services"),
            cls.OTHER: N_("Other"),
        }
