"""A small read-only ARM REST client: one azure-core pipeline (retry that honours Retry-After,
bearer token), GET only, JSON in, ``ArmError`` / ``UnexpectedResponse`` out.

Why not the azure-mgmt-* SDKs: preflight makes eight read-only GETs over four services; a
pipeline with the policies ``ARMPipelineClient`` would give us (minus automatic provider
registration, which a read-only check must never do) is enough, pins the api-versions we
document, and needs nothing beyond azure-core (already there through azure-identity).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.exceptions import AzureError, ClientAuthenticationError
from azure.core.pipeline import Pipeline
from azure.core.pipeline.policies import (
    BearerTokenCredentialPolicy,
    HeadersPolicy,
    HttpLoggingPolicy,
    RequestIdPolicy,
    RetryPolicy,
    UserAgentPolicy,
)
from azure.core.pipeline.transport import RequestsTransport
from azure.core.rest import HttpRequest

from hlz import __version__
from hlz.preflight.defaults import DEFAULT_ARM_ENDPOINT, DEFAULT_ARM_SCOPE

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts where plain http is accepted: a test server or an ARM emulator on this machine.
A bearer token never travels unencrypted over a network."""

DEFAULT_RETRY_TOTAL = 3
"""Retries per request (429, 408, 5xx, connection errors). Default 3: enough to ride out
throttling, short enough that a dead endpoint fails the check within a minute."""
DEFAULT_BACKOFF_FACTOR = 0.8
"""Exponential backoff base in seconds when ARM sends no Retry-After (azure-core's default)."""
DEFAULT_MAX_WAIT = 60.0
"""Longest single wait in seconds, Retry-After included. ARM's read throttling asks for
seconds to a few minutes; a preflight that waits longer than this is better re-run later."""
MAX_PAGES = 50
"""nextLink pages followed per list; a subscription never has this many for these lists."""

_DENIED_ACTION = re.compile(r"perform action '([^']+)'")


class EndpointError(ValueError):
    """The ARM endpoint is not usable (a usage error, not a check failure)."""


class ArmError(Exception):
    """ARM answered with an error status, or could not be reached (``status`` None)."""

    def __init__(
        self,
        *,
        path: str,
        action: str,
        status: int | None,
        code: str,
        message: str,
        retries: int = 0,
    ):
        self.path = path
        self.status = status
        self.code = code
        self.message = message
        self.retries = retries
        # ARM names the action it denied in a 403's message; trust it over our expectation.
        denied = _DENIED_ACTION.search(message)
        self.action = denied.group(1) if denied else action
        label = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"GET {path}: {label} {code}: {message}")


class UnexpectedResponse(Exception):
    """A 2xx answer that is not the JSON shape the ARM api-version documents."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"GET {path}: {reason}")


def checked_endpoint(endpoint: str) -> tuple[str, bool]:
    """``(endpoint without trailing slash, is_loopback)``; https, or http on loopback only."""
    parts = urlsplit(endpoint)
    host = parts.hostname
    if not host or parts.path.strip("/") or parts.query or parts.fragment:
        raise EndpointError(
            f"--arm-endpoint {endpoint!r} must be a bare scheme://host[:port], "
            f"e.g. {DEFAULT_ARM_ENDPOINT}"
        )
    loopback = host in LOOPBACK_HOSTS
    if parts.scheme == "https" or (parts.scheme == "http" and loopback):
        return f"{parts.scheme}://{parts.netloc}", loopback
    raise EndpointError(
        f"--arm-endpoint {endpoint!r}: a bearer token is sent only over https "
        f"(plain http is accepted for {', '.join(sorted(LOOPBACK_HOSTS))} only, for tests "
        "and emulators)"
    )


class _SleepingTransport(RequestsTransport):
    """The requests transport, with the retry policy's waits going through ``sleep`` and
    capped at ``max_wait`` (azure-core asks the transport to sleep, so this is the seam)."""

    def __init__(self, *, sleep: Callable[[float], None], max_wait: float, **kwargs: Any):
        super().__init__(**kwargs)
        self._sleep = sleep
        self._max_wait = max_wait

    def sleep(self, duration: float) -> None:
        self._sleep(min(duration, self._max_wait))


class ArmClient:
    """GET JSON from ARM with a bearer token for ``scope``. Answers are cached per URL for the
    client's life, so checks that share a list (providers, models) fetch it once."""

    def __init__(
        self,
        credential: TokenCredential,
        *,
        endpoint: str = DEFAULT_ARM_ENDPOINT,
        scope: str = DEFAULT_ARM_SCOPE,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = DEFAULT_MAX_WAIT,
        retry_total: int = DEFAULT_RETRY_TOTAL,
        backoff_factor: float = DEFAULT_BACKOFF_FACTOR,
        timeout: float = 30.0,
    ):
        self.endpoint, self.loopback = checked_endpoint(endpoint)
        transport = _SleepingTransport(
            sleep=sleep,
            max_wait=max_wait,
            connection_timeout=timeout,
            read_timeout=timeout,
            # No proxy from the environment for a loopback test server.
            use_env_settings=not self.loopback,
        )
        policies: list[Any] = [
            RequestIdPolicy(),
            HeadersPolicy({"Accept": "application/json"}),
            UserAgentPolicy(sdk_moniker=f"hlz-preflight/{__version__}"),
            # Retry before authentication, as ARMPipelineClient orders them: each attempt is
            # re-authorised (a refreshed token is picked up on retry).
            RetryPolicy(
                retry_total=retry_total,
                retry_backoff_factor=backoff_factor,
                retry_backoff_max=max_wait,
            ),
            BearerTokenCredentialPolicy(credential, scope),
            HttpLoggingPolicy(),
        ]
        self._pipeline: Pipeline[Any, Any] = Pipeline(transport=transport, policies=policies)
        self._cache: dict[str, Any] = {}
        self.requests_sent = 0
        """Requests that reached the pipeline (cache hits excluded); retries not counted."""

    def close(self) -> None:
        self._pipeline.__exit__()

    def __enter__(self) -> ArmClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, path: str, api_version: str, *, action: str) -> Any:
        """The JSON document at ``path``; ``action`` is the permission the read needs (named
        in the error when ARM answers 403 without naming it)."""
        return self._fetch(f"{self.endpoint}{path}?api-version={api_version}", path, action)

    def list_values(self, path: str, api_version: str, *, action: str) -> list[Any]:
        """Every item of an ARM list (``value``), following ``nextLink`` pages."""
        page = self.get(path, api_version, action=action)
        values: list[Any] = []
        for _ in range(MAX_PAGES):
            if not isinstance(page, dict) or not isinstance(page.get("value"), list):
                raise UnexpectedResponse(path, "expected an object with a 'value' list")
            values += page["value"]
            next_link = page.get("nextLink")
            if not next_link:
                return values
            page = self._fetch(self._same_endpoint(next_link, path), path, action)
        raise UnexpectedResponse(path, f"more than {MAX_PAGES} nextLink pages")

    def _same_endpoint(self, link: object, path: str) -> str:
        # The token goes only to the endpoint we were given, never to a host a response names.
        if not isinstance(link, str) or not link.startswith(self.endpoint + "/"):
            raise UnexpectedResponse(path, f"nextLink {link!r} leaves {self.endpoint}")
        return link

    def _fetch(self, url: str, path: str, action: str) -> Any:
        if url in self._cache:
            return self._cache[url]
        options: dict[str, Any] = {}
        if self.loopback:
            # azure-core refuses bearer tokens over http; checked_endpoint allows http only on
            # loopback, so this opt-out never applies to a network address.
            options["enforce_https"] = False
        self.requests_sent += 1
        try:
            pipeline_response = self._pipeline.run(HttpRequest("GET", url), **options)
        except ClientAuthenticationError as error:
            raise ArmError(
                path=path,
                action=action,
                status=None,
                code="TokenUnavailable",
                message=_first_line(str(error.message or error)),
            ) from None
        except AzureError as error:
            raise ArmError(
                path=path,
                action=action,
                status=None,
                code=type(error).__name__,
                message=f"cannot reach {self.endpoint}: {_first_line(str(error.message or error))}",
            ) from None
        response = pipeline_response.http_response
        history = pipeline_response.context.get("history") or []
        # The retry policy records an attempt when it decides to retry, and also the last one
        # when retries ran out: count only the attempts that were followed by another.
        exhausted = bool(history) and history[-1].http_response is response
        retries = len(history) - 1 if exhausted else len(history)
        text = response.text()
        if response.status_code >= 400:
            code, message = _error_body(text)
            raise ArmError(
                path=path,
                action=action,
                status=response.status_code,
                code=code or response.reason or "Error",
                message=message,
                retries=retries,
            )
        try:
            document = json.loads(text)
        except ValueError as error:
            raise UnexpectedResponse(path, f"not JSON ({error})") from None
        self._cache[url] = document
        return document


def _error_body(text: str) -> tuple[str | None, str]:
    """ARM's ``{"error": {"code", "message"}}``, tolerating any other body."""
    try:
        body = json.loads(text)
    except ValueError:
        return None, _first_line(text) or "(empty body)"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or "") or None, _first_line(str(error.get("message") or ""))
    return None, _first_line(text)


def _first_line(text: str, limit: int = 300) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
