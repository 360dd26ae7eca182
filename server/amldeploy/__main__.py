from amldeploy.cli import main

raise SystemExit(main())
