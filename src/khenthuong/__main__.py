"""`python -m khenthuong` runs the command-line interface."""

from khenthuong.cli import main

raise SystemExit(main())
