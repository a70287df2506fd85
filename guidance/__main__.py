import sys

from guidance.cli import main

sys.exit(main())
