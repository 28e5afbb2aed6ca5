"""Fuzzed input through every service entry point.

Hypothesis drives create and update of shifts, observations, meetings, actions, places and
staff, and ``settings.set``, with text of every kind (all of Unicode, lone surrogates, NUL,
very long, SQL-looking), times across the daylight-saving changes and at the ends of the
calendar, naive times, negative, fractional and huge counts, unknown ids and values of the
wrong type. Each input is either

- saved exactly as given (read back and compared; the documented normalisations are names
  stripped of surrounding spaces, empty youth-count cells dropped, and "not counted" (None)
  stored as 0), or
- refused with a ValidationError whose every FieldError names a real field (a parameter of the
  entry point) with a message, and then nothing is half-saved: every table's row count and
  the edited record are as before.

No other exception may escape.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import os
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from fieldapp.domain.enums import (
    ActionStatus,
    ActionTaken,
    AgeBand,
    Gender,
    MeetingKind,
    PlaceKind,
    PlaceStatus,
    Severity,
    ShiftKind,
    StaffRole,
)
from fieldapp.domain.ids import reference_id
from fieldapp.domain.records import FlaggedPlace
from fieldapp.domain.validation import ValidationError, youth_key
from fieldapp.domain.weeks import STOCKHOLM
from fieldapp.store.database import open_database
from fieldapp.store.models import Base
from fieldapp.store.services import Services

UTC = dt.timezone.utc
# The clock stands on the day summer time ends (27 Oct 2024, 03:00 -> 02:00 in Stockholm).
NOW = dt.datetime(2024, 10, 27, 12, 0, tzinfo=UTC)
ALVSJO = reference_id("area", "alvsjo")
ALVSJO_CENTRUM = reference_id("place", "alvsjo-centrum")
LPO = reference_id("partner", "lpo-skarholmen")
# FIELDAPP_FUZZ_EXAMPLES=2000 hunts longer, with a random seed (the default run is repeatable).
_EXAMPLES = int(os.environ.get("FIELDAPP_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=_EXAMPLES or 60, deadline=None, derandomize=not _EXAMPLES,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])

# -- strategies -----------------------------------------------------------------------------

SQLISH = ["'; DROP TABLE shift; --", "Robert'); DROP TABLE observation;--", "1' OR '1'='1",
          "%", "_", "\\", "NULL", "null", "\"", "`", "/* */", "${jndi:ldap://x}", "{name}",
          "\u202eevil", "Älvsjö centrum", "  ", "\r\n", "\ufeff", "\U0001f600" * 3]
def mostly(good: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
    """``good`` three times in four, else ``bad``."""
    return st.integers(0, 3).flatmap(lambda n: bad if n == 0 else good)


any_char = st.characters(exclude_categories=())  # every code point, lone surrogates too
savable_char = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
good_texts = st.one_of(st.text(savable_char, max_size=30), st.sampled_from(SQLISH))
bad_texts = st.one_of(
    st.text(any_char, min_size=1, max_size=30),
    st.builds(lambda c, n: c * n, savable_char, st.integers(9_990, 10_010)),  # at the length limit
    st.builds(lambda a, b: a + "\x00" + b, st.text(max_size=5), st.text(max_size=5)),
    st.builds(lambda a: a + "\udc80", st.text(max_size=5)),
)
texts = mostly(good_texts, bad_texts)
short_texts = st.one_of(st.text(savable_char, min_size=1, max_size=6), texts)
names = st.one_of(st.sampled_from(["Älvsjö centrum", " Solberga bollplan "]), texts)


def _near(moment: dt.datetime, hours: float) -> st.SearchStrategy[dt.datetime]:
    """Stockholm wall-clock times within ``hours`` of ``moment``, gaps and folds included."""
    naive = moment.astimezone(STOCKHOLM).replace(tzinfo=None)
    return st.datetimes(min_value=naive - dt.timedelta(hours=hours),
                        max_value=naive + dt.timedelta(hours=hours),
                        timezones=st.just(STOCKHOLM), allow_imaginary=True)


near_now = _near(NOW - dt.timedelta(hours=8), 10)  # 27 Oct: 03:00 summer time -> 02:00 winter
odd_moments = st.one_of(
    st.datetimes(timezones=st.sampled_from([UTC, STOCKHOLM, dt.timezone(dt.timedelta(hours=14)),
                                            dt.timezone(dt.timedelta(hours=-12))])),  # any year
    st.datetimes(min_value=dt.datetime(2024, 10, 25), max_value=dt.datetime(2024, 10, 29)),  # naive
    st.builds(lambda h: NOW + dt.timedelta(hours=h), st.floats(-1000, 1000)),
    st.none(),
)
moments = mostly(near_now, odd_moments)
good_counts = st.integers(0, 40)
bad_counts = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                       st.sampled_from([-1, 500, 501, 2**63, -(2**63), 3.0, 2.5, True, "7", None]))
counts = mostly(good_counts, bad_counts)
flags_bool = mostly(st.booleans(), st.sampled_from([None, 1, 0, "ja"]))


def later(start, hours: float = 30) -> st.SearchStrategy:
    """Mostly a time after ``start`` (when it is a usable time), else anything."""
    if isinstance(start, dt.datetime) and start.utcoffset() is not None and 1971 < start.year < 2998:
        after = st.builds(lambda m: start + dt.timedelta(minutes=m), st.integers(1, int(hours * 60)))
        return mostly(after, moments)
    return moments


def enum_or_text(enum_cls) -> st.SearchStrategy:
    return mostly(st.sampled_from([e.value for e in enum_cls]), st.one_of(short_texts, st.none()))


def ids_of(known: list[uuid.UUID]) -> st.SearchStrategy:
    return mostly(st.sampled_from(known), st.uuids(version=4))


def id_lists(known: list[uuid.UUID]) -> st.SearchStrategy:
    return st.lists(ids_of(known), max_size=4)


youth_keys = st.one_of(
    st.builds(youth_key, st.sampled_from(list(AgeBand)), st.sampled_from(list(Gender))),
    short_texts,
)
youth_counts = st.one_of(st.dictionaries(youth_keys, counts, max_size=5), st.none())


# -- the harness ----------------------------------------------------------------------------

class World:
    def __init__(self, path):
        self.database = open_database(path)
        self.device_id = self.database.device_id()
        with self.services() as services:
            services.staff.create(initials="AL", name="Amira Lindqvist")
            services.staff.create(initials="JB", name="Jonas Berg")
            self.staff = [s.id for s in services.staff.list()]
            self.partners = [p.id for p in services.reference.partners()][:6]
            self.areas = [a.id for a in services.reference.areas()][:6]
            self.places = [p.id for p in services.places.list()][:6]
            self.categories = [c.id for c in services.reference.categories()]
            self.shift = services.shifts.create(kind="nattvandring", starts_at=NOW - dt.timedelta(hours=5))
            self.shifts = [self.shift.id]
            self.observation = services.observations.create(
                place_id=ALVSJO_CENTRUM, category_id=self.categories[0],
                observed_at=NOW - dt.timedelta(hours=1), shift_id=self.shift.id)
            self.meeting = services.meetings.create(kind="utsattningsmote",
                                                    held_at=NOW - dt.timedelta(days=1))
            self.action = services.actions.create(meeting_id=self.meeting.id, place_id=ALVSJO_CENTRUM,
                                                  starts_at=NOW, ends_at=NOW + dt.timedelta(hours=2))
            self.place = services.places.create(name="Fuzzplatsen", area_id=ALVSJO)
            self.staff_member = services.staff.create(initials="FZ", name="Fuzz Testsson")

        self.outcomes: dict[str, list[int]] = {}  # entry point -> [saved, refused]

    def services(self):
        return _ServicesContext(self)

    def counts(self) -> dict[str, int]:
        with self.database.session() as session:
            return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in Base.metadata.sorted_tables}

    def attempt(self, call, fields: set[str], snapshot=None):
        """Run ``call(services)`` in one transaction. Returns its result, or None when it
        was refused with a ValidationError naming real fields (and nothing changed)."""
        before = self.counts()
        before_record = snapshot() if snapshot else None
        outcome = self.outcomes.setdefault(_current_test(), [0, 0])
        try:
            with self.services() as services:
                result = call(services)
            outcome[0] += 1
            return result
        except ValidationError as exc:
            outcome[1] += 1
            assert exc.errors
            for error in exc.errors:
                assert error.field in fields, f"{error.field!r} is not a field of {sorted(fields)}"
                assert isinstance(error.message, str) and error.message.strip()
            assert self.counts() == before, "a refused save changed the row counts"
            if snapshot:
                assert snapshot() == before_record, "a refused update changed the record"
            return None


def _current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[-1].split(" ")[0]


class _ServicesContext:
    def __init__(self, world: World):
        self.world = world

    def __enter__(self) -> Services:
        self._session_cm = self.world.database.session()
        session = self._session_cm.__enter__()
        return Services(session, self.world.device_id, clock=lambda: NOW)

    def __exit__(self, *exc):
        return self._session_cm.__exit__(*exc)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = World(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite")
    yield world
    world.database.close()
    # The fuzzing reached both outcomes of every entry point: some inputs saved, some refused.
    report = {name: tuple(outcome) for name, outcome in sorted(world.outcomes.items())}
    print(report)
    assert all(saved > 0 and refused > 0 for saved, refused in report.values()), report


def params(method) -> set[str]:
    return {name for name in inspect.signature(method).parameters if name not in ("self", "id")}


# -- comparing what was given with what was saved --------------------------------------------

def same_moment(given, saved) -> bool:
    if given is None or saved is None:
        return given is saved
    return given.timestamp() == saved.timestamp()


def same_count(given, saved) -> bool:
    return saved == (0 if given is None else int(given)) and type(saved) is int


def expected_youth(given) -> dict:
    return {k: int(v) for k, v in (given or {}).items() if int(v)}


def check_saved(record, given: dict, *, stripped=(), ids=(), moments_=(), counts_=()) -> None:
    for name, value in given.items():
        saved = getattr(record, name)
        if name in moments_:
            assert same_moment(value, saved), (name, value, saved)
        elif name in counts_:
            assert same_count(value, saved), (name, value, saved)
        elif name in ids:
            assert set(saved) == set(value), (name, value, saved)
        elif name == "youth_counts":
            assert saved == expected_youth(value), (value, saved)
        elif name in stripped:
            assert saved == value.strip(), (name, value, saved)
        else:
            assert saved == value and type(saved) is type(value), (name, value, saved)


# -- shifts ---------------------------------------------------------------------------------

def shift_values(world: World, data, starts_at=None) -> dict:
    values = {}
    optional = {
        "ends_at": st.one_of(st.none(), later(starts_at, 24)),
        "staff_ids": id_lists(world.staff), "partner_ids": id_lists(world.partners),
        "area_ids": id_lists(world.areas), "weather": texts, "summary": texts,
        "summary_shareable": flags_bool, "private_notes": texts, "youth_counts": youth_counts,
        "adults_met": counts, "concern_reports": counts, "referrals": counts,
    }
    for name, strategy in optional.items():
        if data.draw(st.booleans(), label=f"give {name}"):
            values[name] = data.draw(strategy, label=name)
    return values


SHIFT_CHECK = dict(ids=("staff_ids", "partner_ids", "area_ids"), moments_=("starts_at", "ends_at"),
                   counts_=("adults_met", "concern_reports", "referrals"))


@FUZZ
@given(data=st.data())
def test_shift_create(world, data):
    starts_at = data.draw(moments, label="starts_at")
    values = dict(kind=data.draw(enum_or_text(ShiftKind), label="kind"), starts_at=starts_at,
                  **shift_values(world, data, starts_at))
    from fieldapp.store.services.shifts import ShiftService

    record = world.attempt(lambda s: s.shifts.create(**values), params(ShiftService.create))
    if record is not None:
        check_saved(record, values, **SHIFT_CHECK)
        with world.services() as services:
            check_saved(services.shifts.get(record.id), values, **SHIFT_CHECK)


@FUZZ
@given(data=st.data())
def test_shift_update(world, data):
    from fieldapp.store.services.shifts import EDITABLE

    values = shift_values(world, data)
    for name, strategy in (("kind", enum_or_text(ShiftKind)), ("starts_at", moments)):
        if data.draw(st.booleans(), label=f"give {name}"):
            values[name] = data.draw(strategy, label=name)
    shift_id = world.shift.id

    def snapshot():
        with world.services() as services:
            return services.shifts.get(shift_id)

    record = world.attempt(lambda s: s.shifts.update(shift_id, **values), EDITABLE, snapshot)
    if record is not None:
        check_saved(snapshot(), values, **SHIFT_CHECK)


# -- observations ---------------------------------------------------------------------------

OBSERVATION_CHECK = dict(moments_=("observed_at",), counts_=("people_count", "youths_present"))


def observation_values(world: World, data) -> dict:
    values = {}
    optional = {
        "severity": enum_or_text(Severity), "shift_id": st.one_of(st.none(), ids_of(world.shifts)),
        "people_count": counts, "youths_present": counts, "action_taken": enum_or_text(ActionTaken),
        "details": texts, "details_shareable": flags_bool,
    }
    for name, strategy in optional.items():
        if data.draw(st.booleans(), label=f"give {name}"):
            values[name] = data.draw(strategy, label=name)
    return values


@FUZZ
@given(data=st.data())
def test_observation_create(world, data):
    from fieldapp.store.services.observations import ObservationService

    values = dict(place_id=data.draw(st.one_of(ids_of(world.places), st.none()), label="place_id"),
                  category_id=data.draw(st.one_of(ids_of(world.categories), st.none()), label="category_id"),
                  observed_at=data.draw(moments, label="observed_at"), **observation_values(world, data))
    record = world.attempt(lambda s: s.observations.create(**values), params(ObservationService.create))
    if record is not None:
        with world.services() as services:
            check_saved(services.observations.get(record.id), values, **OBSERVATION_CHECK)


@FUZZ
@given(data=st.data())
def test_observation_update(world, data):
    from fieldapp.store.services.observations import EDITABLE

    values = observation_values(world, data)
    for name, strategy in (("place_id", ids_of(world.places)), ("category_id", ids_of(world.categories)),
                           ("observed_at", moments)):
        if data.draw(st.booleans(), label=f"give {name}"):
            values[name] = data.draw(strategy, label=name)
    obs_id = world.observation.id

    def snapshot():
        with world.services() as services:
            return services.observations.get(obs_id)

    if world.attempt(lambda s: s.observations.update(obs_id, **values), EDITABLE, snapshot) is not None:
        check_saved(snapshot(), values, **OBSERVATION_CHECK)


# -- meetings and actions -------------------------------------------------------------------

MEETING_CHECK = dict(ids=("staff_ids", "partner_ids"), moments_=("held_at",), stripped=())


def meeting_values(world: World, data) -> dict:
    flags = st.lists(st.builds(FlaggedPlace, ids_of(world.places), texts), max_size=3)
    values = {}
    optional = {"title": texts, "situation": texts, "situation_shareable": flags_bool,
                "staff_ids": id_lists(world.staff), "partner_ids": id_lists(world.partners),
                "flags": flags}
    for name, strategy in optional.items():
        if data.draw(st.booleans(), label=f"give {name}"):
            values[name] = data.draw(strategy, label=name)
    return values


def check_meeting(record, values):
    check_saved(record, {k: v for k, v in values.items() if k != "flags"}, **MEETING_CHECK)
    if "flags" in values:
        assert record.flags == tuple(values["flags"])


@FUZZ
@given(data=st.data())
def test_meeting_create(world, data):
    from fieldapp.store.services.meetings import MeetingService

    values = dict(kind=data.draw(enum_or_text(MeetingKind), label="kind"),
                  held_at=data.draw(moments, label="held_at"), **meeting_values(world, data))
    record = world.attempt(lambda s: s.meetings.create(**values), params(MeetingService.create))
    if record is not None:
        with world.services() as services:
            check_meeting(services.meetings.get(record.id), values)


@FUZZ
@given(data=st.data())
def test_meeting_update(world, data):
    from fieldapp.store.services.meetings import MEETING_EDITABLE

    values = meeting_values(world, data)
    for name, strategy in (("kind", enum_or_text(MeetingKind)), ("held_at", moments)):
        if data.draw(st.booleans(), label=f"give {name}"):
            values[name] = data.draw(strategy, label=name)
    meeting_id = world.meeting.id

    def snapshot():
        with world.services() as services:
            return services.meetings.get(meeting_id)

    updated = world.attempt(lambda s: s.meetings.update(meeting_id, **values), MEETING_EDITABLE, snapshot)
    if updated is not None:
        check_meeting(snapshot(), values)


ACTION_CHECK = dict(moments_=("starts_at", "ends_at"))


def action_values(world: World, data) -> dict:
    values = {}
    optional = {"place_id": mostly(ids_of(world.places), st.none()),
                "area_id": st.one_of(st.none(), ids_of(world.areas)),
                "responsible_partner_id": st.one_of(st.none(), ids_of(world.partners)),
                # the owner sets planned or cancelled; "done" is a record of its own
                "status": mostly(st.sampled_from([ActionStatus.PLANNED.value,
                                                  ActionStatus.CANCELLED.value]),
                                 st.one_of(st.just(ActionStatus.DONE.value), short_texts, st.none())),
                "note": texts}
    for name, strategy in optional.items():
        if data.draw(st.booleans(), label=f"give {name}"):
            values[name] = data.draw(strategy, label=name)
    return values


@FUZZ
@given(data=st.data())
def test_action_create(world, data):
    from fieldapp.store.services.meetings import ActionService

    starts_at = data.draw(moments, label="starts_at")
    values = dict(meeting_id=data.draw(mostly(st.just(world.meeting.id), st.uuids()), label="meeting"),
                  starts_at=starts_at, ends_at=data.draw(later(starts_at, 6 * 24), label="ends_at"),
                  **action_values(world, data))
    if "place_id" not in values and "area_id" not in values:  # mostly a place: some saves
        values["place_id"] = data.draw(mostly(ids_of(world.places), st.none()), label="place")
    record = world.attempt(lambda s: s.actions.create(**values), params(ActionService.create))
    if record is not None:
        with world.services() as services:
            check_saved(services.actions.get(record.id), values, **ACTION_CHECK)


@FUZZ
@given(data=st.data())
def test_action_update(world, data):
    from fieldapp.store.services.meetings import ACTION_EDITABLE

    values = action_values(world, data)
    if data.draw(st.booleans(), label="give times"):
        values["starts_at"] = data.draw(moments, label="starts_at")
        values["ends_at"] = data.draw(later(values["starts_at"], 6 * 24), label="ends_at")
    action_id = world.action.id

    def snapshot():
        with world.services() as services:
            return services.actions.get(action_id)

    if world.attempt(lambda s: s.actions.update(action_id, **values), ACTION_EDITABLE, snapshot) is not None:
        check_saved(snapshot(), values, **ACTION_CHECK)


# -- places and staff -----------------------------------------------------------------------

good_coordinates = st.floats(-90, 90)
coordinates = mostly(st.one_of(st.none(), good_coordinates),
                     st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(),
                               st.sampled_from([59.2792, 18.0, -90, 90, 180, -180, 90.0001, True, "59,3"])))


def place_values(world: World, data) -> dict:
    values = {}
    for name, strategy in (("kind", enum_or_text(PlaceKind)), ("hotspot_status", enum_or_text(PlaceStatus)),
                           ("lat", coordinates), ("lon", coordinates)):
        if data.draw(st.booleans(), label=f"give {name}"):
            values[name] = data.draw(strategy, label=name)
    return values


def check_place(record, values):
    for name, value in values.items():
        saved = getattr(record, name)
        if name == "name":
            assert saved == value.strip()
        elif name in ("lat", "lon") and value is not None:
            assert saved == value
        else:
            assert saved == value, (name, value, saved)


@FUZZ
@given(data=st.data())
def test_place_create(world, data):
    from fieldapp.store.services.places import PlaceService

    values = dict(name=data.draw(names, label="name"),
                  area_id=data.draw(st.one_of(ids_of(world.areas), st.none()), label="area_id"),
                  **place_values(world, data))
    record = world.attempt(lambda s: s.places.create(**values), params(PlaceService.create))
    if record is not None:
        with world.services() as services:
            check_place(services.places.get(record.id), values)


@FUZZ
@given(data=st.data())
def test_place_update(world, data):
    from fieldapp.store.services.places import PLACE_EDITABLE

    values = place_values(world, data)
    for name, strategy in (("name", names), ("area_id", st.one_of(ids_of(world.areas), st.none()))):
        if data.draw(st.booleans(), label=f"give {name}"):
            values[name] = data.draw(strategy, label=name)
    place_id = world.place.id

    def snapshot():
        with world.services() as services:
            return services.places.get(place_id)

    if world.attempt(lambda s: s.places.update(place_id, **values), PLACE_EDITABLE, snapshot) is not None:
        check_place(snapshot(), values)


def staff_values(data) -> dict:
    values = {}
    for name, strategy in (("role", enum_or_text(StaffRole)), ("active", flags_bool)):
        if data.draw(st.booleans(), label=f"give {name}"):
            values[name] = data.draw(strategy, label=name)
    return values


def staff_get(world, staff_id):
    with world.services() as services:
        return next((s for s in services.staff.list() if s.id == staff_id), None)


@FUZZ
@given(data=st.data())
def test_staff_create(world, data):
    from fieldapp.store.services.places import StaffService

    values = dict(initials=data.draw(short_texts, label="initials"), name=data.draw(names, label="name"),
                  **staff_values(data))
    record = world.attempt(lambda s: s.staff.create(**values), params(StaffService.create))
    if record is not None:
        check_saved(staff_get(world, record.id), values, stripped=("initials", "name"))


@FUZZ
@given(data=st.data())
def test_staff_update(world, data):
    from fieldapp.store.services.places import STAFF_EDITABLE

    values = staff_values(data)
    for name, strategy in (("initials", short_texts), ("name", names)):
        if data.draw(st.booleans(), label=f"give {name}"):
            values[name] = data.draw(strategy, label=name)
    staff_id = world.staff_member.id
    if world.attempt(lambda s: s.staff.update(staff_id, **values), STAFF_EDITABLE,
                     lambda: staff_get(world, staff_id)) is not None:
        check_saved(staff_get(world, staff_id), values, stripped=("initials", "name"))


# -- settings -------------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
              texts),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(short_texts, inner, max_size=3)),
    max_leaves=6,
)
setting_values = st.one_of(json_values, st.sampled_from([b"bytes", {1, 2}, dt.date(2024, 1, 1), object()]))


def _same_json(given, saved) -> bool:
    if isinstance(given, float) and isinstance(saved, float):
        return given == saved or (math.isnan(given) and math.isnan(saved))
    if isinstance(given, list | tuple):
        return isinstance(saved, list) and len(given) == len(saved) and all(map(_same_json, given, saved))
    if isinstance(given, dict):
        return isinstance(saved, dict) and given.keys() == saved.keys() and all(
            _same_json(v, saved[k]) for k, v in given.items())
    return given == saved and type(given) is type(saved)


@FUZZ
@given(key=st.one_of(short_texts, st.sampled_from(["team_name", "hub_path", "language"])),
       value=setting_values)
def test_settings_set(world, key, value):
    if world.attempt(lambda s: s.settings.set(key, value), {"key", "value"}) is None:
        return
    with world.services() as services:
        assert _same_json(value, services.settings.get(key))
