"""Cases in each stage, borrowed from the compliance tests."""

from casetrail.compliance.tests.conftest import (  # noqa: F401  (fixtures)
    deciding,
    investigating,
    later,
    major,
    serving,
)
