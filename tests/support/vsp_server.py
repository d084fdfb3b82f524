"""A loopback stand-in for VECOZO's VSP-Koppeling: Push and Pull, every request checked against the official documents.

Requests are validated with openapi-core against Push 1.0.2 and Pull 1.0.0 (their ``servers`` pointed
at this server); an invalid one is recorded as such and answered 400. Answers are scripted:
``answer_push(*kinds)`` / ``answer_pull(*kinds)`` queue one kind per request (``204``, ``400``, ``422``,
``429``, ``500``, ``timeout``), then the default (204 / the real list). The pull side serves
``offer(...)``-ed berichten until they are confirmed with DELETE.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.support.reference import reference_path

PUSH_DOC = "VSP-Koppeling_Berichtuitwisseling_REST_Push_V1_-_1.0.2.json"
PULL_DOC = "VSP-Koppeling_Berichtuitwisseling_REST_Pull_V1_-_1.0.0.json"
PUSH_BASE = "/berichtenservice/berichten/rest-push/v1"
PULL_BASE = "/berichtenservice/berichten/rest-pull/v1"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """No access log on the test's output."""


def _spec(document: str, base: str, origin: str) -> OpenAPI:
    data = json.loads(reference_path("vecozo-vsp", document).read_text(encoding="utf-8"))
    data["servers"] = [{"url": f"{origin}{base}"}]
    return OpenAPI.from_dict(data)


@dataclass
class Pushed:
    """One push the server received."""

    valid: bool
    errors: list[str]
    metadata: dict[str, Any] | None
    payload: bytes | None
    headers: dict[str, str]
    answered: int


@dataclass
class VspServer:
    """The loopback VSP-Koppeling; ``url`` is its origin, ``push_url`` the Push operation."""

    timeout_s: float = 3.0
    delay_s: float = 0.0
    """Every pull request waits this long first (so a crash test's kills land inside a round)."""
    pushes: list[Pushed] = field(default_factory=list)
    waiting: dict[str, tuple[dict[str, Any], bytes]] = field(default_factory=dict)
    confirmed: list[str] = field(default_factory=list)
    pull_requests: list[tuple[str, str, bool]] = field(default_factory=list)
    _push_script: deque[str] = field(default_factory=deque)
    _pull_script: deque[str] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Self:
        """Serve on a free loopback port in a thread."""
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.push_url = f"{self.url}{PUSH_BASE}/berichten"
        self.pull_url = f"{self.url}{PULL_BASE}"
        self._push_spec = _spec(PUSH_DOC, PUSH_BASE, self.url)
        self._pull_spec = _spec(PULL_DOC, PULL_BASE, self.url)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def answer_push(self, *kinds: str) -> None:
        """Answer the next pushes with these kinds, one each."""
        with self._lock:
            self._push_script.extend(kinds)

    def answer_pull(self, *kinds: str) -> None:
        """Answer the next pull requests with these kinds (``429``, ``500``, ``timeout``), one each."""
        with self._lock:
            self._pull_script.extend(kinds)

    def offer(self, payload: bytes, *, als_antwoord_op: str | None = None, berichttype: str = "JW325") -> str:
        """Make a bericht wait for pulling; its traceerId."""
        traceer = str(uuid.uuid4())
        referentie: dict[str, Any] = {"traceerId": traceer, "conversatieId": str(uuid.uuid4())}
        if als_antwoord_op:
            referentie["alsAntwoordOp"] = als_antwoord_op
        meta = {
            "basisgegevens": {
                "ontvangenOp": datetime.now(UTC).isoformat(),
                "payload": {
                    "url": f"{self.pull_url}/berichten/{traceer}/payload",
                    "grootte": len(payload),
                    "checksum": {"algoritme": "SHA256", "waarde": hashlib.sha256(payload).hexdigest()},
                },
            },
            "routeringgegevens": {
                "afzender": {"rol": "Gemeente", "code": "0034"},
                "geadresseerden": [{"rol": "Zorgaanbieder", "code": "12345678"}],
                "berichtstroom": {"berichttype": berichttype, "berichtversie": 3, "berichtsubversie": 2, "actie": "x"},
            },
            "referentiegegevens": referentie,
        }
        with self._lock:
            self.waiting[traceer] = (meta, payload)
        return traceer

    def valid_pushes(self) -> list[Pushed]:
        """The pushes that followed the Push document."""
        return [p for p in self.pushes if p.valid]

    # ---------------------------------------------------------------------------------
    def _next(self, script: deque[str]) -> str | None:
        with self._lock:
            return script.popleft() if script else None

    @Request.application  # type: ignore[misc]
    def _app(self, request: Request) -> Response:
        if request.path.startswith(PUSH_BASE):
            return self._push(request)
        return self._pull(request)

    def _scripted(self, kind: str | None) -> Response | None:
        if kind is None or kind in ("204", "ok"):
            return None
        if kind == "timeout":
            time.sleep(self.timeout_s)
            return None
        if kind == "429":
            return Response(status=429, headers={"Retry-After": "1"})
        if kind in ("400", "422"):
            problem = {"title": "Afgekeurd", "status": int(kind), "errors": {"payload": [f"scripted {kind}"]}}
            return Response(json.dumps(problem), status=int(kind), content_type="application/json")
        return Response(status=int(kind))

    def _push(self, request: Request) -> Response:
        result = self._push_spec.unmarshal_request(WerkzeugOpenAPIRequest(request))
        errors = [str(e) for e in result.errors]
        meta: dict[str, Any] | None = None
        payload = None
        if not errors:
            meta = json.loads(request.files["berichtMetadata"].read())
            payload = request.files["payload"].read()
        scripted = self._scripted(self._next(self._push_script)) if not errors else None
        answer = scripted or (Response(status=204) if not errors else Response(status=400))
        with self._lock:
            self.pushes.append(Pushed(not errors, errors, meta, payload, dict(request.headers), answer.status_code))
        return answer

    def _pull(self, request: Request) -> Response:
        if self.delay_s:
            time.sleep(self.delay_s)
        result = self._pull_spec.unmarshal_request(WerkzeugOpenAPIRequest(request))
        valid = not result.errors
        with self._lock:
            self.pull_requests.append((request.method, request.path, valid))
        if not valid:
            return Response(status=400)
        scripted = self._scripted(self._next(self._pull_script))
        if scripted is not None:
            return scripted
        rest = request.path[len(PULL_BASE) :]
        with self._lock:
            if request.method == "GET" and rest == "/berichten":
                limit = int(request.args.get("limit", "250"))
                listed = [meta for meta, _ in list(self.waiting.values())[:limit]]
                return Response(json.dumps(listed), content_type="application/json")
            parts = rest.strip("/").split("/")
            found = self.waiting.get(parts[1]) if len(parts) >= 2 else None
            if request.method == "GET" and rest.endswith("/payload"):
                if found is None:
                    return Response(status=404)
                return Response(found[1], content_type="application/octet-stream")
            if request.method == "DELETE":
                if found is None:
                    return Response(status=404)
                del self.waiting[parts[1]]
                self.confirmed.append(parts[1])
                return Response(status=202)
        return Response(status=404)


__all__ = ["PULL_BASE", "PUSH_BASE", "Pushed", "VspServer"]
