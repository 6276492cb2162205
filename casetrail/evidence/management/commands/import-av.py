"""`casetrail import-av`: the spelling DESIGN §5 uses; see import_av.py."""

from casetrail.evidence.management.commands.import_av import Command

__all__ = ["Command"]
