"""The one typed settings object, read from the environment (prefix-free names, .env supported).

Embedded defaults run everything from ./var on one laptop: SQLite and Temporal's dev server.
`DATABASE_URL` and `TEMPORAL_ADDRESS` switch to PostgreSQL and an external Temporal cluster.
"""

from __future__ import annotations

from datetime import timedelta
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
