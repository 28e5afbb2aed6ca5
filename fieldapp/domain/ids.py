"""Stable ids for reference data: every device that loads the same file agrees on them."""

from __future__ import annotations

import uuid

# Fixed forever: changing it would split every team's reference data in two.
REFERENCE_NAMESPACE = uuid.UUID("5b0e7f0e-3c1a-4b8e-9a57-6d1f0c2a9e41")


def reference_id(kind: str, key: str) -> uuid.UUID:
    """UUIDv5 of the namespace and ``"<kind>:<key>"``, e.g. ``reference_id("place", "alvsjo-centrum")``."""
    return uuid.uuid5(REFERENCE_NAMESPACE, f"{kind}:{key}")
