"""``python -m actions.records``: see cli.py."""

from actions.records.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
