"""`python -m workbench` is the same as the `workbench` command."""

import sys

from workbench.cli.run import main

sys.exit(main())
