"""A signed-in HTTP session against the live server, as a browser or phone would hold."""
from __future__ import annotations

import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


class LiveSession:
    """requests.Session that signs in and sends the CSRF header on unsafe calls."""

    def __init__(self, base_url: str, username: str, password: str = "tantay-demo") -> None:
        self.base_url = base_url
        self.http = requests.Session()
        # gunicorn closes an idle kept-alive connection after 2 s; a read sent on it just then
        # meets "Remote end closed connection": such a read is sent again (never a POST).
        self.http.mount("http://", HTTPAdapter(max_retries=Retry(
            total=2, connect=2, read=2, status=0, allowed_methods=frozenset({"GET", "HEAD"}),
            backoff_factor=0.1, raise_on_status=False)))
        answer = self.http.post(f"{base_url}/api/v1/auth/login",
                                json={"username": username, "password": password}, timeout=30)
        answer.raise_for_status()
        self.csrf = answer.json()["csrf_token"]

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(f"{self.base_url}/api/v1{path}", timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.post(f"{self.base_url}/api/v1{path}", headers={"X-CSRF-Token": self.csrf},
                              timeout=60, **kwargs)


def verify_in_background(session: LiveSession, timeout_s: float = 300) -> dict[str, Any]:
    """Start a custody verification of the session's scope and poll it until it ends."""
    started = session.post("/audit/verify")
    started.raise_for_status()
    job = started.json()
    deadline = time.monotonic() + timeout_s
    while job["status"] == "running":
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
        job = session.get(f"/audit/verify/{job['id']}").json()
    return job
