#!/usr/bin/env python
"""Django's command-line utility; `casetrail` (the console script) is the same plus `run`."""

import sys

from casetrail.cli import main

if __name__ == "__main__":
    sys.exit(main())
