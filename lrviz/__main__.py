"""`python -m lrviz`."""

import sys

from lrviz.cli.app import main

sys.exit(main())
