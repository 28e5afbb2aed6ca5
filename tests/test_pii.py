"""Tests for the PII guard (fieldapp.domain.pii).

Two corpora in tests/pii_corpus/ measure the guard as a whole: positive.txt (one identifier
per line, every written form) and negative.txt (realistic field notes without identifiers).
Focused tests below pin down each form, the offsets and the overlap rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldapp import i18n
from fieldapp.domain.pii import KINDS, Finding, find_pii, is_shareable

CORPUS = Path(__file__).resolve().parent / "pii_corpus"

MIN_RECALL = 0.995
MAX_FALSE_POSITIVE_RATE = 0.005


def corpus_lines(name: str) -> list[str]:
    text = (CORPUS / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def check_digit(nine: str) -> str:
    """Luhn check digit for the first nine digits of a 10-digit personnummer."""
    total = 0
    for index, char in enumerate(nine):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value // 10 + value % 10
    return str((10 - total % 10) % 10)


def valid_last4(date6: str, serial: str = "123") -> str:
    return serial + check_digit(date6 + serial)


def bad_last4(date6: str, serial: str = "123") -> str:
    return serial + str((int(check_digit(date6 + serial)) + 1) % 10)


def kinds(text: str) -> list[str]:
    return [finding.kind for finding in find_pii(text)]


def only(text: str) -> Finding:
    findings = find_pii(text)
    assert len(findings) == 1, (text, findings)
    return findings[0]


@pytest.fixture
def language():
    """Switch the UI language for one test and restore it afterwards."""
    before = i18n.current_language()
    yield i18n.set_language
    i18n.set_language(before)


# --------------------------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------------------------


def test_corpora_are_large_enough():
    assert len(corpus_lines("positive.txt")) >= 300
    assert len(corpus_lines("negative.txt")) >= 300


def test_recall_on_positive_corpus():
    lines = corpus_lines("positive.txt")
    missed = [line for line in lines if not find_pii(line)]
    recall = 1 - len(missed) / len(lines)
    assert recall >= MIN_RECALL, f"recall {recall:.2%}; missed: {missed}"


def test_positive_corpus_lines_give_exactly_one_finding():
    # Every positive line holds exactly one identifier next to dates, times and counts, so
    # a second finding would be a false positive in context.
    lines = corpus_lines("positive.txt")
    wrong = [(line, find_pii(line)) for line in lines if len(find_pii(line)) != 1]
    assert 1 - len(wrong) / len(lines) >= MIN_RECALL, wrong


def test_false_positive_rate_on_negative_corpus():
    lines = corpus_lines("negative.txt")
    flagged = [(line, find_pii(line)) for line in lines if find_pii(line)]
    rate = len(flagged) / len(lines)
    assert rate <= MAX_FALSE_POSITIVE_RATE, f"false-positive rate {rate:.2%}: {flagged}"


# --------------------------------------------------------------------------------------------
# Personnummer and samordningsnummer
# --------------------------------------------------------------------------------------------

DATE6 = "081124"  # 24 November 2008
LAST4 = valid_last4(DATE6)

PERSONNUMMER_FORMS = [
    f"{DATE6}-{LAST4}",  # YYMMDD-NNNN
    f"{DATE6}+{LAST4}",  # YYMMDD+NNNN (100 years or older)
    f"{DATE6}{LAST4}",  # YYMMDDNNNN
    f"{DATE6} {LAST4}",  # YYMMDD NNNN
    f"20{DATE6}-{LAST4}",  # YYYYMMDD-NNNN
    f"20{DATE6}{LAST4}",  # YYYYMMDDNNNN
    f"{DATE6}\u2013{LAST4}",  # en dash, as word processors write it
]


@pytest.mark.parametrize("number", PERSONNUMMER_FORMS)
def test_personnummer_every_form(number):
    text = f"Killen uppgav {number} till polisen."
    finding = only(text)
    assert finding.kind == "personnummer"
    assert finding.text == number
    assert text[finding.start : finding.end] == number


SAM_DATE6 = "950372"  # 12 March 1995, day + 60
SAM_LAST4 = valid_last4(SAM_DATE6, "456")


@pytest.mark.parametrize(
    "number",
    [
        f"{SAM_DATE6}-{SAM_LAST4}",
        f"{SAM_DATE6}{SAM_LAST4}",
        f"{SAM_DATE6} {SAM_LAST4}",
        f"19{SAM_DATE6}-{SAM_LAST4}",
        f"19{SAM_DATE6}{SAM_LAST4}",
    ],
)
def test_samordningsnummer_every_form(number):
    finding = only(f"Samordningsnummer {number}.")
    assert finding.kind == "samordningsnummer"
    assert finding.text == number


@pytest.mark.parametrize(
    "number",
    [
        f"{DATE6}-{bad_last4(DATE6)}",  # wrong check digit
        f"{DATE6}{bad_last4(DATE6)}",
        f"20{DATE6}-{bad_last4(DATE6)}",
        f"851345-{valid_last4('851345')}",  # month 13, check digit right
        f"850230-{valid_last4('850230')}",  # 30 February
        f"850100-{valid_last4('850100')}",  # day 0
        f"950392-{valid_last4('950392')}",  # samordningsnummer with day 32
        f"19000229-{valid_last4('000229')}",  # 1900 was not a leap year
        f"21{DATE6}-{LAST4}",  # no such century
        f"1{DATE6}-{LAST4}",  # an 11-digit run is not a personnummer
        f"{DATE6}-{LAST4}5",
    ],
)
def test_not_a_personnummer(number):
    assert "personnummer" not in kinds(number)
    assert "samordningsnummer" not in kinds(number)


def test_leap_day_personnummer():
    assert kinds(f"000229-{valid_last4('000229')}") == ["personnummer"]
    assert kinds(f"20000229-{valid_last4('000229')}") == ["personnummer"]
    assert kinds(f"840229-{valid_last4('840229')}") == ["personnummer"]
    assert "personnummer" not in kinds(f"850229-{valid_last4('850229')}")


def test_organisationsnummer_is_not_personnummer():
    # Stockholms stad's organisation number: month 20 is not a date.
    assert find_pii("Stockholms stad, org.nr 212000-0142") == []


# --------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "070-123 45 67",
        "0701234567",
        "070 123 45 67",
        "070-1234567",
        "0701-23 45 67",
        "073 12 34 567",
        "+46 70 123 45 67",
        "+46701234567",
        "+46 (0)70 123 45 67",
        "+46 70-123 45 67",
        "0046 70 123 45 67",
        "0046701234567",
        "+46 8 123 456 78",
        "08-123 456 78",
        "08-12345678",
        "08 123 45 67",
        "08-508 233 26",
        "031-123456",
        "040-12 34 56",
        "0480-123 45",
        "010-123 45 67",
        "+47 912 34 567",
        "+358 40 123 4567",
    ],
)
def test_phone_number_forms(number):
    text = f"Mamman nås på {number}, efter kl 18."
    finding = only(text)
    assert finding.kind == "phone"
    assert finding.text == number


def test_phone_after_colon_without_space():
    assert only("tel:0701234567").text == "0701234567"


def test_landline_does_not_swallow_a_following_count():
    finding = only("Ring 08-123 456 78 14 ungdomar väntar")
    assert finding.text == "08-123 456 78"


# --------------------------------------------------------------------------------------------
# E-mail addresses
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "ali.hassan@gmail.com",
        "sara_07@hotmail.se",
        "bjorn+fotboll@outlook.com",
        "förnamn.efternamn@stockholm.se",
        "x@edu.stockholm.se",
        "kalle [at] gmail.com",
        "kalle(at)gmail.com",
    ],
)
def test_email_addresses(address):
    text = f"Skicka till {address}."
    finding = only(text)
    assert finding.kind == "email"
    assert finding.text == address


def test_email_with_digits_is_one_email_finding():
    finding = only("mejl: kalle0701234567@gmail.com")
    assert finding.kind == "email"
    assert finding.text == "kalle0701234567@gmail.com"


# --------------------------------------------------------------------------------------------
# Names after a cue word
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Killen heter Ali och går i nian.", "Ali"),
        ("En tjej som heter Åsa var ledsen.", "Åsa"),
        ("Pojken kallas Bullen av de andra.", "Bullen"),
        ("En kille kallad Älgen hängde vid stationen.", "Älgen"),
        ("Han kallar sig Kingen på Snapchat.", "Kingen"),
        ("Äldre kille med namnet Östen tog med de yngre.", "Östen"),
        ("Han heter Ali Hassan.", "Ali Hassan"),
        ("Hon heter Märta Öberg och bor i Fruängen.", "Märta Öberg"),
        ("Heter Anna-Karin, 15 år.", "Anna-Karin"),
        ("Ledaren kallas \"Tjocka\" av de andra.", "Tjocka"),
        ("Kallas Lill-Mo, syns ofta vid Älvsjö centrum.", "Lill-Mo"),
        ("De kallar honom Gurra.", "Gurra"),
        ("Namnet är Ebba enligt skolan.", "Ebba"),
    ],
)
def test_names_after_cue_words(text, name):
    finding = only(text)
    assert finding.kind == "name"
    assert finding.text == name
    assert text[finding.start : finding.end] == name


@pytest.mark.parametrize(
    "text",
    [
        "Det heter inte så längre.",
        "Vet inte vad det heter.",
        "heter ali",  # lower case is not taken for a name
        "Fältarna kallas till utsättningsmöte varje torsdag.",
        "Socialjouren kallades in efter midnatt.",
        "Platsen kallas Gropen av ungdomarna.",
        "Föreningen heter Älvsjö AIK.",
        "Han heter Jag vet inte vad.",
    ],
)
def test_not_names(text):
    assert find_pii(text) == []


def test_name_stops_before_a_capitalised_small_word():
    assert only("Han heter Ali Och sen gick han.").text == "Ali"


# --------------------------------------------------------------------------------------------
# Things that are not PII
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2024-11-18",
        "18/11",
        "18 nov",
        "19:00-01:00",
        "kl 23.30",
        "kl 08-10 09-11",
        "08.00-10.00",
        "14 ungdomar",
        "buss 143",
        "linje 17",
        "tvärbanan 30",
        "125 30",
        "112 25 Stockholm",
        "6 h",
        "6,5 timmar",
        "2024",
        "v. 47",
        "2024-W47",
        "Dnr HÄ 2024/295",
        "Kungsklippan 6",
        "Ring 112 vid fara, 114 14 annars, 1177 för vård.",
        "20241118",
        "Ca 15 ungdomar vid Älvsjö centrum kl 21:30, lugnt, pratade med väktarna.",
    ],
)
def test_common_field_note_content_is_not_pii(text):
    assert find_pii(text) == []


# --------------------------------------------------------------------------------------------
# Offsets, ordering, overlaps, the public helpers
# --------------------------------------------------------------------------------------------


def test_offsets_of_several_findings():
    number = f"{DATE6}-{LAST4}"
    text = (
        f"Fre 2024-11-15 kl 21:30: killen som heter Ali ({number}) gav oss 070-123 45 67 "
        "och ali@example.se."
    )
    findings = find_pii(text)
    assert [(f.kind, f.text) for f in findings] == [
        ("name", "Ali"),
        ("personnummer", number),
        ("phone", "070-123 45 67"),
        ("email", "ali@example.se"),
    ]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    assert findings[0].start == text.index("Ali")
    assert findings[1].start == text.index(number)
    assert findings[1].end == text.index(number) + len(number)
    assert [f.start for f in findings] == sorted(f.start for f in findings)


def test_bare_ten_digits_that_could_be_both_give_one_finding():
    # 0701234567 is a mobile-shaped number; with a valid check digit it is also the
    # personnummer of someone born 23 January 2007. One finding, the more sensitive kind.
    number = "070123" + valid_last4("070123", "456")
    assert kinds(number) == ["personnummer"]
    assert kinds("070123" + bad_last4("070123", "456")) == ["phone"]


def test_is_shareable():
    assert is_shareable(None)
    assert is_shareable("")
    assert is_shareable("Lugnt vid Älvsjö centrum, 12 ungdomar, buss 143 försenad.")
    assert not is_shareable("Mamman nås på 070-123 45 67.")
    assert not is_shareable(f"pnr {DATE6}-{LAST4}")


def test_finding_is_frozen():
    finding = only("070-123 45 67")
    with pytest.raises(AttributeError):
        finding.start = 3  # type: ignore[misc]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_reason_is_a_non_empty_string_for_every_kind(language, lang):
    language(lang)
    reasons = set()
    for kind in KINDS:
        reason = Finding(kind, 0, 1, "x").reason
        assert isinstance(reason, str) and reason.strip()
        reasons.add(reason)
    assert len(reasons) == len(KINDS)
    assert Finding("something-new", 0, 1, "x").reason.strip()


def test_reason_is_translated_into_swedish(language):
    language("sv")
    assert only(f"{DATE6}-{LAST4}").reason == "Ser ut som ett personnummer"
    language("en")
    assert only(f"{DATE6}-{LAST4}").reason.startswith("Looks like")


# --------------------------------------------------------------------------------------------
# Robustness
# --------------------------------------------------------------------------------------------

# Arbitrary text, plus text built from the pieces the patterns look for, so Hypothesis
# reaches the interesting paths (separators, cue words, capitals, "@", "+46").
_PIECES = st.sampled_from(
    ["0", "7", "8", "46", "+", "-", " ", "\u00a0", "\u2013", "(0)", "@", ".", "[at]",
     "heter ", "kallas ", "kallar sig ", "Ali ", "Åsa", "se", "com", "\n", "/", ":", "19", "20"]
)
_TEXT = st.one_of(
    st.text(),
    st.lists(st.one_of(_PIECES, st.text(alphabet="0123456789", max_size=12)), max_size=40).map(
        "".join
    ),
)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_find_pii_never_raises_and_stays_in_bounds(text):
    findings = find_pii(text)
    previous_end = 0
    for finding in findings:
        assert finding.kind in KINDS
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
        assert finding.start >= previous_end  # sorted and non-overlapping
        previous_end = finding.end
    assert is_shareable(text) == (not findings)
