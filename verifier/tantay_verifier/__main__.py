import sys

from tantay_verifier.cli import main

sys.exit(main())
