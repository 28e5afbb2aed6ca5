"""The import in two calls, for the command line and (later) the window's guide:
:func:`propose` reads a file and proposes a mapping; :func:`run` previews or applies it.
Both are Qt-free and take the :class:`~fieldapp.store.database.Database`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fieldapp.imports.apply import Outcome, run_import
from fieldapp.imports.guess import Layout, header_score, propose as propose_mapping
from fieldapp.imports.mapping import Mapping
from fieldapp.imports.matching import load_vocabulary
from fieldapp.imports.plan import Plan, build_plan
from fieldapp.imports.readers import SourceFile, read_file


@dataclass
class Proposal:
    source: SourceFile
    mapping: Mapping
    layouts: list[Layout]

    @property
    def questions(self) -> list[str]:
        return self.mapping.questions()


def propose(database, path: Path, base: Mapping | None = None,
            sheet: str | None = None) -> Proposal:
    """Read ``path`` and propose its mapping: ``base`` (confirmed) plus guesses for the rest."""
    source = read_file(Path(path), header_score)
    with database.session() as session:
        vocabulary = load_vocabulary(session)
    mapping, layouts = propose_mapping(source, vocabulary, base, sheet)
    return Proposal(source, mapping, layouts)


def run(database, proposal: Proposal, *, apply: bool, now=None) -> tuple[Plan, Outcome]:
    """Preview (nothing written) or apply (one transaction) the proposal as it stands."""
    device_id = database.device_id()
    session = database.session_factory()
    try:
        plan = build_plan(session, proposal.mapping, proposal.layouts, device_id)
        outcome = run_import(session, plan, device_id, apply=apply, now=now)
        if apply:
            session.commit()
        return plan, outcome
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
