"""Sync of summaries between laptops and the team hub (DESIGN.md, "Sync").

- :mod:`fieldapp.sync.envelope`: what each synced type shares, ``to_envelope``
- :mod:`fieldapp.sync.validate`: ``validate_envelope``, the format check of received envelopes,
  and ``screen_envelope``, a local save's limits and the shareable-text gate on receipt
- :mod:`fieldapp.sync.apply`: ``apply_envelope`` / ``ApplyCache``, storing received envelopes
- :mod:`fieldapp.sync.bundle`: the signed file format of the folder hub
- :mod:`fieldapp.sync.folder`: :class:`FolderHub`, a shared folder (the default)
- :mod:`fieldapp.sync.postgres`: :class:`PostgresHub`, a central PostgreSQL server
- :mod:`fieldapp.sync.engine`: :func:`sync` (push, pull, receipts) returning a ``SyncReport``
  (:mod:`fieldapp.sync.report`); the pull is :mod:`fieldapp.sync.pull`, the per-hub
  bookkeeping :mod:`fieldapp.sync.state`, the team key :mod:`fieldapp.sync.team_key`
- :mod:`fieldapp.sync.receipts`: each record's state (local only / pending / synced)

The package never imports Qt: it runs in the command line and in tests without a display.
"""
