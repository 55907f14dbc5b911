"""Liveness, readiness, OpenAPI."""

from __future__ import annotations


async def test_healthz_and_readyz(client) -> None:  # noqa: ANN001
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["status"] == "ready"


async def test_openapi_served(client) -> None:  # noqa: ANN001
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    assert "/v1/classes" in r.json()["paths"]


async def test_unknown_path_uses_error_envelope(client) -> None:  # noqa: ANN001
    r = await client.get("/nope")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
