"""Two edits racing past the If-Match check: the loser answers 412, never 500."""
from __future__ import annotations

import pytest
from sqlalchemy.orm.exc import StaleDataError

from services.school_api.database import flush_versioned
from shared.problems import PreconditionFailed


class RacedSession:
    async def flush(self) -> None:
        raise StaleDataError("UPDATE statement on table 'people' expected to update 1 row(s); 0 were matched.")


async def test_edit_that_lost_a_race_is_a_stale_precondition() -> None:
    with pytest.raises(PreconditionFailed):
        await flush_versioned(RacedSession())  # type: ignore[arg-type]
