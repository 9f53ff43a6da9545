"""The one typed settings object, read from the environment (prefix-free names, .env supported).

Embedded defaults run everything from ./var on one laptop: SQLite and Temporal's dev server.
`DATABASE_URL` and `TEMPORAL_ADDRESS` switch to PostgreSQL and an external Temporal cluster.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Storage
    data_dir: Path = ROOT / "var"
    database_url: str = ""  # empty: SQLite file in data_dir

    # Temporal
    temporal_address: str = ""  # empty: the launcher starts the embedded dev server
    temporal_namespace: str = "default"
    temporal_task_queue: str = "crm"
    temporal_ui_url: str = ""  # empty: the dev server's UI on temporal_dev_ui_port
    temporal_dev_port: int = 7233
    temporal_dev_ui_port: int = 8233

    # Web
    app_host: str = "127.0.0.1"
    app_port: int = 8000
    public_url: str = ""  # empty: http://<app_host>:<app_port>
    secret_key: str = "change-me-in-production-0123456789abcdef"
    session_max_age: timedelta = timedelta(hours=12)
    default_language: str = "ru"
    timezone: str = "Europe/Moscow"
    # A paused deal wakes at this hour (local time) of the chosen day.
    workday_start_hour: int = 9

    # Deals
    max_file_size: int = Field(default=20 * 1024 * 1024, description="bytes per attached file")
    # Continue-as-new once a deal's history has this many events (Temporal's own
    # suggestion also triggers it); small values let tests exercise it.
    deal_history_limit: int = 2000
    # Managers see their department's deals read-only (edits stay with the owner and heads).
    managers_see_department: bool = True
    # Upper bound on how long a web request waits for a workflow to confirm a change.
    update_timeout: timedelta = timedelta(seconds=15)

    # Outgoing mail. The embedded default sends to the local catcher that `run.py up` starts.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_tls: bool = False  # implicit TLS (port 465)
    mail_from: str = "CRM <crm@crm.local>"
    mail_catcher: bool = True  # run.py starts the local SMTP catcher on smtp_port

    # Replies to approval mail: plus-addressed per step (approvals+<token>@…), read over IMAP.
    approvals_address: str = "approvals@crm.local"
    imap_host: str = ""  # empty: no mailbox reader (links still work)
    imap_port: int = 143
    imap_ssl: bool = False
    imap_username: str = ""
    imap_password: str = ""
    imap_mailbox: str = "INBOX"
    imap_processed_folder: str = "Processed"
    imap_poll_interval: timedelta = timedelta(seconds=30)  # when the server has no IDLE
    imap_idle_timeout: timedelta = timedelta(minutes=9)  # re-issue IDLE before servers drop it

    # Approvals: reminders count working time only (weekends, holidays and the working day below).
    approval_link_ttl: timedelta = timedelta(days=14)
    approval_remind_after: timedelta = timedelta(hours=4)
    approval_escalate_after_reminders: int = 2
    work_day_start: str = "09:00"
    work_day_end: str = "18:00"
    work_weekends: list[int] = [5, 6]  # 0 = Monday
    work_holidays: list[date] = []  # e.g. WORK_HOLIDAYS='["2026-01-01","2026-01-02"]'
    work_extra_days: list[date] = []  # weekend days worked instead of a holiday

    # Documents: authority documents (powers of attorney…) running out within this many days are flagged.
    authority_warning_days: int = Field(default=30, ge=0, le=365)

    # Demo data (`run.py up` on an empty database, `run.py demo`): fewer deals start faster.
    demo_deals: int = Field(default=50, ge=8, le=1000)

    @model_validator(mode="after")
    def _derived_urls(self) -> Settings:
        # Follow the ports unless set: moving a port should not leave a link pointing elsewhere.
        self.public_url = self.public_url or f"http://{self.app_host}:{self.app_port}"
        self.temporal_ui_url = self.temporal_ui_url or f"http://127.0.0.1:{self.temporal_dev_ui_port}"
        return self

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'crm.db'}"

    @property
    def embedded_temporal(self) -> bool:
        return not self.temporal_address

    @property
    def effective_temporal_address(self) -> str:
        return self.temporal_address or f"127.0.0.1:{self.temporal_dev_port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
