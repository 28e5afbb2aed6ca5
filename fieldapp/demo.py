"""A realistic demo for a first look: weeks of shifts, observations and meetings.

The same seed gives the same content (ids and the device's own id differ: every database is
its own device). The weeks end with the last complete week before ``now``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from fieldapp.domain.enums import (
    ActionTaken,
    AgeBand,
    Gender,
    MeetingKind,
    Severity,
    ShiftKind,
    StaffRole,
)
from fieldapp.domain.ids import reference_id
from fieldapp.domain.records import FlaggedPlace, PlaceRecord
from fieldapp.domain.validation import youth_key
from fieldapp.domain.weeks import STOCKHOLM, IsoWeek
from fieldapp.store.database import Database
from fieldapp.store.services import Services
from fieldapp.store.services.settings import FIRST_START, FIRST_START_DONE
from fieldapp.store.types import utcnow

DEMO_STAFF = (
    ("AL", "Amira Lindqvist", StaffRole.FIELD_WORKER),
    ("JB", "Jonas Berg", StaffRole.FIELD_WORKER),
    ("SK", "Sara Karlsson", StaffRole.TEAM_LEAD),
)

# Weekend night walks and weekday outreach rotate over the seeds' prioritised areas.
NIGHT_AREAS = (("alvsjo", "solberga"), ("liljeholmen",), ("fruangen", "vastertorp", "hagerstensasen"))
DAY_AREAS = (("liljeholmen",), ("fruangen", "vastertorp"), ("alvsjo",), ("hagerstensasen", "vastberga"))

CATEGORY_WEIGHTS = {
    "ungdomssamling": 10, "berusade-alkohol": 5, "narkotikaforsaljning": 3,
    "narkotikabruk": 3, "ordningsstorning": 4, "skadegorelse-klotter": 4, "nedskrapning": 3,
    "spar-av-missbruk": 2, "otrygg-fysisk-miljo": 2, "vald-hot": 1, "personran": 1,
    "rekrytering-kriminell-narvaro": 1, "extremistiska-uttryck": 1, "olovlig-bosattning": 1,
}

SITUATIONS = (
    "Ökad samling av unga på kvällstid; oro för försäljning nära stationen.",
    "Lugnare vecka. Klotter och nedskräpning anmält till Trafikkontoret.",
    "Flera rapporter om påverkade personer sena kvällar; riktade insatser till helgen.",
    "Skolavslutning närmar sig; förstärkt närvaro fredag och lördag kväll.",
)


@dataclass
class DemoResult:
    weeks: list[IsoWeek]
    counts: dict[str, int] = field(default_factory=dict)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A Stockholm wall-clock time on ``day`` (hours ≥ 24 run into the next day), as UTC."""
    extra, hour = divmod(hour, 24)
    local = dt.datetime.combine(day + dt.timedelta(days=extra), dt.time(hour, minute), STOCKHOLM)
    return local.astimezone(dt.timezone.utc)


def generate_demo(database: Database, *, seed: int = 1, weeks: int = 4,
                  now: dt.datetime | None = None,
                  progress: Callable[[int, int], None] | None = None) -> DemoResult:
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    now = now or utcnow()
    rng = random.Random(seed)
    last = IsoWeek.last_complete(now)
    week_list = [last.previous(n) for n in reversed(range(weeks))]
    device_id = database.device_id()
    counts = {"shifts": 0, "observations": 0, "meetings": 0, "actions": 0}

    with database.session() as session:
        services = Services(session, device_id, clock=lambda: now)
        staff = [services.staff.create(initials=i, name=n, role=r.value) for i, n, r in DEMO_STAFF]
        services.settings.set(FIRST_START, FIRST_START_DONE)  # set up: the guide does not pop up
        if not services.settings.device_name():
            services.settings.set_device_name("Demodator")
        places = services.places.list()
        categories = {c.key: c for c in services.reference.categories()}
        category_keys = [k for k in CATEGORY_WEIGHTS if k in categories] or list(categories)
        category_weights = [CATEGORY_WEIGHTS.get(k, 1) for k in category_keys]

    def places_in(area_keys) -> list[PlaceRecord]:
        area_ids = {reference_id("area", k) for k in area_keys}
        found = [p for p in places if p.area_id in area_ids]
        return found or places

    def weight(place: PlaceRecord) -> int:
        return {"active": 6, "watched": 2}.get(place.hotspot_status or "", 1)

    police = (reference_id("partner", "lpo-skarholmen"), reference_id("partner", "lpo-globen"))
    walkers = {
        "alvsjo": reference_id("partner", "alvsjo-aik-nattvandrare"),
        "liljeholmen": reference_id("partner", "nattvandring-nu"),
        "fruangen": reference_id("partner", "sodra-folkparken-nattvandrare"),
    }

    for index, week in enumerate(week_list):
        days = week.days()
        with database.session() as session:
            services = Services(session, device_id, clock=lambda: now)
            known_partners = {p.id for p in services.reference.partners()}
            # Thursday utsättningsmöte with the police: lägesbild, flagged places, actions.
            night_areas = NIGHT_AREAS[rng.randrange(len(NIGHT_AREAS))]
            hot = sorted(places_in(night_areas), key=lambda p: (-weight(p), p.name))[:4]
            flagged = rng.sample(hot, k=min(2, len(hot)))
            meeting = services.meetings.create(
                kind=MeetingKind.UTSATTNINGSMOTE.value,
                held_at=_at(days[3], 13),
                title="Utsättningsmöte v. %d" % week.week,
                situation=SITUATIONS[rng.randrange(len(SITUATIONS))],
                situation_shareable=True,
                staff_ids=[staff[2].id, staff[rng.randrange(2)].id],
                partner_ids=[p for p in police if p in known_partners],
                flags=[FlaggedPlace(p.id, "Återkommande samling kvällstid") for p in flagged],
            )
            counts["meetings"] += 1
            for n, place in enumerate(flagged):
                day = days[4 + n]  # Friday, Saturday
                services.actions.create(
                    meeting_id=meeting.id, place_id=place.id, starts_at=_at(day, 20),
                    ends_at=_at(day, 24),
                    responsible_partner_id=police[0] if police[0] in known_partners else None,
                    note="Gemensam närvaro fältassistenter och polis",
                )
                counts["actions"] += 1

        for day in days:
            weekday = day.weekday()
            if weekday in (4, 5):
                kind, start_h, end_h, areas = ShiftKind.NATTVANDRING, 19, 25, night_areas
            elif weekday < 4 and rng.random() < 0.8:
                kind, start_h, end_h = ShiftKind.FALTPASS, 14, 20
                areas = DAY_AREAS[rng.randrange(len(DAY_AREAS))]
            else:
                continue
            starts_at, ends_at = _at(day, start_h), _at(day, end_h)
            if ends_at > now:
                continue
            area_ids = [reference_id("area", k) for k in areas]
            crew = rng.sample(staff, k=2 if kind is ShiftKind.FALTPASS else 3)
            walker = kind is ShiftKind.NATTVANDRING and areas[0] in walkers
            partner_ids = [walkers[areas[0]]] if walker else []
            with database.session() as session:
                services = Services(session, device_id, clock=lambda: now)
                known_partners = {p.id for p in services.reference.partners()}
                shift = services.shifts.create(
                    kind=kind.value, starts_at=starts_at, staff_ids=[s.id for s in crew],
                    partner_ids=[p for p in partner_ids if p in known_partners],
                    area_ids=area_ids, weather=rng.choice(("Klart", "Mulet", "Regn", "Kallt")),
                )
                candidates = places_in(areas)
                weights = [weight(p) for p in candidates]
                minutes = (end_h - start_h) * 60
                n_obs = rng.randint(2, 6) if kind is ShiftKind.NATTVANDRING else rng.randint(1, 4)
                for offset in sorted(rng.sample(range(10, minutes - 10), k=n_obs)):
                    category = categories[rng.choices(category_keys, category_weights)[0]]
                    people = rng.randint(1, 25)
                    services.observations.create(
                        shift_id=shift.id,
                        place_id=rng.choices(candidates, weights)[0].id,
                        category_id=category.id,
                        severity=rng.choices(list(Severity), (6, 3, 1))[0].value,
                        observed_at=starts_at + dt.timedelta(minutes=offset),
                        people_count=people,
                        youths_present=rng.randint(0, people),
                        action_taken=rng.choices(list(ActionTaken), (3, 6, 2, 1, 1, 1, 1))[0].value,
                    )
                    counts["observations"] += 1
                youth_counts = {
                    youth_key(band, gender): rng.randint(0, 6)
                    for band in (AgeBand.AGE_13_15, AgeBand.AGE_16_17, AgeBand.AGE_18_20)
                    for gender in (Gender.GIRL, Gender.BOY)
                }
                services.shifts.end(
                    shift.id, ends_at=ends_at, youth_counts=youth_counts,
                    adults_met=rng.randint(0, 8),
                    concern_reports=rng.choices((0, 1, 2), (8, 2, 1))[0],
                    referrals=rng.choices((0, 1, 2, 3), (5, 3, 2, 1))[0],
                    summary="Lugnt pass, bra samtal med ungdomar." if rng.random() < 0.7
                    else "Stökigt vid stationen, polis informerad.",
                    summary_shareable=True,
                    private_notes="Privat anteckning: uppföljning behövs.",
                )
                counts["shifts"] += 1
                # The weekend's shifts carry out what the meeting agreed; one in a few is missed.
                # Any laptop's actions (a colleague's synced meeting too): "carried out" is
                # this laptop's own record, linked to the action and this shift.
                for action in services.actions.covered_by(shift.id):
                    if rng.random() < 0.85:
                        services.carried.carry_out(action.id, shift.id)
        if progress:
            progress(index + 1, len(week_list))
    return DemoResult(weeks=week_list, counts=counts)


# -- bulk data for benchmarks ---------------------------------------------------------------

def generate_bulk(database: Database, *, devices: int, weeks: int, observations: int,
                  seed: int = 1, now: dt.datetime | None = None,
                  progress: Callable[[int, int], None] | None = None) -> DemoResult:
    """Many devices' worth of shifts, observations, meetings and actions, written with bulk
    inserts (the services would take an hour for a city-year). Same shapes as
    :func:`generate_demo`: weekday fältpass, Friday and Saturday nattvandringar, a Thursday
    meeting per device and week with two actions, observations weighted to hotspots.
    Rows belong to ``devices`` synthetic devices (as after a team lead's sync)."""
    import uuid

    from sqlalchemy import insert

    from fieldapp.store.models import (
        Action, ActionCarriedOut, Device, Meeting, Observation, Shift, Staff, shift_area,
        shift_staff,
    )

    now = now or utcnow()
    rng = random.Random(seed)
    week_list = [IsoWeek.last_complete(now).previous(n) for n in reversed(range(weeks))]
    with database.session() as session:
        services = Services(session, database.device_id())
        places = services.places.list()
        categories = services.reference.categories()
    place_weights = [{"active": 6, "watched": 2}.get(p.hotspot_status or "", 1) for p in places]
    device_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(devices)]
    shifts_per_week = 6
    per_shift = max(1, observations // max(1, devices * weeks * shifts_per_week))
    remaining = observations
    counts = {"shifts": 0, "observations": 0, "meetings": 0, "actions": 0}

    def meta(device_id, when):
        return {"id": uuid.UUID(int=rng.getrandbits(128), version=4), "device_id": device_id,
                "revision": 1, "created_at": when, "updated_at": when, "acked_revision": 1}

    with database.engine.begin() as connection:
        connection.execute(insert(Device), [
            {"id": d, "name": f"Enhet {n + 1}", "is_self": False, "created_at": now}
            for n, d in enumerate(device_ids)])
        staff_rows = []
        for n, device_id in enumerate(device_ids):
            for k in range(3):
                row = meta(device_id, now)
                row.update(initials=f"{chr(65 + n % 26)}{chr(65 + k)}{n // 26 or ''}",
                           name=f"Personal {n}-{k}", role=StaffRole.FIELD_WORKER.value, active=True)
                staff_rows.append(row)
        connection.execute(insert(Staff), staff_rows)
        staff_by_device = {d: [r["id"] for r in staff_rows if r["device_id"] == d] for d in device_ids}

        for index, week in enumerate(week_list):
            days = week.days()
            shift_rows, obs_rows, links, areas_links, meeting_rows, action_rows = [], [], [], [], [], []
            carried_rows = []
            for device_id in device_ids:
                held = _at(days[3], 13)
                meeting = meta(device_id, held)
                meeting.update(kind=MeetingKind.UTSATTNINGSMOTE.value, held_at=held, title=f"v. {week.week}",
                               situation="", situation_shareable=False)
                meeting_rows.append(meeting)
                for day in (days[0], days[1], days[2], days[3], days[4], days[5]):
                    night = day.weekday() >= 4
                    starts_at = _at(day, 19 if night else 14)
                    ends_at = _at(day, 25 if night else 20)
                    if ends_at > now:
                        continue
                    shift = meta(device_id, ends_at)
                    youth = {youth_key(b, g): rng.randint(0, 4)
                             for b in (AgeBand.AGE_13_15, AgeBand.AGE_16_17)
                             for g in (Gender.GIRL, Gender.BOY)}
                    shift.update(kind=(ShiftKind.NATTVANDRING if night else ShiftKind.FALTPASS).value,
                                 starts_at=starts_at, ends_at=ends_at, weather="", summary="",
                                 summary_shareable=False, private_notes="", youth_counts=youth,
                                 adults_met=rng.randint(0, 5), concern_reports=rng.choice((0, 0, 0, 1)),
                                 referrals=rng.choice((0, 0, 1, 2)))
                    shift_rows.append(shift)
                    links += [{"shift_id": shift["id"], "staff_id": s}
                              for s in staff_by_device[device_id][:2]]
                    place = rng.choices(places, place_weights)[0]
                    areas_links.append({"shift_id": shift["id"], "area_id": place.area_id})
                    if night and rng.random() < 0.35:
                        action = meta(device_id, held)
                        action.update(meeting_id=meeting["id"], place_id=place.id, area_id=None,
                                      starts_at=_at(day, 20), ends_at=_at(day, 24),
                                      responsible_partner_id=None, status="planned", note="")
                        action_rows.append(action)
                        carried = meta(device_id, ends_at)
                        carried.update(action_id=action["id"], shift_id=shift["id"],
                                       carried_out_at=ends_at)
                        carried_rows.append(carried)
                    n_obs = min(remaining, per_shift if rng.random() < 0.5 else per_shift + 1)
                    remaining -= n_obs
                    for _ in range(n_obs):
                        observed = starts_at + dt.timedelta(minutes=rng.randrange(10, 350))
                        row = meta(device_id, observed)
                        people = rng.randint(1, 20)
                        row.update(shift_id=shift["id"],
                                   place_id=rng.choices(places, place_weights)[0].id,
                                   category_id=categories[rng.randrange(len(categories))].id,
                                   severity=rng.choice(("low", "low", "medium", "high")),
                                   observed_at=observed, people_count=people,
                                   youths_present=rng.randint(0, people),
                                   action_taken=ActionTaken.TALK.value, details="", details_shareable=False)
                        obs_rows.append(row)
            for model, rows in ((Shift, shift_rows), (Meeting, meeting_rows)):
                if rows:
                    connection.execute(insert(model), rows)
            for table, rows in ((shift_staff, links), (shift_area, areas_links)):
                if rows:
                    connection.execute(insert(table), rows)
            if action_rows:
                connection.execute(insert(Action), action_rows)
                connection.execute(insert(ActionCarriedOut), carried_rows)
            for start in range(0, len(obs_rows), 20000):
                connection.execute(insert(Observation), obs_rows[start:start + 20000])
            counts["shifts"] += len(shift_rows)
            counts["observations"] += len(obs_rows)
            counts["meetings"] += len(meeting_rows)
            counts["actions"] += len(action_rows)
            if progress:
                progress(index + 1, len(week_list))
    return DemoResult(weeks=week_list, counts=counts)
