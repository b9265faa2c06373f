"""A client for Verdict, standard library only, so it installs wherever a trainer runs.

    from verdict_client import VerdictClient
    client = VerdictClient("http://127.0.0.1:8080")
    result = client.submit(language="python", source="print(1)", tests=[{"expectedStdout": "1"}])

Retries: only what Verdict marks retryable (an answer whose body says "retryable": true: 429 and
503 from a replica, 502/503/504 from Verdict's load balancer; any 504; connections that fail),
with exponential backoff, full jitter and the server's Retry-After as a
floor. A verdict is an answer, never retried: a 200 with "runtime_error" is the program's.
"""
from __future__ import annotations

import http.client
import json
import random
import time
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, TypedDict, Union

__all__ = ["VerdictClient", "VerdictError", "SubmissionResult", "BatchLine", "RewardLine"]

Json = Dict[str, Any]


class TestResult(TypedDict, total=False):
    id: str
    verdict: str
    exitCode: Optional[int]
    signal: Optional[str]
    cpuTimeMs: float
    wallTimeMs: float
    peakMemoryBytes: int
    stdout: str
    stderr: str


class SubmissionResult(TypedDict, total=False):
    verdict: str
    passed: int
    total: int
    compile: Optional[Json]
    tests: List[TestResult]
    manifest: Json
    wallTimeMs: float
    cache: str
    nondeterministic: bool  # present, True, when runs of this submission were seen to disagree


class BatchLine(TypedDict, total=False):
    type: str
    index: int
    id: str
    status: str
    result: SubmissionResult
    error: Json
    reason: str


class RewardLine(BatchLine, total=False):
    reward: float
    extraction: Json


class VerdictError(Exception):
    """A failure of Verdict or of the way it was called, never a verdict."""

    def __init__(self, status: int, code: str, message: str, retryable: bool, retry_after: Optional[float] = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


class VerdictClient:
    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8080",
        *,
        timeout: float = 600.0,
        max_retries: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max

    # ---- the API ----

    def submit(self, **submission: Any) -> SubmissionResult:
        """POST /v1/submissions: one program, its tests; the verdict."""
        return self._json("POST", "/v1/submissions", submission)  # type: ignore[return-value]

    def batch(self, items: Sequence[Mapping[str, Any]], problem: Optional[Mapping[str, Any]] = None, **options: Any) -> Iterator[BatchLine]:
        """POST /v1/batch, streamed: yields each item's line as the service judges it, then the summary line.

        A stream cut before its summary line (behind a load balancer: the replica judging the batch
        went away) is resumed: the items without a line are sent again, up to max_retries times, and
        keep their index in `items`; no line is yielded twice. The summary line then counts every
        line of this call and says how often it was resumed ("resumed"); `deadlineMs` keeps counting
        from the first request.
        """
        items = list(items)
        pending = list(range(len(items)))
        lines: List[Json] = []
        started = time.monotonic()
        resumed = 0
        while True:
            body: Json = {**options, "items": [items[i] for i in pending]}
            if problem is not None:
                body["problem"] = dict(problem)
            if "deadlineMs" in options:
                left = int(options["deadlineMs"] - (time.monotonic() - started) * 1000)
                if left <= 0:
                    for i in pending:
                        line: Json = {"type": "item", "index": i, "id": items[i].get("id"), "status": "not_run", "reason": "deadline"}
                        lines.append(line)
                        yield line  # type: ignore[misc]
                    yield _summary(lines, len(items), started, resumed, deadline_exceeded=True)  # type: ignore[misc]
                    return
                body["deadlineMs"] = left
            summary: Optional[Json] = None
            got = set()
            try:
                for line in self._ndjson("/v1/batch", body):
                    if line.get("type") == "summary":
                        summary = line
                        continue
                    line = {**line, "index": pending[line["index"]]}
                    got.add(line["index"])
                    lines.append(line)
                    yield line  # type: ignore[misc]
            # OSError covers a reset or timed-out socket; HTTPException a chunked body cut short.
            except (http.client.HTTPException, OSError) as err:
                cut: object = err
            else:
                cut = "the stream ended without a summary line"
            if summary is not None:
                if resumed == 0:
                    yield summary  # type: ignore[misc]
                else:
                    yield _summary(lines, len(items), started, resumed, deadline_exceeded=bool(summary.get("deadlineExceeded")))  # type: ignore[misc]
                return
            pending = [i for i in pending if i not in got]
            if resumed >= self.max_retries:
                raise VerdictError(0, "VERDICT_STREAM_CUT", f"batch stream cut {resumed + 1} times, {len(pending)} items without a line: {cut}", True)
            time.sleep(self._delay(resumed, None))
            resumed += 1

    def reward(
        self,
        items: Sequence[Mapping[str, Any]],
        problems: Optional[Mapping[str, Mapping[str, Any]]] = None,
        *,
        preset: str = "binary",
        extraction: str = "last_block",
        **options: Any,
    ) -> List[RewardLine]:
        """POST /v1/reward: one line per completion, in request order (the summary is dropped)."""
        body: Json = {"items": list(items), "preset": preset, "extraction": extraction, **options}
        if problems is not None:
            body["problems"] = {k: dict(v) for k, v in problems.items()}
        answer = self._json("POST", "/v1/reward", body)
        return answer["items"]

    def label(self, **request: Any) -> Json:
        """POST /v1/label: outcomes per variant and summaries per line of the reference."""
        return self._json("POST", "/v1/label", request)

    def languages(self) -> List[Json]:
        return self._json("GET", "/v1/languages", None)["languages"]

    # ---- transport ----

    def _request(self, method: str, path: str, body: Optional[Json], accept: str):
        data = None if body is None else json.dumps(body).encode("utf-8")
        attempt = 0
        while True:
            request = urllib.request.Request(self.base_url + path, data=data, method=method)
            request.add_header("accept", accept)
            if data is not None:
                request.add_header("content-type", "application/json")
            try:
                return urllib.request.urlopen(request, timeout=self.timeout)
            except urllib.error.HTTPError as err:
                error = _error_of(err)
                if not error.retryable or attempt >= self.max_retries:
                    raise error from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
                if attempt >= self.max_retries:
                    raise VerdictError(0, "VERDICT_UNREACHABLE", str(err), True) from None
                error = VerdictError(0, "VERDICT_UNREACHABLE", str(err), True)
            time.sleep(self._delay(attempt, error.retry_after))
            attempt += 1

    def _delay(self, attempt: int, retry_after: Optional[float]) -> float:
        # Full jitter keeps a crowd of refused clients from coming back in step.
        delay = random.uniform(0, min(self.backoff_max, self.backoff_base * (2**attempt)))
        return max(delay, retry_after or 0.0)

    def _json(self, method: str, path: str, body: Optional[Json]) -> Json:
        with self._request(method, path, body, "application/json") as response:
            return json.loads(response.read().decode("utf-8"))

    def _ndjson(self, path: str, body: Json) -> Iterator[Json]:
        with self._request("POST", path, body, "application/x-ndjson") as response:
            for raw in response:
                line = raw.strip()
                if line:
                    yield json.loads(line.decode("utf-8"))


def _summary(lines: List[Json], total: int, started: float, resumed: int, deadline_exceeded: bool) -> Json:
    """The summary of a resumed batch, from its item lines, in the service's shape."""
    verdicts: Dict[str, int] = {}
    for line in lines:
        if line["status"] == "ok":
            verdicts[line["result"]["verdict"]] = verdicts.get(line["result"]["verdict"], 0) + 1
    return {
        "type": "summary",
        "total": total,
        "ok": sum(1 for line in lines if line["status"] == "ok"),
        "error": sum(1 for line in lines if line["status"] == "error"),
        "notRun": sum(1 for line in lines if line["status"] == "not_run"),
        "verdicts": verdicts,
        "cacheHits": sum(1 for line in lines if line["status"] == "ok" and line["result"].get("cache") == "hit"),
        "deadlineExceeded": deadline_exceeded or any(line.get("reason") == "deadline" for line in lines),
        "responseTruncated": any(line["status"] == "ok" and line["result"].get("responseTruncated", False) for line in lines),
        "wallTimeMs": round((time.monotonic() - started) * 1000, 1),
        "resumed": resumed,
    }


def _error_of(err: urllib.error.HTTPError) -> VerdictError:
    retry_after = err.headers.get("retry-after") if err.headers else None
    try:
        payload = json.loads(err.read().decode("utf-8"))
    except Exception:
        payload = {}
    code = str(payload.get("code", f"HTTP_{err.code}"))
    message = str(payload.get("message", err.reason))
    # 504 is how the compatibility endpoints say "overloaded": retryable by definition.
    retryable = bool(payload.get("retryable", err.code in (429, 503, 504))) or err.code == 504
    return VerdictError(err.code, code, message, retryable, float(retry_after) if retry_after else None)
