"""docs/access-policy.md is what the POLICY tables and the OpenAPI documents say (issue 6)."""
from __future__ import annotations

import pytest

from scripts.access_policy_doc import DOC_PATH, render
from tests.support import app_documents

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent


def test_committed_access_policy_doc_matches_the_code() -> None:
    assert DOC_PATH.exists(), "docs/access-policy.md is missing: run `.venv/bin/python -m scripts.access_policy_doc`"
    assert DOC_PATH.read_text() == render(app_documents()), (
        "docs/access-policy.md is stale: run `.venv/bin/python -m scripts.access_policy_doc`"
    )


def test_an_operation_without_a_policy_entry_is_flagged_in_the_doc() -> None:
    docs = app_documents()
    document = docs["school_api"]
    document["paths"]["/invented"] = {"get": {"operationId": "invented_operation", "responses": {}}}
    text = render(docs)
    assert "invented_operation" in text and "no POLICY entry" in text
