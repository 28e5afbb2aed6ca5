"""SettingsService: every setting a typed key; stored JSON values as older versions wrote
them are read as they were; a value of the wrong type is refused, a stored one reads as the
default."""

from __future__ import annotations

import pytest

from fieldapp.domain.validation import ValidationError
from fieldapp.store.models import Setting
from fieldapp.store.services import settings as keys
from fieldapp.store.services.settings import SettingsService


def test_defaults_and_round_trips(database):
    with database.session() as session:
        settings = SettingsService(session)
        assert settings.get(keys.LANGUAGE) == "sv" and settings.get(keys.LOCK_MINUTES) == 10
        settings.set(keys.TEAM_NAME, "Fältgruppen HÄ")
        settings.set(keys.LOCK_MINUTES, 5)
        settings.put(keys.SYNC_CURSOR.key("hub-1", "device-a"), 7)
        settings.put(keys.SYNC_CURSOR.key("hub-1", "device-b"), 9)
        settings.put(keys.SYNC_CURSOR.key("hub-2", "device-a"), 1)
    with database.session() as session:
        settings = SettingsService(session)
        assert settings.get(keys.TEAM_NAME) == "Fältgruppen HÄ"
        assert settings.get("team_name") == "Fältgruppen HÄ"  # a name finds its declared key
        assert settings.get(keys.LOCK_MINUTES) == 5
        assert settings.family(keys.SYNC_CURSOR, "hub-1") == {"device-a": 7, "device-b": 9}


def test_values_written_by_an_older_version_are_read_as_before(database):
    with database.session() as session:
        session.add_all([Setting(key="retention", value={"private_notes_days": 7,
                                                         "records_months": 12}),
                         Setting(key="sync.refused.hub-1", value={"a/1": {"file": "x"}}),
                         Setting(key="hub_path", value="/mnt/hub")])
    with database.session() as session:
        settings = SettingsService(session)
        assert settings.get(keys.RETENTION_RULES)["records_months"] == 12
        assert settings.get(keys.SYNC_REFUSED.key("hub-1")) == {"a/1": {"file": "x"}}
        assert settings.get(keys.HUB_PATH) == "/mnt/hub"


def test_a_stored_value_of_the_wrong_type_reads_as_the_default(database):
    with database.session() as session:
        session.add_all([Setting(key="lock_minutes", value="ten"),
                         Setting(key="sync.parked", value={"not": "a list"}),
                         Setting(key="team_name", value=None)])
    with database.session() as session:
        settings = SettingsService(session)
        assert settings.get(keys.LOCK_MINUTES) == 10
        assert settings.get(keys.SYNC_PARKED) == []
        assert settings.get(keys.TEAM_NAME) == ""


@pytest.mark.parametrize("key, value", [(keys.LOCK_MINUTES, "5"), (keys.LOCK_MINUTES, True),
                                        (keys.HUB_PATH, None), (keys.RETENTION_RULES, [1])])
def test_a_value_of_the_wrong_type_is_refused_and_nothing_saved(database, key, value):
    with database.session() as session:
        with pytest.raises(ValidationError) as info:
            SettingsService(session).set(key, value)
        assert [e.field for e in info.value.errors] == ["value"]
        assert session.get(Setting, key.name) is None


def test_put_refuses_the_wrong_type(database):
    with database.session() as session, pytest.raises(TypeError):
        SettingsService(session).put(keys.SYNC_PUSHED_SEQ.key("hub-1"), "3")
