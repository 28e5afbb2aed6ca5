"""Weekly reports: one Qt-free aggregation (:class:`WeekSummary`) feeds every output.

``summary`` builds the figures from the store; ``tables`` lays them out as typed tables;
``pdf``, ``xlsx`` and ``csv_json`` render them; ``export`` writes a file safely; ``command``
is ``fieldapp report``. Nothing here imports Qt.
"""

from fieldapp.reports.summary import Scope, WeekSummary, build_week_summary

__all__ = ["Scope", "WeekSummary", "build_week_summary"]
