"""Settings, read from the environment with the prefix ``KETENPOORT_`` (pydantic-settings).

Settings are an explicit value object handed to whoever needs them; nothing reads the
environment behind the caller's back except :func:`load_settings`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
"""iJw OP179: a message file may be at most 25 MB."""


class Settings(BaseSettings):
    """Everything an operator can set; each field is ``KETENPOORT_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="KETENPOORT_", extra="ignore", frozen=True)

    database_url: str = "sqlite:///./ketenpoort.db"
    data_dir: Path = Path()
    schema_dirs: Annotated[tuple[Path, ...], NoDecode] = ()
    max_message_bytes: int = MAX_MESSAGE_BYTES

    # queue
    lease_s: float = 30.0
    poll_interval_s: float = 0.2
    max_job_attempts: int = 8
    """A stage that fails this often on one message (a bug, never a receiver's answer) sends it to the DLQ."""
    batch_size: int = 128
    """Jobs a worker runs per transaction (one durable commit each)."""
    batch_bytes: int = Field(default=16 * 1024 * 1024, ge=1)
    """Payload bytes a worker thread takes on per batch: it holds their parsed documents until the commit."""

    # privacy
    pseudonym_key: SecretStr | None = None

    # relay
    routes_file: Path | None = None
    default_route: str | None = None
    retry_base_s: float = 1.0
    retry_cap_s: float = 300.0
    retry_max_attempts: int = 12
    retry_max_age_s: float = 48 * 3600.0
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 10.0
    breaker_failures: int = 5
    breaker_reset_s: float = 30.0
    relay_transport: Literal["stdlib", "httpx"] = "stdlib"
    """The relay's HTTP transport: ``stdlib`` (http.client, half the CPU per POST) or httpx's own."""
    relay_ca_file: Path | None = None
    """PEM roots to check receivers' certificates against (e.g. PKIoverheid); default certifi's."""
    relay_client_cert: Path | None = None
    """PEM certificate (chain) shown to receivers that ask for one (mutual TLS, Digikoppeling)."""
    relay_client_key: Path | None = None
    """Its private key, when not in the certificate file."""

    # VSP-Koppeling puller (``ketenpoort worker --stages vsp-pull``)
    vsp_pull_url: str | None = None
    """VECOZO's Pull API base, e.g. https://api.vecozo.nl/berichtenservice/berichten/rest-pull/v1."""
    vsp_pull_interval_s: float = Field(default=30.0, gt=0)
    """How long the puller waits after a round that emptied the list."""
    vsp_pull_backoff_cap_s: float = Field(default=300.0, gt=0)
    """The longest wait between rounds while the Pull API fails (doubling from the interval's tenth)."""
    vsp_client_cert: Path | None = None
    """PEM VECOZO system certificate (chain) for the Pull API (mutual TLS); routes name their own."""
    vsp_client_key: Path | None = None
    vsp_ca_file: Path | None = None

    # retention (CORV: content at most 24 h after confirmed routing, traffic data 6 months)
    payload_retention_h: float = 24.0
    rejected_payload_retention_d: float = 14.0
    """Payloads of rejected and duplicate messages (never relayed, so no confirmed routing ends them)."""
    metadata_retention_d: float = 183.0

    # API
    senders_file: Path | None = None
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    session_secret: SecretStr | None = None

    # logging
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"

    @field_validator("schema_dirs", mode="before")
    @classmethod
    def _split_schema_dirs(cls, value: object) -> object:
        """``KETENPOORT_SCHEMA_DIRS`` is a list of directories separated by os.pathsep."""
        if isinstance(value, str):
            return tuple(Path(p) for p in value.split(os.pathsep) if p.strip())
        return value

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded default backend."""
        return self.database_url.startswith("sqlite")

    @property
    def pseudonym_key_file(self) -> Path:
        """Where a first-run pseudonym key is kept when none is configured."""
        return self.data_dir / "pseudonym.key"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides taking precedence."""
    return Settings(**overrides)  # type: ignore[arg-type]


__all__ = ["MAX_MESSAGE_BYTES", "Field", "Settings", "load_settings"]
