"""Entry point of the PyInstaller bundle: the same as the ``fieldapp`` console script."""

import sys

from fieldapp.cli import main

if __name__ == "__main__":
    sys.exit(main())
