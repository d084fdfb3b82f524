"""The benchmark's lean loopback receiver answers like a partner endpoint and remembers first sightings."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from receiver_process import ReceiverProcess


def test_answers_200_and_records_each_key_once_with_its_first_time() -> None:
    with ReceiverProcess() as receiver, httpx.Client() as client:
        answers = [
            client.post(receiver.url, content=b"<a/>", headers={"Idempotency-Key": key})
            for key in ("m-1", "m-2", "m-1")
        ]
        unkeyed = client.post(receiver.url, content=b"<b/>")
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert unkeyed.status_code == 200
    assert set(receiver.first_seen) == {"m-1", "m-2"}
    assert receiver.first_seen["m-1"] <= receiver.first_seen["m-2"]
    assert receiver.cpu_s > 0


def test_pipelined_requests_on_one_connection_each_get_an_answer() -> None:
    request = b"POST /berichten HTTP/1.1\r\nHost: x\r\nIdempotency-Key: %s\r\nContent-Length: 3\r\n\r\n<a>"
    with ReceiverProcess() as receiver:
        port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(request % b"p-1" + request % b"p-2")
            seen = b""
            while seen.count(b"200 OK") < 2:
                chunk = sock.recv(4096)
                assert chunk, "connection closed before both answers"
                seen += chunk
    assert set(receiver.first_seen) == {"p-1", "p-2"}


def test_a_malformed_request_gets_400_and_the_connection_closes() -> None:
    with ReceiverProcess() as receiver:
        port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 400")
    assert receiver.first_seen == {}
