"""``fieldapp report --lagesbild``: one page, the same rising places and figures as the weekly
log's JSON, a map when places have coordinates, the last meeting's actions, summaries only,
and a disclosure in the audit log when given to a partner."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pypdf import PdfReader

from fieldapp.cli import main
from fieldapp.demo import generate_demo
from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import format_number
from fieldapp.reports.lagesbild import build_lagesbild
from fieldapp.reports.lagesbild_pdf import draw_map
from fieldapp.reports.rules import p_text
from fieldapp.store.database import open_database
from fieldapp.store.services import Services
from fieldapp.store.services.audit import AuditService

NOW = dt.datetime(2024, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
CREATED = "2024-11-25T08:00+01:00"
PRIVATE = "Pratade med Kalle Andersson om bråket"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("lb") / "demo.sqlite"
    database = open_database(path)
    generate_demo(database, seed=3, weeks=3, now=NOW)
    with database.session() as session:
        svc = Services(session, database.device_id(), clock=lambda: NOW)
        place = svc.places.list()[0]
        svc.observations.create(place_id=place.id, category_id=svc.reference.categories()[0].id,
                                severity="low", details=PRIVATE,
                                observed_at=dt.datetime(2024, 11, 21, 18, tzinfo=dt.timezone.utc))
    database.close()
    return path


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_lagesbild_shows_the_rising_places_and_figures_of_the_json(demo_path, tmp_path):
    target = tmp_path / "lb.pdf"
    code = main(["--db", str(demo_path), "report", "--lagesbild", "--week", "2024-W47",
                 "--weeks", "2", "-o", str(target), "--created", CREATED])
    assert code == 0
    assert main(["--db", str(demo_path), "report", "--week", "2024-W47", "-o",
                 str(tmp_path / "w.json"), "--created", CREATED]) == 0
    rising = json.loads((tmp_path / "w.json").read_text(encoding="utf-8"))["rising"]
    assert rising  # the demo has rising places
    reader = PdfReader(target)
    assert len(reader.pages) <= 2
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    for row in rising:
        figures = (f"{row['place']} {row['area']} {row['baseline']} {row['recent']} "
                   f"{format_number(round(row['expected'], 1))} {p_text(row['p_value'])}")
        assert figures in text
    assert "v. 46 2024" in text and "v. 47 2024" in text
    assert "Kalle" not in text  # summaries only


def test_the_map_draws_the_located_places_with_a_scale_bar(demo_path):
    database = open_database(demo_path)
    try:
        with database.session() as session:
            report = build_lagesbild(session, IsoWeek(2024, 47), 2, "team",
                                     database.device_id(), generated_at=NOW)
    finally:
        database.close()
    assert report.points and all(p.observations for p in report.points)
    drawing = draw_map(report)
    labels = [s.text for s in drawing.contents if hasattr(s, "text")]
    assert any(label.endswith(" m") or label.endswith(" km") for label in labels)
    circles = [s for s in drawing.contents if type(s).__name__ == "Circle"]
    assert len(circles) == len(report.points)
    for circle in circles:  # every dot inside the map
        assert 0 <= circle.cx <= drawing.width and 0 <= circle.cy <= drawing.height
    # West is left and north is up: the westernmost place has the smallest x.
    west = min(report.points, key=lambda p: p.lon)
    north = max(report.points, key=lambda p: p.lat)
    by_radius_order = sorted(report.points, key=lambda p: -p.observations)
    west_circle = circles[by_radius_order.index(west)]
    north_circle = circles[by_radius_order.index(north)]
    assert west_circle.cx == min(c.cx for c in circles)
    assert north_circle.cy == max(c.cy for c in circles)


def test_given_to_a_partner_it_is_logged_as_a_disclosure(demo_path, tmp_path):
    target = tmp_path / "lb.pdf"
    assert main(["--db", str(demo_path), "report", "--lagesbild", "--week", "2024-W47",
                 "--recipient", "LPO Skärholmen", "-o", str(target)]) == 0
    assert "LPO Skärholmen" in flat(PdfReader(target).pages[0].extract_text())
    database = open_database(demo_path)
    try:
        with database.session() as session:
            entry = AuditService(session).list(kinds=["disclosure"])[0]
    finally:
        database.close()
    assert entry.details["recipient"] == "LPO Skärholmen"
    assert entry.details["report"] == "lagesbild" and entry.details["weeks"] == 2
