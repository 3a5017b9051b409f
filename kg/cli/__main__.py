"""``python -m kg.cli`` runs the ``klaster`` command."""

import sys

from kg.cli import main

sys.exit(main())
