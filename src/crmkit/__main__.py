"""``python -m crmkit``: the same as the ``crmkit`` command."""

import sys

from crmkit.cli import main

sys.exit(main())
