"""Services: validate, bump revisions, write tombstones, return plain records.

Use through :class:`Services`, built on a session inside a transaction::

    with database.session() as session:
        services = Services(session, device_id)
        shift = services.shifts.create(kind="nattvandring", starts_at=now)
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from fieldapp.store.services.audit import AuditService
from fieldapp.store.services.base import Clock, NotFoundError, ReadOnlyError
from fieldapp.store.services.carried import CarriedOutService
from fieldapp.store.services.meetings import ActionService, MeetingService
from fieldapp.store.services.observations import ObservationService
from fieldapp.store.services.places import PlaceService, ReferenceService, StaffService
from fieldapp.store.services.settings import SettingsService
from fieldapp.store.services.shifts import ShiftService
from fieldapp.store.types import utcnow

__all__ = ["Services", "NotFoundError", "ReadOnlyError"]


class Services:
    def __init__(self, session: Session, device_id: uuid.UUID, clock: Clock = utcnow):
        self.session = session
        self.device_id = device_id
        self.shifts = ShiftService(session, device_id, clock)
        self.observations = ObservationService(session, device_id, clock)
        self.meetings = MeetingService(session, device_id, clock)
        self.actions = ActionService(session, device_id, clock)
        self.carried = CarriedOutService(session, device_id, clock)
        self.places = PlaceService(session, device_id, clock)
        self.staff = StaffService(session, device_id, clock)
        self.reference = ReferenceService(session)
        self.settings = SettingsService(session)
        self.audit = AuditService(session, clock)
