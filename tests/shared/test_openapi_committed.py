"""The committed OpenAPI documents are the running apps' documents (`make openapi` regenerates them)."""
from __future__ import annotations

import pytest

from scripts.export_openapi import path_for, render
from tests.support import app_documents

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize("service", ["school_api", "police_api"])
def test_committed_openapi_matches_the_app(service: str) -> None:
    committed = path_for(service).read_text()
    assert committed == render(app_documents()[service]), f"openapi/{service}.json is stale: run `make openapi`"
