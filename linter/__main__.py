"""`python -m linter` runs the same CLI as the `goplumber` console script."""

import sys

from linter.cli import main

sys.exit(main())
