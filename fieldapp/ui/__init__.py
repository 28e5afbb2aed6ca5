"""The PySide6 window: a thin client of the services. Only this package imports Qt."""

# QSettings' names, here so that the start can name the application before the main window
# (and everything it imports) is loaded.
ORGANIZATION = "Faltlogg"
APPLICATION = "Faltlogg"
