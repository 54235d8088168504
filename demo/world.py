"""What the demo's structure is made of, by code and username (shared by its modules)."""
from __future__ import annotations

from dataclasses import dataclass

from server.models import Procedure, Unit, User


@dataclass
class DemoWorld:
    """What `demo.seed.seed_structure` made, by code and username."""

    units: dict[str, Unit]
    procedures: dict[str, Procedure]
    users: dict[str, User]
