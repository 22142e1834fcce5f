"""The console tests' fake OpenID provider, one per module (tests/console/support.py)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.console.support import FakeIssuer
from tests.support import Tokens


@pytest.fixture(scope="module")
def issuer(tokens: Tokens) -> Iterator[FakeIssuer]:
    fake = FakeIssuer(tokens)
    yield fake
    fake.server.shutdown()
