"""``python -m amldeploy.runtime [serve options]``: the image entrypoint, without the rest of the CLI."""

import sys

from amldeploy.cli import main

raise SystemExit(main(["serve", *sys.argv[1:]]))
