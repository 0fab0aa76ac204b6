"""``python -m playground`` opens the window, like the ``nn-playground`` command."""

import sys

from playground.app import main

sys.exit(main())
