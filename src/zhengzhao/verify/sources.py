"""Where a verifier outside the node gets trust and status: files, or the node's URL."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from zhengzhao.errors import InvalidDocument, NotFound
from zhengzhao.verify.trust_list import TrustList

__all__ = [
    "FileStatusLists",
    "HttpStatusLists",
    "fetch_log_proof",
    "fetch_trust_list",
    "read_json_file",
]

#: Seconds to wait for a node before giving up on it.
HTTP_TIMEOUT = 10.0


def read_json_file(path: Path) -> Any:
    """Parse a JSON file; raises `InvalidDocument` naming the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidDocument(f"cannot read {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise InvalidDocument(f"{path} is not JSON: {exc}") from exc


class FileStatusLists:
    """Status list credentials read from files, found by the URL each names as `id`."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self._lists: dict[str, dict[str, Any]] = {}
        for path in paths:
            document = read_json_file(path)
            if not isinstance(document, dict) or "id" not in document:
                raise InvalidDocument(f"{path} is not a status list credential")
            self._lists[str(document["id"])] = document

    def status_list(self, url: str) -> dict[str, Any]:
        try:
            return self._lists[url]
        except KeyError:
            raise NotFound(f"no status list file for {url} was given") from None


class HttpStatusLists:
    """Status list credentials fetched from their URLs, each once per verifier."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client
        self._cache: dict[str, dict[str, Any]] = {}

    def status_list(self, url: str) -> dict[str, Any]:
        if url not in self._cache:
            self._cache[url] = _get_json(self._client, url)
        return self._cache[url]


def fetch_trust_list(client: httpx.Client, node_url: str) -> TrustList:
    """The trust list published by the node at ``node_url``."""
    return TrustList.from_json(
        _get_json(client, f"{node_url.rstrip('/')}/v1/trust-list")
    )


def fetch_log_proof(
    client: httpx.Client, node_url: str, document: Any
) -> dict[str, Any] | None:
    """The node's log proof for the license ``document``; None when the node has
    none (not yet in a checkpoint, or not a license of that node)."""
    try:
        identifier = str(document["credentialSubject"]["license"]["identifier"])
    except (KeyError, TypeError):
        return None
    try:
        return _get_json(
            client,
            f"{node_url.rstrip('/')}/log/proofs/license/{quote(identifier, safe='')}",
        )
    except NotFound:
        return None


def _get_json(client: httpx.Client, url: str) -> dict[str, Any]:
    try:
        response = client.get(url, timeout=HTTP_TIMEOUT)
    except httpx.HTTPError as exc:
        raise NotFound(f"cannot reach {url}: {exc}") from exc
    if response.status_code != 200:
        raise NotFound(f"{url} answered HTTP {response.status_code}")
    try:
        value = response.json()
    except ValueError as exc:
        raise InvalidDocument(f"{url} did not answer JSON") from exc
    if not isinstance(value, dict):
        raise InvalidDocument(f"{url} did not answer a JSON object")
    return value
