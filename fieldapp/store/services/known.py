"""The words the PII guard never takes for a person's name here: the ``known`` argument of
:func:`fieldapp.domain.pii.find_pii` and of the shareable-text gate.

They are the words of the names of the places, areas, partners, categories and staff this data
file knows (a place called "Elias plan" or a partner called "Fryshuset Oskar" does not make
every note that mentions them private), and a team's own allow-list (the setting
:data:`~fieldapp.store.services.settings.PII_ALLOW_LIST`, edited in Inställningar →
Dataskydd). A place a worker named counts only when its own name passes the guard (a name an
old version saved before the gate could otherwise make a youth's first name "known"); the
reference data's places always count. Deleted records count too: an old note naming a place
that was removed is still about the place.

:func:`known_words` reads them once per database and keeps them until one of those tables or
the settings change: every INSERT, UPDATE or DELETE on them, by the services, the sync's bulk
writes or the allow-list editor, drops the cached words (an engine event), and so does the
commit or rollback of a transaction that wrote them, so no session keeps words another
session rolled back. Qt-free.
"""

from __future__ import annotations

import threading
import weakref

from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from fieldapp.domain.pii import find_pii
from fieldapp.domain.pii_names import is_name_word, known_words as words_of
from fieldapp.domain.validation import FieldError, check_text, raise_if
from fieldapp.i18n import _
from fieldapp.store.models import (REFERENCE_DEVICE_ID, Area, Category, Partner, Place, Setting,
                                   Staff)
from fieldapp.store.services.settings import PII_ALLOW_LIST, SettingsService

# The tables whose names are known words (and the settings, for the allow-list).
WATCHED_TABLES = frozenset(model.__tablename__ for model in (
    Place, Area, Partner, Category, Staff, Setting))
MAX_ALLOWED_WORDS = 500
MAX_WORD_LENGTH = 100

_lock = threading.Lock()
# engine -> [generation, (generation the words were read at, words) | None]
_cache: weakref.WeakKeyDictionary[Engine, list] = weakref.WeakKeyDictionary()
_WROTE = "fieldapp.known.wrote"


def _entry(engine: Engine) -> list:
    entry = _cache.get(engine)
    if entry is None:
        entry = _cache[engine] = [0, None]
    return entry


def invalidate(engine: Engine) -> None:
    """Forget the words read from ``engine`` (the next :func:`known_words` reads them again)."""
    with _lock:
        entry = _entry(engine)
        entry[0] += 1
        entry[1] = None


@event.listens_for(Engine, "after_execute")
def _after_execute(conn, clauseelement, *_args) -> None:
    if not getattr(clauseelement, "is_dml", False):
        return
    table = getattr(clauseelement, "table", None)
    if getattr(table, "name", None) in WATCHED_TABLES:
        conn.info[_WROTE] = True
        invalidate(conn.engine)


def _transaction_ended(conn) -> None:
    if conn.info.pop(_WROTE, False):
        invalidate(conn.engine)


event.listen(Engine, "commit", _transaction_ended)
event.listen(Engine, "rollback", _transaction_ended)


def _read(session: Session) -> frozenset[str]:
    texts: list[str] = []
    with session.no_autoflush:
        for column in (Area.name, Partner.name, Category.name_sv, Category.name_en, Staff.name):
            texts += session.scalars(select(column)).all()
        texts += allow_list(session)
        places = session.execute(select(Place.name, Place.device_id)).all()
    texts += [name for name, device in places if device == REFERENCE_DEVICE_ID]
    base = words_of(texts)
    # A place a worker named counts only when its name passes the guard itself: a name saved
    # by an old version before the gate ("Såg Ahmed och Elias") must not make "Ahmed" and
    # "Elias" known words, or every note naming them would pass.
    texts += [name for name, device in places
              if device != REFERENCE_DEVICE_ID and not find_pii(name, base)]
    return words_of(texts)


def known_words(session: Session) -> frozenset[str]:
    """The case-folded known words of the session's database (see the module). A session
    that wrote those tables in its open transaction reads its own words, uncached."""
    engine = session.get_bind()
    own = _session_wrote(session)
    with _lock:
        generation, cached = _entry(engine)
    if cached is not None and cached[0] == generation and not own:
        return cached[1]
    words = _read(session)
    if not own:
        with _lock:
            entry = _entry(engine)
            if entry[0] == generation:
                entry[1] = (generation, words)
    return words


def _session_wrote(session: Session) -> bool:
    """Whether the session's open transaction wrote a watched table."""
    if not session.in_transaction():
        return False
    return bool(session.connection().info.get(_WROTE))


def allow_list(session: Session) -> list[str]:
    """The team's allow-list: words never taken for a name here, in the order saved."""
    words = SettingsService(session).get(PII_ALLOW_LIST)
    return [word for word in words if isinstance(word, str)]


def set_allow_list(session: Session, words: list[str]) -> list[str]:
    """Save the allow-list (blank entries dropped, each word once); returns what was saved.
    A word that is not a name as the guard reads names (letters, an inner hyphen or
    apostrophe; a few words) is refused with a message that says which."""
    errors: list[FieldError] = []
    saved: list[str] = []
    for word in words:
        word = " ".join(str(word).split())
        if not word or word.casefold() in {w.casefold() for w in saved}:
            continue
        errors += check_text("allow_list", word, label=_("A word of the allow-list"),
                             max_length=MAX_WORD_LENGTH)
        if not all(is_name_word(part) for part in word.split()):
            errors.append(FieldError("allow_list", _(
                "\"{word}\" cannot be an allowed word: write letters only (a hyphen or an "
                "apostrophe inside a word is fine).").format(word=word[:40])))
        saved.append(word)
    if len(saved) > MAX_ALLOWED_WORDS:
        errors.append(FieldError("allow_list", _(
            "The allow-list can hold at most {count} words.").format(count=MAX_ALLOWED_WORDS)))
    raise_if(errors)
    SettingsService(session).set(PII_ALLOW_LIST, saved)
    return saved
