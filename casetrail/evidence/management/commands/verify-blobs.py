"""`casetrail verify-blobs`: the spelling the issue uses; see verify_blobs.py."""

from casetrail.evidence.management.commands.verify_blobs import Command

__all__ = ["Command"]
