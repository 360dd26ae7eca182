"""``python -m amldeploy.runtime [serve options]``: the image entrypoint, without the rest of the CLI."""

from amldeploy.runtime.command import main

raise SystemExit(main())
