"""The committed OpenAPI documents are the running apps' documents (`make openapi` regenerates them)."""
from __future__ import annotations

import pytest

from scripts.export_openapi import documents, path_for, render


@pytest.mark.parametrize("service", ["school_api", "police_api"])
def test_committed_openapi_matches_the_app(service: str) -> None:
    committed = path_for(service).read_text()
    assert committed == render(documents()[service]), f"openapi/{service}.json is stale: run `make openapi`"
