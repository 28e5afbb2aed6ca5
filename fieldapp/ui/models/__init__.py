"""Qt item models of the lists (shifts, observations, meetings and actions, places, place
history). They page through the Qt-free queries in ``fieldapp.store.queries`` on the task
runner's database lane; widgets never hold a session."""
