"""How holders prove who they are: a pluggable identity provider.

A node trusts one `IdentityProvider`, named by the ``identity_provider`` setting: the
region's real login service (an OpenID Connect provider, the government app's single
sign-on) behind a small adapter, given as ``module:attribute`` of a factory; or, for
demos and tests, `UnsafeDevelopmentIdentityProvider`, which believes whoever says who
they are. That one warns whenever it is made, and a production node refuses it.

A provider answers with a `HolderIdentity`: a person by resident identity number
(GB 11643) or an organisation by unified social credit code (GB 32100), checked here
whatever the provider says.
"""

from __future__ import annotations

import importlib
import logging
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from zhengzhao.config import Settings
from zhengzhao.errors import AuthenticationRequired, ConfigurationError, InvalidRequest
from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.license import HolderKind
from zhengzhao.model.resident_id import ResidentId

__all__ = [
    "UNSAFE_DEVELOPMENT_PROVIDER",
    "HolderIdentity",
    "IdentityProvider",
    "UnsafeDevelopmentIdentityProvider",
    "UnsafeIdentityProviderWarning",
    "checked_identifier",
    "load_identity_provider",
]

logger = logging.getLogger(__name__)

#: The ``identity_provider`` setting that selects `UnsafeDevelopmentIdentityProvider`.
UNSAFE_DEVELOPMENT_PROVIDER = "unsafe-development"

_RESIDENT_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


@dataclass(frozen=True, kw_only=True)
class HolderIdentity:
    """Who logged in, as the identity provider vouches."""

    kind: HolderKind
    #: A valid resident identity number or credit code, upper-case.
    identifier: str
    #: The name the provider knows the holder by.
    name: str


@runtime_checkable
class IdentityProvider(Protocol):
    """Checks a holder's login credentials."""

    #: Short name recorded with each session (`unsafe-development`, `oidc`, ...).
    name: str

    def authenticate(self, credentials: Mapping[str, str]) -> HolderIdentity:
        """The identity ``credentials`` prove; raises `AuthenticationRequired`.

        What ``credentials`` hold is the provider's business: an authorization
        code and redirect URI, an ID token, a one-time password.
        """
        ...


class UnsafeIdentityProviderWarning(UserWarning):
    """Warned whenever an identity provider that checks nothing is made."""


class UnsafeDevelopmentIdentityProvider:
    """Logs in anyone as whoever they claim to be: ``{"identifier", "name"}``, and
    ``"kind"`` (``person`` or ``organisation``) where the identifier's shape could
    be either.

    For demos and tests only: it proves nothing, so a node refuses it outside
    development mode.
    """

    name = UNSAFE_DEVELOPMENT_PROVIDER

    def __init__(self) -> None:
        warnings.warn(
            "holders log in through the UNSAFE development identity provider: anyone"
            " can act as any holder",
            UnsafeIdentityProviderWarning,
            stacklevel=2,
        )

    def authenticate(self, credentials: Mapping[str, str]) -> HolderIdentity:
        identifier = str(credentials.get("identifier", "")).strip().upper()
        name = str(credentials.get("name", "")).strip()
        if not identifier or not name:
            raise AuthenticationRequired(
                'the development provider needs credentials {"identifier": <resident'
                ' ID number or credit code>, "name": <name>}'
            )
        stated = credentials.get("kind")
        if stated is not None:
            try:
                kind = HolderKind(stated)
            except ValueError:
                raise AuthenticationRequired(
                    f"kind {stated!r} is neither person nor organisation"
                ) from None
        else:
            kind = _guess_kind(identifier)
        return HolderIdentity(kind=kind, identifier=identifier, name=name)


def _guess_kind(identifier: str) -> HolderKind:
    # Seventeen digits and a check digit or X read as a person, so that a mistyped
    # identity number is refused rather than taken for a credit code; the rare
    # all-digit credit code logs in with "kind": "organisation".
    if _RESIDENT_SHAPE.fullmatch(identifier):
        return HolderKind.PERSON
    return HolderKind.ORGANISATION


def load_identity_provider(settings: Settings) -> IdentityProvider | None:
    """The provider the settings name; None when holders cannot log in.

    Raises `ConfigurationError` for the development provider outside development
    mode, or for a factory that cannot be found or makes no provider.
    """
    named = settings.identity_provider
    if named is None:
        return None
    if named == UNSAFE_DEVELOPMENT_PROVIDER:
        if settings.mode != "development":
            raise ConfigurationError(
                "refusing the unsafe development identity provider in production"
                " mode; configure the region's identity provider as"
                " identity_provider = 'module:factory'"
            )
        return UnsafeDevelopmentIdentityProvider()
    module_name, _, attribute = named.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
        provider = factory()
    except (ImportError, AttributeError, ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"identity_provider {named!r} cannot be loaded: {exc}; name a factory as"
            " 'module:attribute'"
        ) from exc
    if not isinstance(provider, IdentityProvider):
        raise ConfigurationError(
            f"identity_provider {named!r} made no IdentityProvider (it needs a"
            " `name` and an `authenticate(credentials)` method)"
        )
    logger.info("holders log in through %s", provider.name)
    return provider


def checked_identifier(kind: HolderKind, identifier: str, *, today: date) -> str:
    """``identifier`` normalised once it is valid for ``kind``.

    Pilot-era credit codes whose check character fails are accepted, as issuance
    accepts them. Raises `InvalidIdentifier`, or `InvalidRequest` when empty.
    """
    if not identifier.strip():
        raise InvalidRequest(f"the {kind.value}'s identifier is empty")
    if kind is HolderKind.PERSON:
        return ResidentId.parse(identifier, today=today).value
    return CreditCode.parse(identifier, lenient=True).value
