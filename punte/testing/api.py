"""Helpers for API tests: a client authenticated with a real bearer token of a membership."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from punte.accounts.services import tokens


class ApiClient:
    def __init__(self, membership=None, token: str | None = None):
        self.client = Client()
        if token is None and membership is not None:
            token = tokens.apitoken_create(actor=None, membership=membership, name="tests").secret
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        raw: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            f"/api/v1{path}",
            data=data,
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def put(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None):
        return self.client.put(
            f"/api/v1{path}",
            data=json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def request(self, method: str, path: str, body: Any = None):
        if method == "GET":
            return self.get(path)
        if method == "PUT":
            return self.put(path, body)
        return self.post(path, body)
