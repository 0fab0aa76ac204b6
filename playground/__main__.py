"""``python -m playground`` opens the window, like the ``nn-playground`` command."""

import sys

from .app import main

sys.exit(main())
