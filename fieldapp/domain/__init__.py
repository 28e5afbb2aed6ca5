"""Qt-free and database-free core: enums, value objects, validation, weeks, PII guard."""
