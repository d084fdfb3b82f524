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

from gateway.bounds import MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS, MAX_MESSAGE_BYTES
from gateway.findings import MAX_FINDINGS, MAX_FINDINGS_PER_KIND


class Settings(BaseSettings):
    """Everything an operator can set; each field is ``KETENPOORT_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="KETENPOORT_", extra="ignore", frozen=True, use_attribute_docstrings=True
    )
    # Each field's docstring is its meaning in the README's settings reference (python -m gateway.settings_doc).

    database_url: str = "sqlite:///./ketenpoort.db"
    """The store: `sqlite:///PATH` (the embedded default, one file) or `postgresql+psycopg://USER:PASS@HOST/DB`."""
    data_dir: Path = Path()
    """Folder for the installation's state: the generated pseudonym key, reconciliation runs."""
    schema_dirs: Annotated[tuple[Path, ...], NoDecode] = ()
    """Extra XSD package folders (separated by `:`) that `ketenpoort validate` searches before the bundled schemas
    (an official package wins there). The service uses the bundled schemas and an installed StUF-JZ package."""
    max_message_bytes: int = MAX_MESSAGE_BYTES
    """Largest message taken in, in bytes (iJw OP179: 25 MB)."""

    # bounds of one message (gateway.bounds): no legal 25 MB declaratie meets them
    max_elements: int = Field(default=MAX_ELEMENTS, ge=1)
    """Elements per message; a document with more is refused before it is validated."""
    max_attributes: int = Field(default=MAX_ATTRIBUTES, ge=0)
    """Attributes per message; a document with more is refused before it is validated."""
    max_depth: int = Field(default=MAX_DEPTH, ge=1, le=MAX_DEPTH)
    """Element nesting; libxml2 allows no more than 256 without XML_PARSE_HUGE, which stays off."""
    max_findings: int = Field(default=MAX_FINDINGS, ge=1)
    """Findings kept and shown per message; every finding is still counted per rule or XSD error type."""
    max_findings_per_kind: int = Field(default=MAX_FINDINGS_PER_KIND, ge=1)
    """Findings of one rule or XSD error type kept per message."""

    # queue
    lease_s: float = 30.0
    """Seconds a claimed job stays with its worker; then another worker may take it over."""
    poll_interval_s: float = 0.2
    """Seconds an idle worker waits before it looks for jobs again."""
    max_job_attempts: int = 8
    """A stage that fails this often on one message (a bug, never a receiver's answer) sends it to the DLQ."""
    batch_size: int = 128
    """Jobs a worker runs per transaction (one durable commit each)."""
    batch_bytes: int = Field(default=16 * 1024 * 1024, ge=1)
    """Payload bytes a worker thread takes on per batch: it holds their parsed documents until the commit."""

    # privacy
    pseudonym_key: SecretStr | None = None
    """Secret (16+ characters) behind client pseudonyms; unset: generated once into `DATA_DIR/pseudonym.key` (0600)."""

    # relay
    routes_file: Path | None = None
    """TOML file: receiver id (gemeentecode, AGB code, OIN) to delivery URL, with a `default` (deploy/routes.toml)."""
    default_route: str | None = None
    """Delivery URL for receivers without a route of their own."""
    retry_base_s: float = 1.0
    """Seconds before the first retry of a failed delivery; doubled per attempt, with full jitter."""
    retry_cap_s: float = 300.0
    """Longest wait between two delivery attempts, in seconds."""
    retry_max_attempts: int = 12
    """Delivery attempts before a message goes to the dead-letter queue."""
    retry_max_age_s: float = 48 * 3600.0
    """Seconds after the first attempt when a message still not delivered goes to the dead-letter queue."""
    connect_timeout_s: float = 2.0
    """Seconds a delivery may take to connect (TCP and TLS)."""
    read_timeout_s: float = 10.0
    """Seconds a delivery waits for the receiver's answer."""
    relay_threads: int = Field(default=16, ge=0)
    """Relay lanes: POSTs a worker process runs at once, each destination in its own lane, so a receiver that hangs
    never delays another; each 2xx logged durably (few redeliveries after a crash). 0: each worker thread posts its
    batch in order, and a hanging receiver holds up the rest of the batch (head-of-line blocking)."""
    relay_per_destination: int = Field(default=8, ge=1)
    """The most POSTs to one destination at once, so a receiver that hangs holds no more relay threads."""
    relay_group_ms: float = Field(default=50.0, ge=0)
    """How long delivery outcomes gather before the store commits them together (each 2xx is logged durably at once,
    in the attempt log, so this costs no redeliveries)."""
    breaker_failures: int = 5
    """Failures in a row after which a destination's circuit breaker opens (no requests until it resets)."""
    breaker_reset_s: float = 30.0
    """Seconds an open circuit breaker waits before it lets one probe request through."""
    relay_transport: Literal["stdlib", "httpx"] = "stdlib"
    """The relay's HTTP transport: `stdlib` (http.client, half the CPU per POST) or `httpx` (httpx's own)."""
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
    """The key of that certificate, when it is not in the certificate file."""
    vsp_ca_file: Path | None = None
    """PEM roots VECOZO's server certificate must chain to (default: certifi's)."""

    # retention (CORV: content at most 24 h after confirmed routing, traffic data 6 months)
    payload_retention_h: float = 24.0
    """Hours a delivered message's content is kept after confirmed delivery (CORV: at most 24)."""
    rejected_payload_retention_d: float = 14.0
    """Days the content of rejected and duplicate messages is kept (never relayed, so no confirmed delivery ends it)."""
    metadata_retention_d: float = 183.0
    """Days traffic data (message metadata, deliveries, facts) is kept (CORV: 6 months)."""

    # API
    senders_file: Path | None = None
    """TOML file of API senders, receivers and operators with their hashed tokens; re-read when it changes."""
    api_host: str = "127.0.0.1"
    """Address the HTTP API and dashboard listen on."""
    api_port: int = 8080
    """Port of the HTTP API and dashboard."""
    session_secret: SecretStr | None = None
    """Key that signs dashboard session cookies; unset: random per process (logins end at a restart)."""
    body_deadline_s: float = Field(default=60.0, gt=0)
    """How long a whole request body may take on any route, besides the pause allowed between its chunks (408)."""

    # audit checkpoints (the key is never stored in the database)
    audit_checkpoint_key: SecretStr | None = None
    """HMAC key that signs checkpoints of the audit chain's head; without it no checkpoints are written."""
    audit_checkpoint_file: Path | None = None
    """Also append each checkpoint to this file (JSON lines), best on other storage than the database."""
    audit_checkpoint_url: str | None = None
    """Also POST each checkpoint (JSON) here."""
    audit_checkpoint_interval_s: float = Field(default=300.0, gt=0)
    """How often a worker writes a checkpoint: a rewrite of events younger than the last one goes unseen."""

    # API TLS (two-sided for Digikoppeling WUS)
    api_tls_cert_file: Path | None = None
    """PEM certificate (chain) the API serves HTTPS with; unset: plain HTTP."""
    api_tls_key_file: Path | None = None
    """Its private key, when not in the certificate file."""
    api_tls_ca_file: Path | None = None
    """PEM CAs whose client certificates the API accepts (e.g. PKIoverheid); unset: no client certificates."""
    api_tls_client_cert: Literal["optional", "required"] = "optional"
    """Whether a TLS client must show a certificate; the CORV endpoints refuse a request without one anyway."""

    # CORV (StUF-Jeugdzorg over Digikoppeling WUS)
    corv_partners_file: Path | None = None
    """TOML: receivers (OINs) and partners (certificate OIN, zender OINs it may use, signed); see gateway.corv."""
    corv_trusted_ca_file: Path | None = None
    """PEM CAs that may issue WS-Security signing certificates (default: api_tls_ca_file)."""
    corv_max_envelope_bytes: int = Field(default=MAX_MESSAGE_BYTES + 1024 * 1024, ge=1024)
    """Largest SOAP request the CORV endpoints read (a 25 MB message and its envelope); a larger one gets a Fault."""
    corv_allow_without_certificate: bool = False
    """Development only: accept CORV requests without TLS, naming the partner by the OIN in wsa:From."""
    stuf_jz_envelope_only: bool = False
    """Without the StUF-JZ package installed: accept StUF-JZ on its envelope only (loudly), not refuse (StUF058)."""
    stuf_jz_package: Path | None = None
    """An installed StUF-JZ package folder, used instead of `DATA_DIR/schemas/stuf-jz/1.0.9`."""

    # logging
    log_format: Literal["auto", "json", "console"] = "auto"
    """`console`, `json` (one object per line) or `auto`: console; JSON under `run`, and `serve`/`worker` off a TTY."""
    log_level: str = "INFO"
    """Lowest level logged: DEBUG, INFO, WARNING or ERROR (DEBUG also shows per-message lines on the console)."""

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
