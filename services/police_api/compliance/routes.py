from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from services.police_api.access import PoliceContext
from services.police_api.compliance import service
from services.police_api.compliance.schemas import ComplianceOut, FindingDecisionRowOut, LateCrimeOut, UndecidedOut
from shared.http import problem_responses

router = APIRouter(prefix="/compliance", tags=["compliance"])


@router.get("/crime-recording", response_model=ComplianceOut, responses=problem_responses(422))
async def crime_recording_compliance(
    ctx: PoliceContext,
    reported_since: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> ComplianceOut:
    """NCRS (P-CRIME): crimes recorded after their 24-hour deadline, and reports without a crime decision
    (most overdue first); every finding cleared or overridden, with its reason, officer and rank
    (P-FULL-INVESTIGATION). `reported_since` limits the lists to reports received from then on."""
    view = await service.crime_recording(ctx, reported_since=reported_since, limit=limit)
    return ComplianceOut(
        as_of=view.as_of,
        late_crimes=[LateCrimeOut(**item.__dict__) for item in view.late_crimes],
        undecided=[UndecidedOut(**item.__dict__) for item in view.undecided],
        finding_decisions=[FindingDecisionRowOut(**item.__dict__) for item in view.finding_decisions],
    )
