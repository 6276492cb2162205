"""Re-export of :mod:`casetrail_verify.merkle`: the code lives once, in the offline verifier package
(`verifier/`), so the server and a court's laptop hash, prove and sign-check with the same lines."""

from casetrail_verify.merkle import *  # noqa: F403
