"""SQLAlchemy models, the one place that opens the database, services and migrations."""
