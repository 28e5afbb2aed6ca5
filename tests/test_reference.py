"""Reference data: stable ids, loads twice without duplicates, bad files get clear errors."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from fieldapp.domain.ids import reference_id
from fieldapp.paths import resources_dir
from fieldapp.store.database import open_database
from fieldapp.store.reference import ReferenceDataError, load_reference_data

TABLES = ("area", "place", "partner", "category")


def counts(path):
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def test_seeds_reference_data_is_loaded(database):
    found = counts(database.path)
    assert found["area"] == 17
    assert found["category"] == 14
    assert found["place"] >= 25 and found["partner"] >= 8
    con = sqlite3.connect(database.path)
    names = {r[0] for r in con.execute("SELECT name FROM place")}
    con.close()
    for name in ("Älvsjö centrum", "Liljeholmstorget", "Trekantsparken", "Fruängen centrum"):
        assert name in names


def test_loading_again_duplicates_nothing(database):
    before = counts(database.path)
    with database.session() as session:
        result = load_reference_data(session)
    assert result.total == 0
    database.close()
    open_database(database.path).close()  # every start loads again
    assert counts(database.path) == before


def test_two_devices_agree_on_reference_ids(tmp_path):
    ids = []
    for name in ("a.sqlite", "b.sqlite"):
        db = open_database(tmp_path / name)
        con = sqlite3.connect(db.path)
        ids.append(sorted(r[0] for r in con.execute("SELECT id FROM place")))
        con.close()
        assert db.device_id() is not None
        db.close()
    assert ids[0] == ids[1]
    assert reference_id("place", "alvsjo-centrum").hex in ids[0]


def test_new_items_in_the_file_are_added(tmp_path, database):
    folder = tmp_path / "resources"
    shutil.copytree(resources_dir(), folder)
    with (folder / "places.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[place]]\nkey = "nya-bollplanen"\nname = "Nya bollplanen"\n'
                 'area = "alvsjo"\nkind = "idrott"\n')
    with database.session() as session:
        result = load_reference_data(session, folder)
    assert result.added == {"places": 1}


@pytest.mark.parametrize("extra, message", [
    ('\n[[place]]\nkey = "x"\nname = "X"\narea = "atlantis"\nkind = "park"\n', "area"),
    ('\n[[place]]\nkey = "y"\nname = "Y"\narea = "alvsjo"\nkind = "slott"\n', "kind"),
    ('\n[[place]]\nname = "Z"\n', "no key"),
    ('\n[[place\n', "places.toml"),
])
def test_bad_reference_file_names_the_problem(tmp_path, database, extra, message):
    folder = tmp_path / "resources"
    shutil.copytree(resources_dir(), folder)
    with (folder / "places.toml").open("a", encoding="utf-8") as fh:
        fh.write(extra)
    with pytest.raises(ReferenceDataError, match=message):
        with database.session() as session:
            load_reference_data(session, folder)
