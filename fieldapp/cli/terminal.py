"""What every command shares: the exit codes, bad usage, and opening ``--db`` with the
passphrase rule of :mod:`fieldapp.store.opening`, asked on the terminal.

On a terminal an encrypted file's passphrase is asked for (three tries), a new file's twice;
without one (scripts, CI) ``FIELDAPP_PASSPHRASE`` is used, a new file is created unencrypted
with a warning on stderr, and an encrypted file is refused (exit 1).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from fieldapp.i18n import _

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments found after parsing (exit code 2)."""


def stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _ask(prompt: str) -> str:
    import getpass

    return getpass.getpass(prompt)


def ask_new_passphrase() -> str:
    """A new passphrase typed twice on the terminal, asked again until it can be used."""
    from fieldapp.store import encryption

    while True:
        first = _ask(_("New passphrase: "))
        problem = encryption.check_new_passphrase(first, _ask(_("Repeat it: ")))
        if problem is None:
            return first
        print(problem, file=sys.stderr)


class TerminalAsk:
    """The passphrase questions on the terminal (getpass) and warnings on stderr."""

    def __init__(self) -> None:
        self.interactive = stdin_is_tty()

    def passphrase(self, path: Path, check: Callable[[str], bool]) -> str:
        from fieldapp.store import encryption
        from fieldapp.store.errors import PassphraseError

        for _attempt in range(3):
            entered = _ask(_("Passphrase for {path}: ").format(path=path))
            if check(entered):
                return entered
            print(_("Wrong passphrase."), file=sys.stderr)
        raise PassphraseError(encryption.wrong_passphrase_message(path))

    def new_passphrase(self, path: Path) -> str:
        from fieldapp.store import encryption

        print(_("A new data file is made at {path}. It is encrypted with a passphrase "
                "that you choose now.").format(path=path), file=sys.stderr)
        print(encryption.forgotten_passphrase_text(), file=sys.stderr)
        return ask_new_passphrase()

    def warn(self, text: str) -> None:
        print(text, file=sys.stderr)

    @contextlib.contextmanager
    def upgrading(self, path: Path) -> Iterator[None]:
        from fieldapp.store.opening import upgrading_text

        if self.interactive:  # a script's stderr stays for what went wrong
            print(upgrading_text(path), file=sys.stderr)
        yield


def resolve_passphrase(args) -> str | None:
    """The passphrase for ``args.db`` by the rule (asked at most once per run); None: the
    file is (or will be) plain."""
    if hasattr(args, "passphrase"):
        return args.passphrase
    from fieldapp.store.opening import passphrase_for

    args.passphrase = passphrase_for(Path(args.db), TerminalAsk())
    return args.passphrase


def open_cli_database(args, *, upgrade: bool = True):
    """Open ``args.db`` by the passphrase rule. Every command that opens the database calls
    this (not ``open_database`` directly)."""
    from fieldapp.store.opening import open_data_file

    return open_data_file(Path(args.db), TerminalAsk(), passphrase=resolve_passphrase(args),
                          upgrade=upgrade)
