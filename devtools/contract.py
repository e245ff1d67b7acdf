"""`make openapi` (`python -m devtools.contract`) writes the contract, openapi/openapi.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CONTRACT = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def current_schema() -> dict[str, Any]:
    from app.config import Settings
    from app.main import create_app

    # The contract does not depend on where the services are; any URL builds the app.
    settings = Settings(
        database_url="postgresql+asyncpg://contract@localhost/contract",
        redis_url="redis://localhost:6379/0",
        secret_key="contract",  # noqa: S106
    )
    return create_app(settings).openapi()


def main() -> None:
    CONTRACT.parent.mkdir(parents=True, exist_ok=True)
    CONTRACT.write_text(render(current_schema()))
    sys.stdout.write(f"wrote {CONTRACT}\n")


if __name__ == "__main__":
    main()
