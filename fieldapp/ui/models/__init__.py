"""Qt item models. The four lists (shifts, observations, meetings, places) are one model made
from each list's description (``described``, from ``fieldapp.store.lists``) that pages through
the Qt-free queries on the task runner's database lane; the actions of a meeting and a place's
history have their own small models. Widgets never hold a session."""
