"""The effects workflows ask for, grouped by what they touch. Each one is idempotent:
Temporal may run an activity twice, and the second run must change nothing."""
