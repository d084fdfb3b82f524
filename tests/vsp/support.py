"""VSP test helpers: berichtMetadata, a hand-built Push client, generated iJw traffic with its parties."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gateway.api.auth import Role, add_sender
from gateway.generate.traffic import ijw_traffic

PUSH = "/vsp/berichtenservice/berichten/rest-push/v1/berichten"
PULL = "/vsp/berichtenservice/berichten/rest-pull/v1"
STATUS_V3 = "/vsp/berichtenservice/berichtstatus/rest-pull/v3/berichtstatussen"
STATUS_V2 = "/vsp/berichtenservice/berichtstatus/rest-pull/v2/berichtstatussen"


def header_field(payload: bytes, name: str) -> str:
    """An iJw header element's text (``Afzender``, ``Ontvanger``)."""
    found = re.search(rb"<\w+:" + name.encode() + rb">([^<]+)<", payload)
    assert found is not None, name
    return found[1].decode()


def metadata(
    afzender: str,
    gemeente: str,
    *,
    berichttype: str = "JW323",
    traceer: str | None = None,
    conversatie: str | None = None,
) -> dict[str, Any]:
    """A valid berichtMetadata for a heenbericht from aanbieder ``afzender`` to ``gemeente``."""
    return {
        "routeringgegevens": {
            "afzender": {"rol": "Zorgaanbieder", "code": afzender},
            "geadresseerden": [{"rol": "Gemeente", "code": gemeente}],
            "berichtstroom": {
                "berichttype": berichttype,
                "berichtversie": 3,
                "berichtsubversie": 2,
                "actie": "Indienen",
            },
        },
        "referentiegegevens": {
            "traceerId": traceer or str(uuid.uuid4()),
            "conversatieId": conversatie or str(uuid.uuid4()),
        },
    }


def push(client: httpx.Client | Any, token: str, meta: dict[str, Any] | bytes, payload: bytes) -> Any:
    """POST one bericht to the Push API as multipart/form-data (the client an aanbieder's software would send)."""
    raw = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
    files = {
        "berichtMetadata": ("metadata.json", raw, "application/json"),
        "payload": ("bericht.xml", payload, "application/octet-stream"),
    }
    return client.post(PUSH, files=files, headers={"Authorization": f"Bearer {token}"})


def auth(token: str) -> dict[str, str]:
    """The Bearer header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Declaraties:
    """A coherent iJw stream: the toewijzingen (JW301, JW305) before it, and its JW323 declaraties."""

    before: list[bytes]
    jw323: list[bytes]

    @property
    def aanbieder(self) -> str:
        """The AGB code of the first declaratie's sender."""
        return header_field(self.jw323[0], "Afzender")

    @property
    def gemeente(self) -> str:
        """The gemeentecode the first declaratie is addressed to."""
        return header_field(self.jw323[0], "Ontvanger")


def declaraties(count: int, seed: int = 7) -> Declaraties:
    """The first ``count`` JW323s of a generated stream (all of one aanbieder) and every message before them."""
    before: list[bytes] = []
    found: list[bytes] = []
    agb: str | None = None
    for m in ijw_traffic(4000, seed=seed, invalid_ratio=0.0):
        if m.message_type == "JW323" and (agb is None or header_field(m.data, "Afzender") == agb):
            agb = header_field(m.data, "Afzender")
            found.append(m.data)
            if len(found) == count:
                return Declaraties(before, found)
        elif not found:
            before.append(m.data)
    raise AssertionError("the stream has too few declaraties")


def wrong_total(jw323: bytes) -> bytes:
    """The same declaratie with a TotaalIngediendBedrag that is not the sum of its prestaties (a rule break)."""
    return re.sub(rb"<ijw:TotaalBedrag>(\d+)<", lambda x: b"<ijw:TotaalBedrag>%d<" % (int(x[1]) + 100), jw323, count=1)


@dataclass(frozen=True)
class Parties:
    """Tokens of two aanbieders (A, B), a gemeente that receives, and an operator."""

    a: str
    b: str
    gemeente: str
    operator: str


def senders(path: Path, aanbieder_a: str, aanbieder_b: str, gemeente: str) -> Parties:
    """A senders file with the two aanbieders, the gemeente and an operator; their tokens."""
    return Parties(
        a=add_sender(path, "aanbieder-a", [aanbieder_a], Role.SENDER),
        b=add_sender(path, "aanbieder-b", [aanbieder_b], Role.SENDER),
        gemeente=add_sender(path, "gemeente", [gemeente], Role.RECEIVER),
        operator=add_sender(path, "ops", [], Role.OPERATOR),
    )


def drain(store: Any, url: str) -> int:
    """Run every due job with the real stages, pseudonymising as the store's history does (so TR304 can match)."""
    from tests.api.support import deliverer
    from workers.loop import Worker
    from workers.pipeline import handlers

    stages = handlers(store, deliverer(url), store.pseudonymiser, max_bytes=26 * 1024 * 1024)
    return Worker(store, stages, concurrency=1, poll_interval_s=0.01).run(until_idle=True)


def drain_with(store: Any, deliverer: Any) -> int:
    """Run every due job with the real stages and this deliverer."""
    from workers.loop import Worker
    from workers.pipeline import handlers

    stages = handlers(store, deliverer, store.pseudonymiser, max_bytes=26 * 1024 * 1024)
    return Worker(store, stages, concurrency=1, poll_interval_s=0.01).run(until_idle=True)
