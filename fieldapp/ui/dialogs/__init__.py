"""Dialogs of the field worker's fast path: start a shift, log an observation, end a shift."""
