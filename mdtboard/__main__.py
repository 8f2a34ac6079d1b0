from mdtboard.cli.main import main

raise SystemExit(main())
