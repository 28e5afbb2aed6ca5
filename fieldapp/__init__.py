"""Fältlogg: shift, observation and meeting log for fältassistenter.

The core (domain, store, sync, reports) never imports Qt; the window lives in ``fieldapp.ui``.
"""


def __getattr__(name: str):
    # ``fieldapp.__version__`` is looked up when asked for: importlib.metadata costs ~20 ms,
    # which the window's start should not pay.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("faltlogg")
        except PackageNotFoundError:  # running from a source checkout without installing
            return "0.1.0"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
