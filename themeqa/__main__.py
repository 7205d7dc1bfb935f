import sys

from themeqa.cli.main import main

sys.exit(main())
