"""Server settings from the environment (``YITI_*``; ``DATABASE_URL`` as is)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return platformdirs.user_data_path("yiti-server", appauthor=False)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YITI_", extra="ignore")

    #: a Postgres cluster to use; when empty the server runs its own embedded Postgres
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "YITI_DATABASE_URL")
    )
    data_dir: Path = Field(default_factory=default_data_dir)

    access_ttl_seconds: int = 15 * 60
    refresh_ttl_seconds: int = 30 * 24 * 3600
    #: failed sign-ins a user gets before each further one locks the name for a growing while
    throttle_free_failures: int = 5
    throttle_base_seconds: int = 30
    throttle_max_seconds: int = 15 * 60
    min_password_length: int = 8
    max_body_bytes: int = 8 * 1024 * 1024
    #: cap on a gzip request body once inflated
    max_inflated_bytes: int = 32 * 1024 * 1024

    #: server sessions never sit in a transaction or a statement forever (DESIGN §4: horizon)
    statement_timeout_ms: int = 30_000
    idle_in_transaction_timeout_ms: int = 60_000
    pool_size: int = 5
