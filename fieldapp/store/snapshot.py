"""One snapshot for a report's reads.

The store's sessions run on pysqlite, which starts no transaction for a SELECT: each
statement sees the file as committed when it ran. A report reads it in a dozen statements
(shifts, then observations, then meetings …), so a sync or a save committed between two of
them could make its figures disagree (a total from before, a table from after).
:func:`hold_snapshot` starts a read transaction on the session's connection instead: every
later statement of the session reads the same committed state (SQLite in WAL mode keeps it
for the reader while others write), until the session ends. Meant for sessions that only
read; one that writes afterwards still can, unless another connection wrote meanwhile."""

from __future__ import annotations

from sqlalchemy.orm import Session


def hold_snapshot(session: Session) -> None:
    """Make the rest of ``session``'s reads one snapshot (no-op inside a transaction)."""
    connection = session.connection().connection.driver_connection
    if not connection.in_transaction:
        connection.execute("BEGIN")
        # SQLite takes the snapshot at the first read, not at BEGIN
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()


__all__ = ["hold_snapshot"]
