"""Small widgets shared by the views and dialogs: field error labels, checkable lists,
Stockholm date-time editing, text with PII marking, calm error messages."""
