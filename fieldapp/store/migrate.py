"""Alembic, driven from code: the script location is set here, one head only, and the
caller's connection is shared with Alembic (as mlflow does)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from fieldapp.paths import migrations_dir


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    heads = script_directory().get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must have exactly one head, found {heads}")
    return heads[0]


def known_revisions() -> list[str]:
    """Every revision from the first to head, oldest first."""
    return [rev.revision for rev in reversed(list(script_directory().walk_revisions()))]


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


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
    _migrate(engine, command.upgrade, target)


def downgrade(engine: Engine, target: str) -> None:
    _migrate(engine, command.downgrade, target)
