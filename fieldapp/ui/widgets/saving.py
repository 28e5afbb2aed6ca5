"""Save through the task runner: validation errors go beside the fields, anything else to a
calm message box."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from fieldapp.domain.validation import ValidationError
from fieldapp.store.services import Services
from fieldapp.ui.context import AppContext
from fieldapp.ui.widgets.forms import FormErrors
from fieldapp.ui.widgets.messages import show_unexpected_error


def save_with(ctx: AppContext, parent: QWidget, form: FormErrors,
              work: Callable[[Services], Any], on_saved: Callable[[Any], None],
              *, changed: tuple[str, ...] = ()) -> None:
    """Run ``work(services)`` in one transaction on the database lane.

    On success: tell the views (``ctx.events.changed`` for each kind in ``changed``) and call
    ``on_saved(result)``. On a ValidationError nothing is saved and the messages appear
    beside their fields.
    """
    problems = form.problems()  # e.g. a count above its maximum: said before any save
    if problems:
        form.show(problems)
        return
    form.clear()

    def job(_progress):
        with ctx.services() as services:
            return work(services)

    def succeeded(result) -> None:
        for kind in changed:
            ctx.events.changed.emit(kind)
        on_saved(result)

    def failed(exc: BaseException, trace: str) -> None:
        if isinstance(exc, ValidationError):
            form.show(exc.errors)
        else:
            show_unexpected_error(parent, exc, trace)

    ctx.tasks.run(job, on_success=succeeded, on_failure=failed)
