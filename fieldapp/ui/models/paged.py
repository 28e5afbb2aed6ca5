"""A table model that loads its rows a page at a time (canFetchMore/fetchMore).

Each page is one keyset query (``fieldapp.store.list_query``) run on the task runner's database
lane, so the view opens at once and keeps scrolling while the next page loads. The first page
is asked for before the count, so the rows paint without waiting for a count of a million.

Memory stays bounded however far the user scrolls: the model keeps the rows of at most
``max_resident_pages`` pages (the ones used most recently: the visible rows are read at every
paint) and, for every page, the keyset cursor it was read after. A page that was let go is read
again (one indexed query, on the database lane) when a view asks for one of its rows; until it
arrives its cells are empty. Sorting is done in SQL: ``sort()`` changes the ORDER BY and
reloads. A reload bumps a generation number so that a page which arrives for an older filter
or sort is dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from sqlalchemy.orm import Session

from fieldapp.i18n import _
from fieldapp.store.list_query import DEFAULT_PAGE_SIZE, ListFilter, Page
from fieldapp.ui.context import AppContext

ROW_ROLE = Qt.ItemDataRole.UserRole
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Column:
    header: str  # English msgid, translated when shown
    render: Callable[[Any], str]
    sort: str | None = None  # the query's sort key; None: not sortable
    numeric: bool = False
    tooltip: Callable[[Any], str] | None = None


@dataclass
class _Page:
    after: object  # the cursor this page was read after (None: the first page)
    count: int  # rows in the page (fixed once read: row numbers never shift)
    rows: list | None = field(default=None)  # None: let go, read again on demand


class PagedTableModel(QAbstractTableModel):
    """Subclasses set ``columns`` and ``default_sort`` (or pass it) and implement
    :meth:`query_page` and :meth:`query_count` (plain functions of a Session: they run off
    the UI thread). A list's model is made from its description
    (:class:`fieldapp.ui.models.described.ListModel`)."""

    columns: list[Column] = []
    default_sort: tuple[str, bool] = ("", True)  # (sort key, descending)
    page_size = DEFAULT_PAGE_SIZE
    max_resident_pages = 32  # rows kept in memory: at most this many pages

    #: the number of rows that match the filter (after a reload)
    total_changed = Signal(int)
    #: a page arrived (rows now loaded)
    page_loaded = Signal(int)
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent=None, *,
                 default_sort: tuple[str, bool] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        if default_sort is not None:
            self.default_sort = default_sort
        self._pages: list[_Page] = []
        self._row_count = 0
        self._resident: OrderedDict[int, None] = OrderedDict()  # page numbers, oldest use first
        self._refetching: set[int] = set()
        self._cursor = None
        self._more = False
        self._loading = False
        self._generation = 0
        self._filter = ListFilter()
        self._sort_key, self._descending = self.default_sort
        self.total: int | None = None
        self.pages_fetched = 0

    # -- what subclasses provide -------------------------------------------------------------
    def query_page(self, session: Session, flt: ListFilter, sort: str, descending: bool,
                   after, limit: int) -> Page:
        raise NotImplementedError

    def query_count(self, session: Session, flt: ListFilter) -> int | None:
        return None

    # -- state ---------------------------------------------------------------------------------
    @property
    def list_filter(self) -> ListFilter:
        return self._filter

    def set_filter(self, flt: ListFilter) -> None:
        if flt != self._filter:
            self._filter = flt
            self.reload()

    @property
    def sort_key(self) -> str:
        return self._sort_key

    @property
    def descending(self) -> bool:
        return self._descending

    def sort_column(self) -> int:
        for number, column in enumerate(self.columns):
            if column.sort == self._sort_key:
                return number
        return -1

    def row_at(self, row: int):
        """The row, or None (out of range, or its page was let go and is being read again)."""
        if not 0 <= row < self._row_count:
            return None
        number = row // self.page_size
        page = self._pages[number]
        if page.rows is None:
            self._refetch(number)
            return None
        self._resident.move_to_end(number)
        return page.rows[row - number * self.page_size]

    def row_for(self, index: QModelIndex | QPersistentModelIndex):
        return self.row_at(index.row()) if index.isValid() else None

    def loaded_rows(self) -> list:
        """Every row the list has reached, in order. Pages that were let go are read again
        here, at once, on the calling thread (for tests and exports, not for painting)."""
        rows: list = []
        with self.ctx.database.session() as session:
            for page in self._pages:
                if page.rows is not None:
                    rows.extend(page.rows)
                else:
                    found = self.query_page(session, self._filter, self._sort_key,
                                            self._descending, page.after, self.page_size).rows
                    rows.extend(found[:page.count])
        return rows

    def resident_rows(self) -> int:
        """How many rows the model holds in memory now."""
        return sum(len(self._pages[n].rows or ()) for n in self._resident)

    def _keep(self, number: int) -> None:
        """Mark page ``number`` as just used and let the least recently used pages go."""
        self._resident[number] = None
        self._resident.move_to_end(number)
        while len(self._resident) > self.max_resident_pages:
            oldest, _none = self._resident.popitem(last=False)
            self._pages[oldest].rows = None

    def _refetch(self, number: int) -> None:
        if number in self._refetching:
            return
        self._refetching.add(number)
        generation = self._generation
        page = self._pages[number]
        flt, sort, descending, after = self._filter, self._sort_key, self._descending, page.after
        limit = self.page_size

        def job(_progress):
            with self.ctx.database.session() as session:
                return self.query_page(session, flt, sort, descending, after, limit)

        def done(result: Page) -> None:
            if generation != self._generation:
                return
            self._refetching.discard(number)
            rows = list(result.rows[:page.count])
            rows += [None] * (page.count - len(rows))  # fewer now (deleted meanwhile)
            page.rows = rows
            self._keep(number)
            first = number * self.page_size
            self.dataChanged.emit(self.index(first, 0),
                                  self.index(first + page.count - 1, len(self.columns) - 1))

        def failed(exc: BaseException, trace: str) -> None:
            self._refetching.discard(number)
            self._failed(generation)(exc, trace)

        self.ctx.tasks.run(job, on_success=done, on_failure=failed)

    def is_loading(self) -> bool:
        return self._loading

    # -- loading -------------------------------------------------------------------------------
    def reload(self) -> None:
        """Forget the loaded rows and load the first page (and the count) again."""
        self._generation += 1
        self.beginResetModel()
        self._pages = []
        self._row_count = 0
        self._resident = OrderedDict()
        self._refetching = set()
        self._cursor = None
        self._more = True
        self._loading = False
        self.total = None
        self.pages_fetched = 0
        self.endResetModel()
        self.fetchMore(QModelIndex())  # the rows first: they paint; the count follows
        self._load_count()

    def _load_count(self) -> None:
        generation, flt = self._generation, self._filter

        def job(_progress):
            with self.ctx.database.session() as session:
                return self.query_count(session, flt)

        def done(total) -> None:
            if generation == self._generation and total is not None:
                self.total = total
                self.total_changed.emit(total)

        self.ctx.tasks.run(job, on_success=done, on_failure=self._failed(generation))

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid() or not self._more or self._loading:
            return
        self._loading = True
        generation = self._generation
        flt, sort, descending, after = self._filter, self._sort_key, self._descending, self._cursor
        limit = self.page_size

        def job(_progress):
            with self.ctx.database.session() as session:
                return self.query_page(session, flt, sort, descending, after, limit)

        def done(page: Page) -> None:
            if generation != self._generation:
                return
            self._loading = False
            self.pages_fetched += 1
            if page.rows:
                first = self._row_count
                self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
                self._pages.append(_Page(after=after, count=len(page.rows), rows=list(page.rows)))
                self._row_count += len(page.rows)
                self._keep(len(self._pages) - 1)
                self.endInsertRows()
            self._cursor = page.cursor
            self._more = page.more
            self.page_loaded.emit(self._row_count)

        self.ctx.tasks.run(job, on_success=done, on_failure=self._failed(generation))

    def _failed(self, generation: int):
        def failed(exc: BaseException, _trace: str) -> None:
            if generation != self._generation:
                return
            self._loading = False
            self._more = False
            self.failed.emit(_("The list could not be loaded: {error}").format(error=exc))
        return failed

    def fetch_all_remaining(self, max_pages: int = 1_000_000) -> None:
        """Load every remaining page (tests, and "jump to the end"); synchronous runners only
        load them at once."""
        pages = 0
        while self.canFetchMore() and pages < max_pages:
            self.fetchMore()
            pages += 1

    # -- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._row_count

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(self.columns[section].header)
            if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[section].numeric:
                return ALIGN_RIGHT
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.render(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == ROW_ROLE:
            return row
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or self.columns[column].sort is None:
            return
        key = self.columns[column].sort
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self._sort_key, self._descending):
            self._sort_key, self._descending = key, descending
            self.reload()

    def retranslate(self) -> None:
        """Headers and cells are rendered on demand; tell the views to redraw them."""
        if self.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self._row_count:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self._row_count - 1, len(self.columns) - 1))
