"""`make openapi`: write each service's OpenAPI document to openapi/ (a test keeps them current)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.settings import REPO_ROOT

OPENAPI_DIR = REPO_ROOT / "openapi"


def documents() -> dict[str, dict[str, Any]]:
    from services.police_api.app import create_app as create_police_app
    from services.school_api.app import create_app as create_school_app

    return {"school_api": create_school_app().openapi(), "police_api": create_police_app().openapi()}


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def path_for(service: str) -> Path:
    return OPENAPI_DIR / f"{service}.json"


def main() -> None:
    OPENAPI_DIR.mkdir(exist_ok=True)
    for service, document in documents().items():
        path_for(service).write_text(render(document))
        print(f"wrote {path_for(service).relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
