"""Editing an aware datetime as Stockholm wall-clock time."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QDateTimeEdit

from fieldapp.domain.weeks import STOCKHOLM, to_stockholm

DISPLAY_FORMAT = "yyyy-MM-dd HH:mm"


class StockholmDateTimeEdit(QDateTimeEdit):
    """Shows a moment in Europe/Stockholm time, whatever the laptop's zone; ``moment()``
    gives it back as an aware datetime."""

    def __init__(self, moment: dt.datetime | None = None, parent=None):
        super().__init__(parent)
        self.setDisplayFormat(DISPLAY_FORMAT)
        self.setCalendarPopup(True)
        if moment is not None:
            self.set_moment(moment)

    def set_moment(self, moment: dt.datetime) -> None:
        local = to_stockholm(moment).replace(tzinfo=None, second=0, microsecond=0)
        self.setDateTime(QDateTime(local))

    def moment(self) -> dt.datetime:
        local = self.dateTime().toPython().replace(second=0, microsecond=0)
        return local.replace(tzinfo=STOCKHOLM).astimezone(dt.timezone.utc)
