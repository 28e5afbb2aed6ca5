"""Fältlogg: shift, observation and meeting log for fältassistenter.

The core (domain, store, sync, reports) never imports Qt; the window lives in ``fieldapp.ui``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("faltlogg")
except PackageNotFoundError:  # running from a source checkout without installing
    __version__ = "0.1.0"
