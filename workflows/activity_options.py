"""How workflows run their activities."""

from datetime import timedelta

from temporalio.common import RetryPolicy

# Retry until the database or the mail server is back: a process never gives up on an effect.
RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=30))

# Read-model writes are short and idempotent. The timeout is how long a dead worker's attempt
# blocks the process before another worker retries it, so it stays short.
WRITE_OPTIONS = dict(start_to_close_timeout=timedelta(seconds=10), retry_policy=RETRY)

# Mail may wait on a slow SMTP server; the activity heartbeats, so a dead worker is noticed
# within seconds while a slow server still gets its time.
MAIL_OPTIONS = dict(
    start_to_close_timeout=timedelta(minutes=2), heartbeat_timeout=timedelta(seconds=5), retry_policy=RETRY
)
