"""Alembic, driven from code: the script location is set here, one head only, and the
caller's connection is shared with Alembic (as mlflow does).

Alembic is imported only when it is needed (an upgrade, a downgrade, an older or unknown
revision): a file already at :data:`HEAD_REVISION` opens without it, which keeps about a
third of a second of imports off the start-up path. ``tests/test_migrations.py`` checks
that :data:`HEAD_REVISION` is the head of the migration scripts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldapp.paths import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import Connection, Engine

# The newest revision in migrations/versions: update it with every new migration.
HEAD_REVISION = "0009_observation_tally"


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def script_head() -> str:
    """The head of the migration scripts, read by Alembic."""
    heads = script_directory().get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must have exactly one head, found {heads}")
    return heads[0]


def head_revision() -> str:
    return HEAD_REVISION


def known_revisions() -> list[str]:
    """Every revision from the first to head, oldest first."""
    return [rev.revision for rev in reversed(list(script_directory().walk_revisions()))]


def is_known(revision: str) -> bool:
    """True if ``revision`` is one of this app's revisions; head needs no Alembic."""
    return revision == HEAD_REVISION or revision in known_revisions()


def current_revision(connection: Connection) -> str | None:
    """The revision in ``alembic_version`` (None: no such table, or no row)."""
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'").first()
    if found is None:
        return None
    row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return row[0] if row is not None else None


def _migrate(engine: Engine, action, target: str) -> None:
    """Run an Alembic command on one connection with foreign keys off (SQLite cannot
    rebuild a referenced table in batch mode otherwise), then check them before commit."""
    with engine.connect() as connection:
        # pysqlite issues no BEGIN before a PRAGMA, so this takes effect.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                config = alembic_config()
                config.attributes["connection"] = connection
                action(config, target)
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise RuntimeError(f"migration to {target} broke foreign keys: {problems[:5]}")
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def upgrade(engine: Engine, target: str = "head") -> None:
    from alembic import command

    _migrate(engine, command.upgrade, target)


def downgrade(engine: Engine, target: str) -> None:
    from alembic import command

    _migrate(engine, command.downgrade, target)
