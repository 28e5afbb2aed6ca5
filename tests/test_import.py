"""Import of old logs: realistic workbooks and CSVs built here (tests/import_logs.py) go
through the real readers, mapping, preview and services into a real SQLite file."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from import_logs import build_csv, build_workbook

from fieldapp.cli import main
from fieldapp.domain.ids import reference_id
from fieldapp.domain.weeks import STOCKHOLM
from fieldapp.imports import mapping as mappings
from fieldapp.imports import service
from fieldapp.imports.apply import write_refused
from fieldapp.imports.parse import CellError, TimeRange, parse_count, parse_date, parse_time_range
from fieldapp.store.services.meetings import MeetingService
from fieldapp.store.services.observations import ObservationService
from fieldapp.store.services.shifts import ShiftService

JULY_2023 = dt.datetime(2023, 7, 1, tzinfo=dt.timezone.utc)
OCTOBER_2023 = dt.datetime(2023, 10, 1, tzinfo=dt.timezone.utc)


def local(y, m, d, hh, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=STOCKHOLM).astimezone(dt.timezone.utc)


# -- cells -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    (dt.datetime(2023, 5, 12), dt.date(2023, 5, 12)), ("2023-05-12", dt.date(2023, 5, 12)),
    ("12/5", dt.date(2023, 5, 12)), ("12 maj 2023", dt.date(2023, 5, 12)),
    ("fre 12/5", dt.date(2023, 5, 12)), ("12 maj", dt.date(2023, 5, 12)),
    ("12/5/22", dt.date(2022, 5, 12)),
])
def test_dates_in_every_form(text, expected):
    assert parse_date(text, default_year=2023) == expected


@pytest.mark.parametrize("text", ["31/2", "tor 12/5", "igår", ""])
def test_dates_that_cannot_be_read(text):
    with pytest.raises(CellError):
        parse_date(text, default_year=2023)


def test_a_date_without_year_needs_one():
    with pytest.raises(CellError, match="default_year"):
        parse_date("12/5")


@pytest.mark.parametrize("text, start, end", [
    ("19-23", dt.time(19), dt.time(23)), ("19.00–23.30", dt.time(19), dt.time(23, 30)),
    ("kl 22", dt.time(22), None), ("22-02", dt.time(22), dt.time(2)),
    (dt.time(21, 15), dt.time(21, 15), None),
])
def test_time_ranges(text, start, end):
    assert parse_time_range(text) == TimeRange(start, end)


def test_a_range_past_midnight_ends_the_next_day():
    start, end = parse_time_range("22-02").on(dt.date(2023, 5, 19), STOCKHOLM)
    assert (start.day, end.day, end.hour) == (19, 20, 2)


@pytest.mark.parametrize("text, rule, expected", [
    ("ca 15", "lower", 15), ("10-15", "lower", 10), ("10-15", "upper", 15),
    ("10-15", "middle", 12), ("många", "lower", None), (None, "lower", None), ("", "lower", None),
    (7, "lower", 7), ("inga", "lower", 0), ("15+", "lower", 15),
])
def test_counts_never_invent_numbers(text, rule, expected):
    assert parse_count(text, rule) == expected


@pytest.mark.parametrize("text", ["ett par", "2.5", "15-10"])
def test_counts_that_cannot_be_read(text):
    with pytest.raises(CellError):
        parse_count(text)


# -- the workbook ------------------------------------------------------------------------------

@pytest.fixture
def workbook(tmp_path):
    return build_workbook(tmp_path / "logg.xlsx")


def confirmed(proposal):
    for domain in ("columns",) + mappings.NAME_DOMAINS:
        for guess in proposal.mapping.names(domain).values():
            guess.certain = True
    return proposal


def test_preview_counts_and_reasons(database, workbook):
    proposal = service.propose(database, workbook)
    plan, outcome = service.run(database, proposal, apply=False, now=JULY_2023)
    assert (outcome.planned("shift"), outcome.planned("observation"),
            outcome.planned("meeting")) == (4, 7, 1)
    assert [(r.sheet, r.row) for r in outcome.refused] == [("Maj 2023", n) for n in (11, 12, 13, 14)]
    reasons = [r.reason for r in outcome.refused]
    assert "31/2" in reasons[0] and "tid" in reasons[1].lower() and "ett par" in reasons[2]
    assert "veckodag" in reasons[3].lower()
    assert outcome.skipped_sheets == ["Sammanställning"]
    assert proposal.questions == ['samverkanspart "Polisen": är det Polisens volontärer?']
    with database.session() as session:  # the preview wrote nothing
        assert ShiftService(session, database.device_id()).list() == []


def test_preview_counts_what_is_past_the_retention_limit(database, workbook):
    proposal = service.propose(database, workbook)
    _plan, outcome = service.run(database, proposal, apply=False,
                                 now=dt.datetime(2024, 6, 20, tzinfo=dt.timezone.utc))
    # 13 months before 2024-06-20 is 2023-05-20: the May records before that day.
    assert outcome.past_retention == {"shift": 3, "observation": 4, "meeting": 0}


def test_applied_records_match_the_sheet(database, workbook):
    proposal = confirmed(service.propose(database, workbook))
    _plan, outcome = service.run(database, proposal, apply=True, now=JULY_2023)
    assert sum(outcome.created.values()) == 12
    device = database.device_id()
    with database.session() as session:
        shifts = ShiftService(session, device).list()
        observations = ObservationService(session, device).list()
        meetings = MeetingService(session, device).list()
    first = shifts[0]
    assert (first.kind, first.starts_at, first.ends_at) == (
        "nattvandring", local(2023, 5, 12, 19), local(2023, 5, 12, 23))
    assert set(first.partner_ids) == {reference_id("partner", "alvsjo-aik-nattvandrare"),
                                      reference_id("partner", "lpo-skarholmen")}
    assert first.summary == "Passet gick bra" and not first.summary_shareable
    night = next(s for s in shifts if s.starts_at == local(2023, 5, 19, 22))
    assert night.ends_at == local(2023, 5, 20, 2)
    by_place = {o.place_id: o for o in observations}
    gathering = by_place[reference_id("place", "alvsjo-centrum")]
    assert (gathering.people_count, gathering.youths_present, gathering.shift_id) == (15, 10, first.id)
    assert gathering.details == "Lugnt vid pendeln" and not gathering.details_shareable
    assert gathering.meta.device_id == device
    assert by_place[reference_id("place", "fruangen-centrum")].people_count == 4
    alone = by_place[reference_id("place", "alvsjo-torg")]
    assert (alone.shift_id, alone.observed_at) == (None, local(2023, 5, 20, 22))
    torget = reference_id("place", "liljeholmstorget")
    assert {o.category_id for o in observations if o.place_id == torget} == {
        reference_id("category", "narkotikaforsaljning"), reference_id("category", "ungdomssamling")}
    assert [(m.kind, m.held_at, m.situation) for m in meetings] == [
        ("utsattningsmote", local(2023, 5, 25, 9), "Lägesbild inför helgen")]
    assert meetings[0].flags[0].place_id == reference_id("place", "alvsjo-centrum")


def test_reimport_adds_nothing_and_an_edited_row_edits_its_record(database, workbook, tmp_path):
    service.run(database, confirmed(service.propose(database, workbook)), apply=True, now=JULY_2023)
    _plan, again = service.run(database, confirmed(service.propose(database, workbook)),
                               apply=True, now=JULY_2023)
    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    assert sum(again.unchanged.values()) == 12

    from openpyxl import load_workbook

    book = load_workbook(workbook)
    book["Maj 2023"]["F4"] = "ca 18"  # the gathering at Älvsjö C was 18, not 15
    book.save(workbook)
    _plan, edited = service.run(database, confirmed(service.propose(database, workbook)),
                                apply=True, now=JULY_2023)
    assert edited.updated["observation"] == 1 and sum(edited.created.values()) == 0
    with database.session() as session:
        observations = ObservationService(session, database.device_id()).list()
    changed = next(o for o in observations if o.place_id == reference_id("place", "alvsjo-centrum"))
    assert (changed.people_count, changed.meta.revision) == (18, 2)
    assert len(observations) == 7


def test_refused_rows_csv_reimports_after_a_fix(database, workbook, tmp_path):
    proposal = confirmed(service.propose(database, workbook))
    plan, outcome = service.run(database, proposal, apply=True, now=JULY_2023)
    refused = tmp_path / "refused.csv"
    write_refused(refused, plan.headers, outcome.refused)
    text = refused.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].endswith("Blad;Rad;Skäl") and "ett par" in text
    fixed = text.replace("31/2;", "30/5;").replace(";ett par;", ";2;").replace("tor 26/5", "fre 26/5")
    fixed = fixed.replace("26/5;;", "26/5;20-23;")
    refused.write_text(fixed, encoding="utf-8-sig")
    saved = tmp_path / "mapping.json"
    mappings.save_file(proposal.mapping, saved)
    again = service.propose(database, refused, mappings.load_file(saved))
    assert again.questions == []
    _plan, result = service.run(database, again, apply=True, now=JULY_2023)
    assert result.refused == []
    assert result.created["observation"] == 4


def test_windows_1252_csv_with_semicolons(database, tmp_path):
    path = build_csv(tmp_path / "logg_2023.csv")
    proposal = service.propose(database, path)
    assert (proposal.source.encoding, proposal.source.delimiter) == ("cp1252", ";")
    assert 'kolumn "Antal": är det count?' in proposal.questions
    confirmed(proposal)
    _plan, outcome = service.run(database, proposal, apply=True, now=OCTOBER_2023)
    assert outcome.created == {"shift": 1, "observation": 2}
    assert [(r.row, "xx" in r.reason) for r in outcome.refused] == [(4, True)]
    with database.session() as session:
        details = {o.details for o in ObservationService(session, database.device_id()).list()}
    assert details == {"Skräp vid bänkarna", "Två kände vi igen"}


def test_profile_is_saved_in_the_data_file(database, workbook):
    proposal = confirmed(service.propose(database, workbook))
    with database.session() as session:
        mappings.save_profile(session, "Team syd", proposal.mapping)
    with database.session() as session:
        loaded = mappings.load_profile(session, "Team syd")
        assert mappings.profile_names(session) == ["Team syd"]
    assert loaded.to_json() == proposal.mapping.to_json()
    with database.session() as session, pytest.raises(mappings.MappingError, match="Team syd"):
        mappings.load_profile(session, "Team norr")


def test_a_bad_mapping_file_says_what_is_wrong(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"format": mappings.FORMAT, "version": 1,
                                "columns": {"Datum": {"to": "when"}}}), encoding="utf-8")
    with pytest.raises(mappings.MappingError, match="when"):
        mappings.load_file(path)


# -- the command line --------------------------------------------------------------------------

def test_command_line_exit_codes_and_messages(db_path, workbook, tmp_path, capsys):
    args = ["--db", str(db_path), "import", str(workbook)]
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert "Polisen" in err and "Inget importerades" in err
    assert "Maj 2023, rad 11" in out

    saved = tmp_path / "m.json"
    assert main(args + ["--dry-run", "--save-mapping", str(saved)]) == 0
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["partners"]["Polisen"]["certain"] is False
    data["partners"]["Polisen"] = {"to": "lpo-skarholmen", "certain": True}
    saved.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()

    assert main(args + ["--mapping", str(saved), "--save-profile", "Syd"]) == 0
    assert "12 nya" in capsys.readouterr().out
    assert main(args + ["--profile", "Syd"]) == 0
    assert "0 nya, 0 ändrade, 12 oförändrade" in capsys.readouterr().out
    assert main(["--db", str(db_path), "import", str(tmp_path / "saknas.xlsx")]) == 2
    assert main(args + ["--profile", "Norr"]) == 1
    assert "Norr" in capsys.readouterr().err
