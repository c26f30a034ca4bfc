import sys

from channels.dashboard.cli import main

sys.exit(main())
