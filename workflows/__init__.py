"""One module per durable process. Deterministic code only: no I/O, no ORM, no clocks."""
