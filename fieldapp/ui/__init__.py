"""The PySide6 window: a thin client of the services. Only this package imports Qt."""
