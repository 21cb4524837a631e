"""`python -m bench [options]`: what `make bench` runs (options: `--help`)."""

import sys

from bench.run import main

sys.exit(main())
