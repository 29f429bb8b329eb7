"""``python -m corpuskit``: the command line, for kernels whose PATH lacks the venv's ``bin/``."""
import sys

from .cli import main

sys.exit(main())
