"""A small read-only ARM REST client: one azure-core pipeline (retry that honours Retry-After,
bearer token), GET only, JSON in, ``ArmError`` / ``UnexpectedResponse`` out.

It distrusts the endpoint: every wait and attempt fits in the run's ``Deadline``; a
``Retry-After`` it cannot read, or one in the past, falls back to the backoff schedule and
none waits past ``max_wait``; no answer is read past ``MAX_RESPONSE_BYTES``.

Why not the azure-mgmt-* SDKs: preflight makes eight read-only GETs over four services; a
pipeline with the policies ``ARMPipelineClient`` would give us (minus automatic provider
registration, which a read-only check must never do) is enough, pins the api-versions we
document, and needs nothing beyond azure-core (already there through azure-identity).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.exceptions import AzureError, ClientAuthenticationError
from azure.core.pipeline import Pipeline, PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import (
    BearerTokenCredentialPolicy,
    HeadersPolicy,
    HttpLoggingPolicy,
    HTTPPolicy,
    RequestIdPolicy,
    RetryPolicy,
    UserAgentPolicy,
)
from azure.core.pipeline.transport import RequestsTransport
from azure.core.rest import HttpRequest

from hlz import __version__
from hlz.preflight.deadline import Deadline, DeadlineExceeded
from hlz.preflight.defaults import DEFAULT_ARM_ENDPOINT, DEFAULT_ARM_SCOPE, DEFAULT_TIMEOUT

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
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
"""Largest answer read, after decompression. The largest preflight reads, the providers list,
is a few MiB; ARM pages longer lists. Past this the endpoint is not ARM, or misbehaves."""
RETRY_AFTER_HEADERS = (
    ("retry-after", 1.0),
    ("retry-after-ms", 0.001),
    ("x-ms-retry-after-ms", 0.001),
)
"""Headers naming a wait, with their unit in seconds; the first present one counts (as in
azure-core)."""
_DELAY = re.compile(r"[0-9]+(\.[0-9]+)?")
_DIGITS = re.compile(r"[0-9]+")
_BODY = "hlz.body"

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


class ResponseTooLarge(UnexpectedResponse):
    """An answer larger than ``MAX_RESPONSE_BYTES``; read no further than that."""


class _Oversized(Exception):
    def __init__(self, declared: str | None):
        self.declared = declared
        """The Content-Length that announced it, when one did."""


def retry_after_seconds(value: str, now: dt.datetime, unit: float = 1.0) -> float | None:
    """The wait a ``Retry-After`` value asks for, in seconds; None when it asks for none or
    cannot be read (negative, ``nan``, ``1e3``, a malformed date, a date in the past), so the
    caller falls back to its backoff schedule. Seconds (RFC 9110: digits) or an HTTP-date;
    ``unit`` scales the number (0.001 for the ``-ms`` headers, which take no date)."""
    text = value.strip()
    if _DELAY.fullmatch(text):
        seconds = float(text) * unit
    elif unit != 1.0:
        return None
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # "-0000": UTC, by RFC 5322
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - now).total_seconds()
    return seconds if seconds > 0 else None


class _BoundedRetryPolicy(RetryPolicy):
    """azure-core's retry policy, with every wait bounded: a readable ``Retry-After`` up to
    ``max_wait``, else the backoff schedule; and no wait that would end past the deadline
    (the retry could not finish in time, so the check fails now, saying so)."""

    def __init__(
        self,
        *,
        deadline: Deadline,
        sleep: Callable[[float], None],
        max_wait: float,
        **kwargs: Any,
    ):
        super().__init__(retry_backoff_max=max_wait, **kwargs)
        self._deadline = deadline
        self._sleep = sleep
        self._max_wait = max_wait

    def get_retry_after(self, response: PipelineResponse[Any, Any]) -> float | None:
        headers = response.http_response.headers
        now = dt.datetime.now(dt.UTC)
        for name, unit in RETRY_AFTER_HEADERS:
            value = headers.get(name)
            if value:
                return retry_after_seconds(value, now, unit)
        return None

    def sleep(
        self,
        settings: dict[str, Any],
        transport: Any,
        response: PipelineResponse[Any, Any] | None = None,
    ) -> None:
        asked = self.get_retry_after(response) if response is not None else None
        wait = min(self.get_backoff_time(settings) if asked is None else asked, self._max_wait)
        if wait <= 0:
            return
        left = self._deadline.remaining()
        if wait >= left:
            if asked is None:
                why = f"the backoff schedule waits {wait:g} s"
            elif asked > wait:
                why = f"ARM asked to wait {asked:g} s (capped at {wait:g} s)"
            else:
                why = f"ARM asked to wait {wait:g} s"
            raise DeadlineExceeded(
                f"{why} before retrying GET {_last_path(settings)}, past the "
                f"{self._deadline.seconds:g} s deadline (--timeout; {max(left, 0):.0f} s left)"
            )
        self._sleep(wait)


def _last_path(settings: dict[str, Any]) -> str:
    history = settings.get("history") or []
    return urlsplit(history[-1].http_request.url).path if history else "(unknown)"


class _DeadlinePolicy(HTTPPolicy[Any, Any]):
    """Per attempt, inside the retry loop: none is sent once the deadline has passed, and no
    socket waits longer than the time left (so a thread the runner gave up on ends soon)."""

    def __init__(self, deadline: Deadline, timeout: float):
        super().__init__()
        self._deadline = deadline
        self._timeout = timeout

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        left = self._deadline.remaining()
        if left <= 0:
            path = urlsplit(request.http_request.url).path
            raise DeadlineExceeded(f"{self._deadline.label} passed before GET {path} was sent")
        request.context.options["connection_timeout"] = min(self._timeout, left)
        request.context.options["read_timeout"] = min(self._timeout, left)
        return self.next.send(request)


class _BoundedBodyPolicy(HTTPPolicy[Any, Any]):
    """Reads each answer (streamed) inside the retry loop, up to ``limit`` bytes after
    decompression, into the context: a body cut off by the network is retried like any read
    error; one over the limit raises ``_Oversized`` without reading the rest."""

    def __init__(self, limit: int):
        super().__init__()
        self._limit = limit

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        response = self.next.send(request)
        http_response = response.http_response
        try:
            declared = http_response.headers.get("Content-Length", "")
            # More than 18 digits is over any limit (and int() refuses thousands of them).
            if _DIGITS.fullmatch(declared) and (len(declared) > 18 or int(declared) > self._limit):
                raise _Oversized(declared)
            chunks: list[bytes] = []
            size = 0
            for chunk in http_response.iter_bytes():
                size += len(chunk)
                if size > self._limit:
                    raise _Oversized(None)
                chunks.append(chunk)
        finally:
            http_response.close()
        response.context[_BODY] = b"".join(chunks)
        return response


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
        deadline: Deadline | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        tool: str = "preflight",
    ):
        self.endpoint, self.loopback = checked_endpoint(endpoint)
        self.tool = tool
        """The hlz command reading (``preflight``, ``audit``): in the User-Agent and messages."""
        self.deadline = deadline or Deadline(DEFAULT_TIMEOUT)
        self.max_response_bytes = max_response_bytes
        transport = RequestsTransport(
            connection_timeout=timeout,
            read_timeout=timeout,
            # No proxy from the environment for a loopback test server.
            use_env_settings=not self.loopback,
        )
        policies: list[Any] = [
            RequestIdPolicy(),
            HeadersPolicy({"Accept": "application/json"}),
            UserAgentPolicy(sdk_moniker=f"hlz-{tool}/{__version__}"),
            # Retry before authentication, as ARMPipelineClient orders them: each attempt is
            # re-authorised (a refreshed token is picked up on retry).
            _BoundedRetryPolicy(
                deadline=self.deadline,
                sleep=sleep,
                max_wait=max_wait,
                retry_total=retry_total,
                retry_backoff_factor=backoff_factor,
            ),
            BearerTokenCredentialPolicy(credential, scope),
            _DeadlinePolicy(self.deadline, timeout),
            _BoundedBodyPolicy(max_response_bytes),
            HttpLoggingPolicy(),
        ]
        self._pipeline: Pipeline[Any, Any] = Pipeline(transport=transport, policies=policies)
        self._cache: dict[str, Any] = {}
        self.requests_sent = 0
        """Requests that reached the pipeline (cache hits excluded); retries not counted."""
        self.in_flight: str | None = None
        """The path being fetched, for the message when the deadline passes during it."""

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
        self.in_flight = path
        try:
            pipeline_response = self._pipeline.run(HttpRequest("GET", url), stream=True, **options)
        except _Oversized as error:
            too_large = (
                f"the answer to GET {path} is larger than the "
                f"{self.max_response_bytes / 2**20:g} MiB {self.tool} reads"
            )
            if error.declared:
                length = error.declared if len(error.declared) <= 20 else error.declared[:20] + "…"
                reason = f"{too_large} (Content-Length {length}); not read"
                raise ResponseTooLarge(path, reason) from None
            raise ResponseTooLarge(path, f"{too_large}; read no further") from None
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
        finally:
            self.in_flight = None
        response = pipeline_response.http_response
        history = pipeline_response.context.get("history") or []
        # The retry policy records an attempt when it decides to retry, and also the last one
        # when retries ran out: count only the attempts that were followed by another.
        exhausted = bool(history) and history[-1].http_response is response
        retries = len(history) - 1 if exhausted else len(history)
        body: bytes = pipeline_response.context[_BODY]
        if response.status_code >= 400:
            code, message = _error_body(body.decode("utf-8", errors="replace"))
            raise ArmError(
                path=path,
                action=action,
                status=response.status_code,
                code=code or response.reason or "Error",
                message=message,
                retries=retries,
            )
        try:
            document = json.loads(body)
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
