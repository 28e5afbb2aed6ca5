"""One description of a list, and the paged query made from it: Qt-free.

A :class:`ListSpec` says what a list is: the rows it reads (fields with their SQL expression),
the tables it joins, its columns (header msgid, formatter kind, sort expression), the filters
it applies and the fields its free-text search looks in. :func:`list_page` and
:func:`list_count` build every list's queries from it; the Qt side
(``fieldapp.ui.models.described``) builds the table model from the same description.

A page is read after a keyset cursor ``(sort value, id)`` of the last row returned: the next
page is everything after it in ``ORDER BY <sort>, id``, so each page costs an index range scan
(no growing OFFSET). Sort expressions are never NULL (NULLs would break the keyset order).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from fieldapp.domain.weeks import IsoWeek

T = TypeVar("T")
Cursor = tuple[Any, uuid.UUID]
DEFAULT_PAGE_SIZE = 200


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention Babel extracts
    """Mark ``msgid`` for translation without translating it now (a column header is
    translated when it is shown, in the language of that moment)."""
    return msgid


@dataclass(frozen=True)
class ListFilter:
    """What a list shows. ``None``/empty means "all". Each list applies the parts its
    description names (a place list has no week)."""

    week: IsoWeek | None = None
    area_id: uuid.UUID | None = None
    place_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    text: str = ""
    status: str | None = None  # places: hotspot status; "none" = not a hotspot


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    cursor: Cursor | None  # pass back as ``after`` for the next page
    more: bool  # whether rows exist after this page


@dataclass(frozen=True)
class Field:
    """A field of the row: ``expr`` is selected, ``convert`` (if any) turns its value into
    the row's value."""

    name: str
    expr: Any
    convert: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class ListColumn:
    """A column as shown. ``show`` names the formatter kind the UI renders ``reads`` (row
    fields, default ``(key,)``) with; ``enum`` is the enum whose label a "label" column shows.
    ``sort`` is the SQL sort expression (``key`` is then the sort key); None: not sortable."""

    key: str
    header: str  # English msgid (marked with N_), translated when shown
    show: str = "text"
    reads: tuple[str, ...] = ()
    sort: Any = None
    enum: type | None = None

    def fields(self) -> tuple[str, ...]:
        return self.reads or (self.key,)


@dataclass(frozen=True)
class FilterRule:
    """How a list applies one part of a :class:`ListFilter` (``name`` is its attribute):
    ``where(value)`` is the condition. ``joined``: it reads a joined table."""

    name: str
    where: Callable[[Any], Any]
    joined: bool = False


def in_week(column) -> FilterRule:
    """The rows whose ``column`` (a UTC moment) falls in the filter's Stockholm week."""
    return FilterRule("week", lambda week: and_(column >= week.start_utc(),
                                                column < week.end_utc()))


def lookup(column):
    """``column`` (a foreign key of the listed table) as SQLite's no-op ``+column`` in a join's
    on-clause: the join then cannot start from the referenced table through the key's index,
    so a page is read along the list's own order and stops after its rows (the observation
    list's first page on an encrypted 150,000-row file: 4.7 s read via the places and
    sorted, 1.3 ms in order; issue 19). A filter on the column still uses its index."""
    from sqlalchemy.sql import operators
    from sqlalchemy.sql.expression import UnaryExpression

    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def equals(name: str, column, *, joined: bool = False) -> FilterRule:
    return FilterRule(name, lambda value: column == value, joined=joined)


@dataclass(frozen=True)
class ListSpec:
    """One list: ``row`` is the frozen dataclass a row becomes (its fields are exactly
    ``fields``); ``base`` the table it reads, ``live`` the rows that are not deleted,
    ``joins`` (target, on clause) inner joins. ``count_skips_joins``: the joins neither add
    nor drop a row (non-null foreign keys), so a count without a filter or search on a
    joined table reads the base table alone."""

    name: str
    row: type
    base: Any
    id_column: Any
    live: Any
    fields: tuple[Field, ...]
    columns: tuple[ListColumn, ...]
    default_sort: tuple[str, bool]  # (sort key, descending)
    filters: tuple[FilterRule, ...] = ()
    search: tuple[Any, ...] = ()  # columns the free text is looked for in
    joins: tuple[tuple[Any, Any], ...] = ()
    count_skips_joins: bool = False

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        expected = [f.name for f in dataclasses.fields(self.row)]
        if sorted(names) != sorted(expected):
            raise TypeError(f"{self.name}: fields {names} do not match {self.row.__name__}")
        unknown = {n for c in self.columns for n in c.fields()} - set(names)
        if unknown:
            raise TypeError(f"{self.name}: columns read unknown fields {sorted(unknown)}")
        if self.default_sort[0] not in self.sorts:
            raise TypeError(f"{self.name}: default sort {self.default_sort[0]!r} is no column")

    @property
    def sorts(self) -> dict[str, Any]:
        """Sort key -> SQL sort expression, for the sortable columns."""
        return {c.key: c.sort for c in self.columns if c.sort is not None}

    @property
    def filter_names(self) -> tuple[str, ...]:
        """The ListFilter parts this list applies; "text" when it can be searched."""
        return tuple(rule.name for rule in self.filters) + (("text",) if self.search else ())

    def sort_expr(self, sort: str):
        try:
            return self.sorts[sort]
        except KeyError:
            raise ValueError(f"unknown sort key {sort!r}; "
                             f"choose one of {sorted(self.sorts)}") from None

    @cached_property
    def _row_maker(self) -> Callable[[Any], Any]:
        """Result row -> row: the fields in the row type's order, converted (a page of 200
        rows is made on every scroll, so the work is planned once)."""
        position = {f.name: number for number, f in enumerate(self.fields)}
        order = [position[f.name] for f in dataclasses.fields(self.row)]
        converts = [(number, f.convert) for number, f in enumerate(self.fields) if f.convert]
        row, width = self.row, len(self.fields)
        in_order = order == list(range(width))

        def make(result) -> Any:
            values = list(result[:width])
            for number, convert in converts:
                values[number] = convert(values[number])
            return row(*values) if in_order else row(*[values[n] for n in order])
        return make

    def make_row(self, result) -> Any:
        """The row type's instance for one result row of :func:`list_query`."""
        return self._row_maker(result)


def like_pattern(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_match(text: str, *columns) -> Any:
    """Any of ``columns`` contains ``text``, ignoring case in every alphabet (the SQL
    function ``casefold`` each connection of the store registers)."""
    pattern = like_pattern(text.casefold())
    return or_(*(func.casefold(column).like(pattern, escape="\\") for column in columns))


def _active(flt: ListFilter, rule: FilterRule) -> bool:
    """Whether ``flt`` sets the part ``rule`` applies (None and "" mean "all")."""
    return getattr(flt, rule.name) not in (None, "")


def _conditions(spec: ListSpec, flt: ListFilter, *, base_only: bool = False) -> list:
    conditions = [spec.live]
    for rule in spec.filters:
        if _active(flt, rule) and not (base_only and rule.joined):
            conditions.append(rule.where(getattr(flt, rule.name)))
    if spec.search and flt.text.strip():
        conditions.append(text_match(flt.text, *spec.search))
    return conditions


def _joined(spec: ListSpec, query: Select) -> Select:
    for target, on in spec.joins:
        query = query.join(target, on)
    return query


def list_query(spec: ListSpec, flt: ListFilter) -> Select:
    """The rows of ``spec`` that ``flt`` shows (unsorted)."""
    query = select(*(f.expr.label(f.name) for f in spec.fields)).select_from(spec.base)
    return _joined(spec, query).where(*_conditions(spec, flt))


def list_count(session: Session, spec: ListSpec, flt: ListFilter = ListFilter()) -> int:
    """How many rows of ``spec`` ``flt`` shows."""
    needs_joins = (bool(spec.search and flt.text.strip())
                   or any(rule.joined and _active(flt, rule) for rule in spec.filters))
    if spec.count_skips_joins and not needs_joins:
        # Nothing to match in the joined tables: a million rows count in a table scan
        # instead of a million index lookups.
        query = (select(func.count()).select_from(spec.base)
                 .where(*_conditions(spec, flt, base_only=True)))
        return session.execute(query).scalar_one()
    ids = _joined(spec, select(spec.id_column).select_from(spec.base)).where(
        *_conditions(spec, flt))
    return session.execute(select(func.count()).select_from(ids.subquery())).scalar_one()


def list_page(session: Session, spec: ListSpec, flt: ListFilter = ListFilter(), *,
              sort: str | None = None, descending: bool | None = None,
              after: Cursor | None = None, limit: int = DEFAULT_PAGE_SIZE) -> Page:
    """One page of ``spec``'s rows that ``flt`` shows, in ``ORDER BY sort, id`` after the
    cursor ``after`` (the default sort of the list when ``sort``/``descending`` are None)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    sort = spec.default_sort[0] if sort is None else sort
    descending = spec.default_sort[1] if descending is None else descending
    sort_expr, id_col = spec.sort_expr(sort), spec.id_column
    query = list_query(spec, flt)
    if after is not None:
        value, last_id = after
        if descending:
            # The redundant ``<=`` lets SQLite use an index range on the sort column.
            query = query.where(sort_expr <= value,
                                or_(sort_expr < value, and_(sort_expr == value, id_col < last_id)))
        else:
            query = query.where(sort_expr >= value,
                                or_(sort_expr > value, and_(sort_expr == value, id_col > last_id)))
    order = (sort_expr.desc(), id_col.desc()) if descending else (sort_expr.asc(), id_col.asc())
    query = query.add_columns(sort_expr.label("sort_value_"), id_col.label("sort_id_"))
    result = session.execute(query.order_by(*order).limit(limit + 1)).all()
    more = len(result) > limit
    result = result[:limit]
    rows = [spec.make_row(r) for r in result]
    cursor = (result[-1].sort_value_, result[-1].sort_id_) if result else after
    return Page(rows=rows, cursor=cursor, more=more)
