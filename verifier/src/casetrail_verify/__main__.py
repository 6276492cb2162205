from casetrail_verify.cli import main

raise SystemExit(main())
