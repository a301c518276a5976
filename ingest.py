"""Build or refresh the knowledge index: `python ingest.py [--rebuild | --dry-run | --check | --rollback]`."""

import sys

from assistant.cli import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))
