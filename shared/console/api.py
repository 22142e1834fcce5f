"""The console's client of its own service's API, in-process (no network hop).

The console is a client of the API, as the MIS is: every page view is the API read it shows, with the
same access policy, tenant filter, audit rows and shaping, and every form is the API write with the same
rules and refusals. Nothing the API decides is decided again here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI


@dataclass
class Answer:
    status: int
    body: Any
    etag: str | None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def violations(self) -> list[dict[str, str]]:
        return list(self.body.get("violations", [])) if isinstance(self.body, dict) else []

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors", [])) if isinstance(self.body, dict) else []

    @property
    def detail(self) -> str:
        if isinstance(self.body, dict):
            return str(self.body.get("detail") or self.body.get("title") or "The request was refused.")
        return "The request was refused."


class ApiRefused(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def items(body: Any) -> list[Any]:
    """A list answer, whether the API sends a bare list or a page (`items`, `next_cursor`)."""
    if isinstance(body, dict) and "items" in body:
        return list(body["items"])
    return list(body or [])


class Api:
    def __init__(self, app: FastAPI, token: str) -> None:
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://console.internal",
            headers={"Authorization": f"Bearer {token}"},
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def call(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                   if_match: str | None = None) -> Answer:
        headers = {"If-Match": if_match} if if_match else {}
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        response = await self._client.request(method, path, json=json, params=clean, headers=headers)
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        return Answer(response.status_code, body, response.headers.get("etag"))

    async def get(self, path: str, **params: Any) -> Answer:
        """A read the page cannot do without: refusals (404, 403) become the console's error pages."""
        answer = await self.call("GET", path, params=params)
        if not answer.ok:
            raise ApiRefused(answer)
        return answer

    async def document(self, path: str) -> httpx.Response:
        """A read that answers a file (the chronology's PDF), passed to the browser as it came."""
        response = await self._client.get(path)
        if not response.is_success:
            raise ApiRefused(Answer(response.status_code, response.json() if response.content else None, None))
        return response

    async def maybe(self, path: str, **params: Any) -> Answer | None:
        """A read of one part of a page: None when the caller's role may not, or there is nothing yet."""
        answer = await self.call("GET", path, params=params)
        return answer if answer.ok else None
