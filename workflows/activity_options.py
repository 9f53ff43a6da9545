"""How workflows run their activities."""

from datetime import timedelta

from temporalio.common import RetryPolicy

# Read-model writes and mail are short and idempotent: retry them until the database or the
# mail server is back, never give up on a process.
WRITE_OPTIONS = dict(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=30)),
)
