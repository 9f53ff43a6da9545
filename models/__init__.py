"""Tables (the read model and reference data) and, in `models.messages`, the typed values that
cross the workflow boundary. This package root stays empty so workflow code can import the
messages without pulling the ORM into Temporal's sandbox."""
