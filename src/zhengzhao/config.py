"""Node settings: environment variables prefixed ``ZHENGZHAO_``, or a TOML file.

The TOML file is named by ``ZHENGZHAO_CONFIG`` (or the CLI's ``--config``); environment
variables override it. The database URL alone chooses SQLite or PostgreSQL.

The master key protects everything secret at rest: department private keys, holder
identifiers and the blind index over them, each under its own subkey derived with HKDF.
A development node may fall back to a published demo master key; a production node
refuses to start with it.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import warnings
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from zhengzhao.errors import ConfigurationError

__all__ = [
    "UNSAFE_DEMO_MASTER_KEY",
    "MasterKeys",
    "Settings",
    "WitnessEndpoint",
    "WitnessedLogConfig",
    "load_settings",
]

logger = logging.getLogger(__name__)

#: Published in the source code, so it protects nothing: for demos and tests only.
_UNSAFE_DEMO_KEY_BYTES = b"zhengzhao-demo-master-key-UNSAFE"
UNSAFE_DEMO_MASTER_KEY = base64.urlsafe_b64encode(_UNSAFE_DEMO_KEY_BYTES).decode()


class MasterKeys:
    """Subkeys derived from the master key, one per purpose, so no key is reused."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ConfigurationError(
                "the master key must be 32 bytes, base64url-encoded; got"
                f" {len(master_key)}"
                " bytes. Generate one with `zhengzhao keys master`."
            )
        self._master = master_key

    def _derive(self, purpose: str) -> bytes:
        hkdf = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()
        )
        return hkdf.derive(self._master)

    @cached_property
    def key_encryption(self) -> bytes:
        """AES-256-GCM key that wraps department private keys."""
        return self._derive("zhengzhao/v1/key-encryption")

    @cached_property
    def holder_encryption(self) -> bytes:
        """AES-256-GCM key that encrypts holder identifiers and license documents."""
        return self._derive("zhengzhao/v1/holder-encryption")

    @cached_property
    def blind_index(self) -> bytes:
        """HMAC-SHA256 key of the blind index over holder identifiers."""
        return self._derive("zhengzhao/v1/blind-index")

    @cached_property
    def node_secret(self) -> bytes:
        """Key for the node's own MACs (idempotency fingerprints, opaque cursors)."""
        return self._derive("zhengzhao/v1/node-secret")

    @cached_property
    def upload_encryption(self) -> bytes:
        """AES-256-GCM key that encrypts the uploaded files a node keeps to gather."""
        return self._derive("zhengzhao/v1/upload-encryption")


class WitnessEndpoint(BaseModel):
    """A witness the node asks to cosign its checkpoints."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The witness's base URL; the node POSTs to `<url>/add-checkpoint`.
    url: str
    #: The witness's cosignature verifier key (C2SP form).
    vkey: str


class WitnessedLogConfig(BaseModel):
    """A log this node witnesses: its origin and its verifier key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    origin: str
    vkey: str


class Settings(BaseSettings):
    """Everything a node needs to know about where it runs."""

    model_config = SettingsConfigDict(
        env_prefix="ZHENGZHAO_", extra="forbid", frozen=True, validate_default=True
    )

    mode: Literal["development", "production"] = Field(
        default="production",
        description="`development` allows the demo master key and the development "
        "identity provider; `production` refuses both.",
    )
    database_url: str = Field(
        default="sqlite:///zhengzhao.db",
        description="SQLAlchemy URL: `sqlite:///path.db` or "
        "`postgresql+psycopg://user@host/db`.",
    )
    master_key: SecretStr | None = Field(
        default=None, description="32 random bytes, base64url-encoded."
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public address of this node; identifiers of issuers, keys and "
        "status lists are URLs under it.",
    )
    node_name: str = Field(
        default="zhengzhao.localhost", description="This node's name in logs and notes."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    default_algorithm: Literal["ecdsa-p256", "ed25519", "sm2"] = Field(
        default="ecdsa-p256", description="Algorithm of newly created department keys."
    )
    log_origin: str | None = Field(
        default=None,
        description="The transparency log's origin line (C2SP tlog-checkpoint); "
        "default: `<node_name>/log`. Fixed for the life of the log.",
    )
    log_merge_delay: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="Maximum merge delay, in seconds: a recorded event is in a signed "
        "checkpoint at most this long after its transaction commits, while the "
        "sequencer runs.",
    )
    log_sequencer: bool = Field(
        default=True,
        description="Run the log sequencer inside `zhengzhao serve`; turn off where "
        "another process (`zhengzhao log sequence`) runs it.",
    )
    witnesses: list[WitnessEndpoint] = Field(
        default_factory=list,
        description="Witnesses asked to cosign each checkpoint (C2SP tlog-witness).",
    )
    witness_name: str | None = Field(
        default=None,
        description="Set to make this node a witness too, under this name: it then "
        "serves POST /witness/add-checkpoint for the logs in `witness_logs`.",
    )
    witness_logs: list[WitnessedLogConfig] = Field(
        default_factory=list, description="The logs this node witnesses."
    )
    identity_provider: str | None = Field(
        default=None,
        description="How holders log in: `unsafe-development` (development mode"
        " only; believes anyone), or `module:attribute` of a factory making the"
        " region's `IdentityProvider`. None: holders cannot log in.",
    )
    holder_session_minutes: int = Field(
        default=15,
        ge=1,
        le=720,
        description="How long a holder's session lasts after logging in.",
    )
    copy_validity_days: int = Field(
        default=30,
        ge=1,
        le=366,
        description="How long an annotated copy made by a share stays valid (never"
        " beyond the license's own last day or its authorization's expiry).",
    )
    check_limit_per_holder: int = Field(
        default=5,
        ge=1,
        description="Claims of checks a using party may make about one holder per"
        " minute.",
    )
    check_limit_per_holder_daily: int = Field(
        default=50,
        ge=1,
        description="Claims of checks a using party may make about one holder per day.",
    )
    check_limit_per_party: int = Field(
        default=600,
        ge=1,
        description="Claims of checks a using party may make per minute, all holders"
        " together.",
    )
    gathering_upload_bytes: int = Field(
        default=512 << 20,
        ge=1,
        description="The largest file `POST /v1/gathering/batches` takes, in bytes"
        " (a multipart body may be a few kilobytes more); larger ones are refused"
        " with 413. A million resident identity cards fill about 140 MiB of CSV.",
    )
    request_body_bytes: int = Field(
        default=16 << 20,
        ge=1,
        description="The largest request body the API takes, in bytes (except"
        " `POST /v1/gathering/batches`, limited by `gathering_upload_bytes`); larger"
        " ones are refused with 413 before they are read.",
    )
    expiry_interval_hours: float = Field(
        default=24.0,
        ge=0,
        description="Hours between the expiry sweeps `zhengzhao serve` runs (the"
        " first when it starts), each recording the expiry of every license past"
        " its last valid day; 0 runs none (run `zhengzhao licenses expire` instead).",
    )

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = settings_cls.model_config.get("toml_file") or os.environ.get(
            "ZHENGZHAO_CONFIG"
        )
        if config_file:
            path = Path(str(config_file))
            if not path.is_file():
                raise ConfigurationError(f"configuration file {path} does not exist")
            sources.append(TomlConfigSettingsSource(settings_cls, path))
        return tuple(sources)

    @property
    def origin(self) -> str:
        """The log's origin: the configured one or `<node_name>/log`."""
        return self.log_origin or f"{self.node_name}/log"

    @property
    def uses_demo_master_key(self) -> bool:
        """Whether the node would run on the published demo key: none is set, or the
        one set decodes to the demo key's bytes, however it is written (without its
        padding, with spaces, in standard base64). Raises `ConfigurationError` for
        a key that is not base64url."""
        if self.master_key is None:
            return True
        return _decoded_key(self.master_key.get_secret_value()) == (
            _UNSAFE_DEMO_KEY_BYTES
        )

    @cached_property
    def master_keys(self) -> MasterKeys:
        """The derived subkeys; raises `ConfigurationError` where the key is unsafe."""
        if self.uses_demo_master_key:
            if self.mode != "development":
                raise ConfigurationError(
                    "refusing to run in production mode with the demo master key; set "
                    "ZHENGZHAO_MASTER_KEY to 32 random bytes (base64url), for example "
                    "from `zhengzhao keys master`"
                )
            warnings.warn(
                "using the UNSAFE demo master key: anything encrypted with it is "
                "readable "
                "by anyone who has the source code",
                UnsafeDemoKeyWarning,
                stacklevel=3,
            )
            return MasterKeys(_UNSAFE_DEMO_KEY_BYTES)
        assert self.master_key is not None
        return MasterKeys(_decoded_key(self.master_key.get_secret_value()))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _decoded_key(text: str) -> bytes:
    """The bytes of a base64url master key, however it is written: with or without
    its padding, with whitespace, or in the standard alphabet. One key has many
    spellings, so the bytes, not the text, say which key it is. Raises
    `ConfigurationError` for any other character."""
    raw = "".join(text.split()).rstrip("=")
    if not _BASE64_TEXT.fullmatch(raw):
        raise ConfigurationError(
            "the master key is not valid base64url; generate one with"
            " `zhengzhao keys master`"
        )
    try:
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError as exc:
        raise ConfigurationError("the master key is not valid base64url") from exc


#: Both base64 alphabets (RFC 4648 sections 4 and 5), padding removed.
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/_-]*")


class UnsafeDemoKeyWarning(UserWarning):
    """Raised as a warning whenever the published demo master key is in use."""


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Read settings from the environment, from ``config_file`` if given, and overrides.

    Raises `ConfigurationError` naming every setting that is wrong.
    """
    settings_class = Settings
    if config_file is not None:

        class FileSettings(Settings):
            model_config = SettingsConfigDict(
                **{**Settings.model_config, "toml_file": config_file}
            )

        settings_class = FileSettings
    try:
        return settings_class(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigurationError(f"invalid settings: {problems}") from exc
