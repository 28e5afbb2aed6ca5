"""Why a database file cannot be opened. Every message says what to do, in the UI language."""

from __future__ import annotations


class DatabaseFileError(Exception):
    """A database file that cannot be opened; the message says what to do."""


class NotADatabaseError(DatabaseFileError):
    pass


class NewerDatabaseError(DatabaseFileError):
    pass


class PassphraseError(DatabaseFileError):
    """An encrypted file opened with a wrong passphrase (the file was not changed)."""


class PassphraseRequiredError(PassphraseError):
    """An encrypted file opened without a passphrase (the file was not changed)."""


class NotEncryptedError(DatabaseFileError):
    """A passphrase was given for a file that is not encrypted (it can be converted)."""


class EncryptionUnavailableError(DatabaseFileError):
    """SQLCipher (the sqlcipher3 package) is not installed."""
