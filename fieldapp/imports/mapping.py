"""The mapping a person confirms: which column is what, which old name is which place,
category, partner or kind, and the rules; as JSON, in a file or as a named profile.

The JSON format (version 1)::

    {
      "format": "faltlogg-import-mapping", "version": 1,
      "sheets": null,                  // or ["Maj 2023", "Juni 2023"]: only these sheets
      "default_year": null,            // year of dates like "12/5" when no sheet/file name has one
      "count_rule": "lower",           // "10-15" read as lower (10), upper (15) or middle (12)
      "default_shift_kind": "faltpass",// kind of a shift whose row names none
      "youth_age_band": null,          // age band of youths counted on shift rows, e.g. "13-15"
      "columns":    {"Datum": {"to": "date", "certainty": 1.0, "certain": true}, ...},
      "places":     {"Älvsjö C": {"to": "alvsjo-centrum", "name": "Älvsjö centrum",
                                  "certainty": 1.0, "certain": true, "alternatives": []}, ...},
      "categories": {"langning": {"to": "narkotikaforsaljning", ...}, ...},
      "partners":   {"Polisen": {"to": "lpo-skarholmen", ...}, ...},
      "kinds":      {"Nattvandring": {"to": "shift:nattvandring", ...}, ...}
    }

Column roles: date, time, place, category, count, youths, kind, partners, note, sheet, or
null (the column is not read). Places and partners are named by their key in resources/ (or
their id when a user added them), categories by key, kinds as "shift:<kind>" or
"meeting:<kind>". ``"to": null`` leaves the rows with that name out (they are refused with
the reason). A guess with ``"certain": false`` is a question: a person confirms it by
setting ``"certain": true`` (after changing ``"to"`` if the guess was wrong); until then the
import does not apply. ``certainty`` (0–1) and ``alternatives`` are for the reader only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from fieldapp.domain.enums import AgeBand, ShiftKind
from fieldapp.i18n import _
from fieldapp.imports.parse import COUNT_RULES

FORMAT = "faltlogg-import-mapping"
VERSION = 1
ROLES = ("date", "time", "place", "category", "count", "youths", "kind", "partners", "note",
         "sheet")
NAME_DOMAINS = ("places", "categories", "partners", "kinds")
PROFILES_KEY = "import.profiles"


class MappingError(ValueError):
    """A mapping file or profile that does not follow the format; the message says where."""


@dataclass
class Guess:
    to: str | None
    certainty: float = 1.0
    certain: bool = True
    name: str = ""
    alternatives: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        data = {"to": self.to, "certainty": round(self.certainty, 2), "certain": self.certain}
        if self.name:
            data["name"] = self.name
        if self.alternatives:
            data["alternatives"] = list(self.alternatives)
        return data


@dataclass
class Mapping:
    columns: dict[str, Guess] = field(default_factory=dict)
    places: dict[str, Guess] = field(default_factory=dict)
    categories: dict[str, Guess] = field(default_factory=dict)
    partners: dict[str, Guess] = field(default_factory=dict)
    kinds: dict[str, Guess] = field(default_factory=dict)
    sheets: list[str] | None = None
    default_year: int | None = None
    count_rule: str = "lower"
    default_shift_kind: str = ShiftKind.FALTPASS.value
    youth_age_band: Guess | None = None

    def names(self, domain: str) -> dict[str, Guess]:
        return getattr(self, domain)

    def to_json(self) -> dict:
        data = {"format": FORMAT, "version": VERSION, "sheets": self.sheets,
                "default_year": self.default_year, "count_rule": self.count_rule,
                "default_shift_kind": self.default_shift_kind,
                "youth_age_band": self.youth_age_band.as_json() if self.youth_age_band else None}
        for domain in ("columns",) + NAME_DOMAINS:
            data[domain] = {text: guess.as_json() for text, guess in self.names(domain).items()}
        return data

    def questions(self) -> list[str]:
        """What a person must confirm before the import applies, one line each."""
        lines = []
        for text, guess in self.columns.items():
            if not guess.certain:
                lines.append(_("column \"{text}\": is it {role}?").format(
                    text=text, role=guess.to or _("(not read)")))
        labels = {"places": _("place"), "categories": _("category"), "partners": _("partner"),
                  "kinds": _("kind")}
        for domain in NAME_DOMAINS:
            for text, guess in self.names(domain).items():
                if guess.certain:
                    continue
                if guess.to:
                    lines.append(_("{what} \"{text}\": is it {name}?").format(
                        what=labels[domain], text=text, name=guess.name or guess.to))
                else:
                    lines.append(_("{what} \"{text}\": no match; choose one or null.").format(
                        what=labels[domain], text=text))
        if self.youth_age_band is not None and not self.youth_age_band.certain:
            lines.append(_("youth_age_band: which age band are the youths counted on shift "
                           "rows (u13, 13-15, 16-17, 18-20)?"))
        return lines


def _guess(where: str, data) -> Guess:
    if not isinstance(data, dict) or "to" not in data:
        raise MappingError(_("{where}: write it as {{\"to\": ..., \"certain\": true}}.").format(
            where=where))
    to = data["to"]
    if to is not None and not isinstance(to, str):
        raise MappingError(_("{where}: \"to\" must be text or null.").format(where=where))
    certain = data.get("certain", True)
    if not isinstance(certain, bool):
        raise MappingError(_("{where}: \"certain\" must be true or false.").format(where=where))
    try:
        certainty = float(data.get("certainty", 1.0))
    except (TypeError, ValueError):
        raise MappingError(_("{where}: \"certainty\" must be a number.").format(where=where)) from None
    return Guess(to, certainty, certain, str(data.get("name", "")),
                 [str(a) for a in data.get("alternatives", []) or []])


def from_json(data) -> Mapping:
    """A mapping from its JSON form; :class:`MappingError` names what is wrong."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise MappingError(_("This is not an import mapping (\"format\" must be \"{format}\").")
                           .format(format=FORMAT))
    if data.get("version") != VERSION:
        raise MappingError(_("Mapping version {version} is not known; this app reads version "
                             "{known}.").format(version=data.get("version"), known=VERSION))
    mapping = Mapping()
    for domain in ("columns",) + NAME_DOMAINS:
        table = data.get(domain) or {}
        if not isinstance(table, dict):
            raise MappingError(_("\"{domain}\" must be a table of names.").format(domain=domain))
        for text, value in table.items():
            guess = _guess(f"{domain} \"{text}\"", value)
            if domain == "columns" and guess.to is not None and guess.to not in ROLES:
                raise MappingError(_("columns \"{text}\": unknown role {role}; use one of "
                                     "{roles} or null.").format(text=text, role=guess.to,
                                                                roles=", ".join(ROLES)))
            mapping.names(domain)[str(text)] = guess
    sheets = data.get("sheets")
    if sheets is not None and (not isinstance(sheets, list)
                               or not all(isinstance(s, str) for s in sheets)):
        raise MappingError(_("\"sheets\" must be a list of sheet names or null."))
    mapping.sheets = sheets
    year = data.get("default_year")
    if year is not None and (not isinstance(year, int) or not 1900 <= year <= 2100):
        raise MappingError(_("\"default_year\" must be a year like 2023, or null."))
    mapping.default_year = year
    mapping.count_rule = data.get("count_rule", "lower")
    if mapping.count_rule not in COUNT_RULES:
        raise MappingError(_("\"count_rule\" must be one of {rules}.").format(
            rules=", ".join(COUNT_RULES)))
    mapping.default_shift_kind = data.get("default_shift_kind", ShiftKind.FALTPASS.value)
    if mapping.default_shift_kind not in {k.value for k in ShiftKind}:
        raise MappingError(_("\"default_shift_kind\" must be one of {kinds}.").format(
            kinds=", ".join(k.value for k in ShiftKind)))
    band = data.get("youth_age_band")
    if band is not None:
        mapping.youth_age_band = _guess("youth_age_band", band)
        if mapping.youth_age_band.to not in {b.value for b in AgeBand} | {None}:
            raise MappingError(_("\"youth_age_band\" must be one of {bands}.").format(
                bands=", ".join(b.value for b in AgeBand)))
    return mapping


def load_file(path: Path) -> Mapping:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(_("{path} cannot be read: {error}").format(path=path, error=exc)) from exc
    except json.JSONDecodeError as exc:
        raise MappingError(_("{path} is not valid JSON: {error}").format(path=path, error=exc)) from exc
    return from_json(data)


def save_file(mapping: Mapping, path: Path) -> None:
    Path(path).write_text(json.dumps(mapping.to_json(), ensure_ascii=False, indent=2) + "\n",
                          encoding="utf-8")


# -- profiles: the one place that touches the settings ----------------------------------------

def _profiles(session) -> dict:
    from fieldapp.store.services.settings import SettingsService

    value = SettingsService(session).get(PROFILES_KEY, {})
    return dict(value) if isinstance(value, dict) else {}


def save_profile(session, name: str, mapping: Mapping) -> None:
    """Keep ``mapping`` under ``name`` in the data file's settings (``import.profiles``)."""
    from fieldapp.store.services.settings import SettingsService

    name = (name or "").strip()
    if not name:
        raise MappingError(_("Give the profile a name."))
    profiles = _profiles(session)
    profiles[name] = mapping.to_json()
    SettingsService(session).set(PROFILES_KEY, profiles)


def load_profile(session, name: str) -> Mapping:
    profiles = _profiles(session)
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or _("none")
        raise MappingError(_("No import profile named \"{name}\" (saved profiles: {known}).")
                           .format(name=name, known=known))
    return from_json(profiles[name])


def profile_names(session) -> list[str]:
    return sorted(_profiles(session))
