import sys

from ultralow.cli import main

sys.exit(main())
