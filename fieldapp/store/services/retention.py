"""Retention (gallring): remove what this device no longer needs to keep.

Two rules, stored in the setting ``retention`` (``0`` turns a rule off):

``private_notes`` (default 30 days)
    A shift's private notes are emptied this many days after the shift ended. The shift
    itself stays. Private notes never leave the device, so this does not wait for the hub.
``records`` (default 13 months)
    Shifts, observations and meetings (with their flagged places and agreed actions) older
    than this are deleted from this device, tombstones included: the weekly logs of the last
    year, and the same week of the year before, can still be made.

A record the team hub has not acknowledged (``acked_revision < revision``) is never deleted,
nor a record that a kept record refers to (the shift of an unsynced observation, the shift an
unsynced agreed action was carried out by). Each run writes one ``purge`` entry per rule and
kind to the audit log: the rule, the kind and how many, never what.

:func:`preview` shows what a run would remove; :func:`run` removes it; :func:`run_if_due`
runs at most once a day (the window calls it at start and then every hour). Qt-free.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from fieldapp.domain.validation import FieldError, ValidationError
from fieldapp.i18n import _
from fieldapp.store.models import Action, ActionCarriedOut, Meeting, Observation, Shift
from fieldapp.store.services.audit import AuditService
from fieldapp.store.services.settings import RETENTION_LAST_RUN, RETENTION_RULES, SettingsService
from fieldapp.store.types import utcnow

SETTING_KEY = RETENTION_RULES.name
LAST_RUN_KEY = RETENTION_LAST_RUN.name
RUN_INTERVAL = dt.timedelta(days=1)

RULE_PRIVATE_NOTES = "private_notes"
RULE_RECORDS = "records"
MAX_DAYS = 3650
MAX_MONTHS = 120


@dataclass(frozen=True)
class RetentionRules:
    private_notes_days: int = 30
    records_months: int = 13

    def check(self) -> list[FieldError]:
        errors = []
        if not 0 <= self.private_notes_days <= MAX_DAYS:
            errors.append(FieldError("private_notes_days", _(
                "Give the days for private notes as 0 (keep) to {max}.").format(max=MAX_DAYS)))
        if not 0 <= self.records_months <= MAX_MONTHS:
            errors.append(FieldError("records_months", _(
                "Give the months for records as 0 (keep) to {max}.").format(max=MAX_MONTHS)))
        return errors


@dataclass(frozen=True)
class PurgeCount:
    rule: str
    kind: str  # private_notes, shift, observation, meeting, action
    count: int  # removed (or, in a preview, to be removed)
    held_back: int = 0  # old enough, but kept: not yet acknowledged by the hub

    @property
    def label(self) -> str:
        return kind_label(self.kind)


def rule_label(rule: str) -> str:
    return {RULE_PRIVATE_NOTES: _("Private notes"),
            RULE_RECORDS: _("Records older than the limit")}.get(rule, rule)


def kind_label(kind: str) -> str:
    return {"private_notes": _("shifts' private notes"), "shift": _("shifts"),
            "observation": _("observations"), "meeting": _("meetings"),
            "action": _("agreed actions")}.get(kind, kind)


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` calendar months earlier (the last day of a shorter
    month: 31 March minus one month is 28/29 February)."""
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# -- settings -----------------------------------------------------------------------------

def load_rules(session: Session) -> RetentionRules:
    value = SettingsService(session).get(RETENTION_RULES)
    defaults = RetentionRules()
    try:
        return RetentionRules(
            private_notes_days=int(value.get("private_notes_days", defaults.private_notes_days)),
            records_months=int(value.get("records_months", defaults.records_months)))
    except (TypeError, ValueError):
        return defaults


def save_rules(session: Session, rules: RetentionRules) -> None:
    errors = rules.check()
    if errors:
        raise ValidationError(errors)
    SettingsService(session).set(RETENTION_RULES, asdict(rules))


# -- what goes ----------------------------------------------------------------------------

def _acked(model):
    return model.acked_revision >= model.revision


@dataclass
class _Plan:
    notes: list
    shifts: set
    observations: set
    meetings: set
    actions: set
    held: dict
    carried: set = None  # carried-out records: they go with their action


def _plan(session: Session, rules: RetentionRules, now: dt.datetime) -> _Plan:
    plan = _Plan(notes=[], shifts=set(), observations=set(), meetings=set(), actions=set(),
                 held={"shift": 0, "observation": 0, "meeting": 0, "action": 0})
    if rules.private_notes_days > 0:
        cutoff = now - dt.timedelta(days=rules.private_notes_days)
        ended = func.coalesce(Shift.ends_at, Shift.starts_at)
        plan.notes = list(session.scalars(
            select(Shift.id).where(ended < cutoff, Shift.private_notes != "")))
    if rules.records_months <= 0:
        return plan
    cutoff = months_before(now, rules.records_months)

    # Meetings go with their agreed actions, and only when every one of them is acknowledged.
    meetings = dict(session.execute(
        select(Meeting.id, _acked(Meeting)).where(Meeting.held_at < cutoff)).all())
    carried = session.execute(
        select(ActionCarriedOut.id, ActionCarriedOut.action_id, ActionCarriedOut.shift_id,
               _acked(ActionCarriedOut))).all()
    unacked_carried = {action for _c, action, _s, acked in carried if not acked}
    # An action counts as acknowledged once it and its carried-out records are.
    actions = [(a, m, acked and a not in unacked_carried) for a, m, acked in session.execute(
        select(Action.id, Action.meeting_id, _acked(Action)))]
    blocked = {meeting_id for _id, meeting_id, acked in actions if not acked}
    plan.meetings = {m for m, acked in meetings.items() if acked and m not in blocked}
    plan.held["meeting"] = len(meetings) - len(plan.meetings)
    plan.actions = {a for a, meeting_id, _acked_ in actions if meeting_id in plan.meetings}
    plan.held["action"] = sum(1 for _a, m, acked in actions if m in meetings and not acked)
    plan.carried = {c for c, action, _s, _ac in carried if action in plan.actions}
    kept_shift_refs = {shift for _c, action, shift, _ac in carried
                       if shift is not None and action not in plan.actions}

    # Only old rows are read (a city's year is a million observations): the indexes on
    # observed_at and starts_at find them, the one on shift_id what still refers to them.
    old_obs = dict(session.execute(
        select(Observation.id, _acked(Observation)).where(Observation.observed_at < cutoff)).all())
    plan.observations = {o for o, acked in old_obs.items() if acked}
    plan.held["observation"] = len(old_obs) - len(plan.observations)

    shifts = dict(session.execute(
        select(Shift.id, _acked(Shift)).where(Shift.starts_at < cutoff)).all())
    kept = _shifts_of_kept_observations(session, shifts, cutoff) | kept_shift_refs
    plan.shifts = {s for s, acked in shifts.items() if acked and s not in kept}
    plan.held["shift"] = len(shifts) - len(plan.shifts)
    return plan


def _shifts_of_kept_observations(session: Session, shifts, cutoff: dt.datetime) -> set:
    """Those of ``shifts`` that an observation which stays refers to: one not old enough,
    or one the hub has not acknowledged."""
    kept = set()
    for chunk in _chunks(list(shifts)):
        kept.update(session.scalars(select(Observation.shift_id).where(
            Observation.shift_id.in_(chunk),
            or_(Observation.observed_at >= cutoff, ~_acked(Observation))).distinct()))
    return kept


def _counts(plan: _Plan) -> list[PurgeCount]:
    return [
        PurgeCount(RULE_PRIVATE_NOTES, "private_notes", len(plan.notes)),
        PurgeCount(RULE_RECORDS, "shift", len(plan.shifts), plan.held["shift"]),
        PurgeCount(RULE_RECORDS, "observation", len(plan.observations), plan.held["observation"]),
        PurgeCount(RULE_RECORDS, "meeting", len(plan.meetings), plan.held["meeting"]),
        PurgeCount(RULE_RECORDS, "action", len(plan.actions), plan.held["action"]),
    ]


def preview(session: Session, rules: RetentionRules | None = None,
            now: dt.datetime | None = None) -> list[PurgeCount]:
    """What :func:`run` would remove now, per rule and kind (nothing is changed)."""
    rules = rules or load_rules(session)
    return _counts(_plan(session, rules, now or utcnow()))


def _chunks(ids, size: int = 500):
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def run(session: Session, rules: RetentionRules | None = None,
        now: dt.datetime | None = None) -> list[PurgeCount]:
    """Remove what the rules say, in the caller's transaction; log each rule and kind."""
    now = now or utcnow()
    rules = rules or load_rules(session)
    plan = _plan(session, rules, now)
    for ids in _chunks(plan.notes):
        session.execute(update(Shift).where(Shift.id.in_(ids)).values(private_notes=""))
    # Children before parents; link rows and flagged places go by ON DELETE CASCADE.
    for model, ids in ((Observation, plan.observations), (ActionCarriedOut, plan.carried or ()),
                       (Action, plan.actions),
                       (Shift, plan.shifts), (Meeting, plan.meetings)):
        for chunk in _chunks(ids):
            session.execute(delete(model).where(model.id.in_(chunk)))
    session.flush()
    session.expire_all()
    counts = _counts(plan)
    audit = AuditService(session, clock=lambda: now)
    for item in counts:
        if item.count:
            audit.record("purge", {"rule": item.rule, "kind": item.kind, "count": item.count})
    SettingsService(session).set(RETENTION_LAST_RUN, now.isoformat())
    return counts


def last_run(session: Session) -> dt.datetime | None:
    value = SettingsService(session).get(RETENTION_LAST_RUN)
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def run_if_due(session: Session, now: dt.datetime | None = None) -> list[PurgeCount] | None:
    """Run when the last run is a day old or more (or never ran); None when not due."""
    now = now or utcnow()
    last = last_run(session)
    if last is not None and now - last < RUN_INTERVAL:
        return None
    return run(session, now=now)
