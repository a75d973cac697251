import sys

from llmextract.cli import main

sys.exit(main())
