"""``fieldapp report --format geojson``: RFC 7946 structure, [lon, lat] order, counts equal a
straightforward SQL count, summaries only (details only when shareable and passed)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid

import pytest

from fieldapp.cli import main
from fieldapp.demo import generate_demo
from fieldapp.store.database import open_database
from fieldapp.store.services import Services

NOW = dt.datetime(2024, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
CREATED = "2024-11-25T08:00+01:00"
IN_W47 = dt.datetime(2024, 11, 20, 19, 0, tzinfo=dt.timezone.utc)
PRIVATE = "Pratade med Kalle Andersson, 070-123 45 67"
SHARED = "Grupp om sex vid entrén, lugnt"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("geo") / "demo.sqlite"
    database = open_database(path)
    generate_demo(database, seed=3, weeks=3, now=NOW)
    with database.session() as session:
        svc = Services(session, database.device_id(), clock=lambda: NOW)
        place = next(p for p in svc.places.list() if p.lat is not None)
        category = svc.reference.categories()[0]
        for details, shareable in ((PRIVATE, False), (SHARED, True)):
            svc.observations.create(place_id=place.id, category_id=category.id,
                                    severity="medium", observed_at=IN_W47, details=details,
                                    details_shareable=shareable)
    database.close()
    return path


@pytest.fixture(scope="module")
def collection(demo_path, tmp_path_factory):
    target = tmp_path_factory.mktemp("out") / "w47.geojson"
    code = main(["--db", str(demo_path), "report", "--format", "geojson", "--week", "2024-W47",
                 "-o", str(target), "--created", CREATED])
    assert code == 0
    return json.loads(target.read_text(encoding="utf-8"))


def test_the_file_is_an_rfc_7946_feature_collection(collection):
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946 removed it: WGS84 is implied
    assert collection["features"]
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert set(feature) >= {"type", "geometry", "properties"}
        geometry = feature["geometry"]
        if geometry is not None:
            assert geometry["type"] == "Point"
            lon, lat = geometry["coordinates"]
            assert isinstance(lon, float) and isinstance(lat, float)
    west, south, east, north = collection["bbox"]
    assert west <= east and south <= north


def test_coordinates_are_longitude_first_and_match_the_places(collection, demo_path):
    con = sqlite3.connect(demo_path)
    try:
        stored = {uuid.UUID(hex=row[0]): (row[1], row[2]) for row in con.execute(
            "SELECT id, lat, lon FROM place WHERE deleted_at IS NULL")}
    finally:
        con.close()
    places = [f for f in collection["features"] if f["properties"]["feature"] == "place"]
    assert len(places) == len(stored)
    located = 0
    for feature in places:
        lat, lon = stored[uuid.UUID(feature["properties"]["place_id"])]
        if lat is None:
            assert feature["geometry"] is None
            continue
        located += 1
        assert feature["geometry"]["coordinates"] == [round(lon, 6), round(lat, 6)]
        # Stockholm: longitude about 18, latitude about 59; a swapped pair fails here.
        assert 17 < feature["geometry"]["coordinates"][0] < 19
        assert 59 < feature["geometry"]["coordinates"][1] < 60
    assert located > 0


def test_each_place_counts_its_observations_like_sql(collection, demo_path):
    con = sqlite3.connect(demo_path)
    try:
        # Week 47 in Stockholm; an observation during a shift counts at the shift's start.
        rows = con.execute(
            "SELECT o.place_id, count(*) FROM observation o LEFT JOIN shift s ON s.id = o.shift_id "
            "WHERE o.deleted_at IS NULL AND (o.shift_id IS NULL OR s.deleted_at IS NULL) AND "
            "coalesce(s.starts_at, o.observed_at) >= '2024-11-17 23:00:00' AND "
            "coalesce(s.starts_at, o.observed_at) < '2024-11-24 23:00:00' GROUP BY o.place_id")
        expected = {uuid.UUID(hex=pid): n for pid, n in rows}
    finally:
        con.close()
    places = {uuid.UUID(f["properties"]["place_id"]): f["properties"]
              for f in collection["features"] if f["properties"]["feature"] == "place"}
    assert {k: v["observations"] for k, v in places.items() if v["observations"]} == expected
    for props in places.values():
        assert sum(props["by_category"].values()) == props["observations"]
    observations = [f for f in collection["features"]
                    if f["properties"]["feature"] == "observation"]
    assert len(observations) == sum(expected.values())
    for feature in observations:
        props = feature["properties"]
        assert {"category", "severity", "observed_at"} <= set(props)
        assert props["observed_at"].endswith("Z")
        assert "youths_present" not in props and "people_count" not in props


def test_free_text_leaves_only_when_shareable_and_passed_by_the_gate(collection):
    text = json.dumps(collection, ensure_ascii=False)
    assert SHARED in text
    assert "Kalle" not in text and "070-123" not in text


def test_the_rising_places_are_the_weekly_logs(collection, demo_path, tmp_path):
    target = tmp_path / "w47.json"
    assert main(["--db", str(demo_path), "report", "--week", "2024-W47", "-o", str(target),
                 "--created", CREATED]) == 0
    rising = json.loads(target.read_text(encoding="utf-8"))["rising"]
    flagged = {f["properties"]["place_id"]: f["properties"]["rising_figures"]
               for f in collection["features"]
               if f["properties"]["feature"] == "place" and f["properties"]["rising"]}
    assert flagged  # the demo has rising places
    assert flagged == {r["place_id"]: {k: r[k] for k in ("recent", "baseline", "expected",
                                                         "p_value")} for r in rising}


def test_weeks_without_lagesbild_or_geojson_is_refused(demo_path, tmp_path, capsys):
    assert main(["--db", str(demo_path), "report", "--weeks", "3",
                 "-o", str(tmp_path / "x.pdf")]) == 2
    assert "--weeks" in capsys.readouterr().err


def test_a_gis_library_reads_it_when_one_is_installed(collection):
    shapely_geometry = pytest.importorskip("shapely.geometry")
    for feature in collection["features"]:
        if feature["geometry"] is not None:
            assert shapely_geometry.shape(feature["geometry"]).is_valid
