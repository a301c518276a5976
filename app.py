"""Start the web app: `python app.py [--host H] [--port P] [--knowledge-dir DIR] [--data-dir DIR]`.

Defaults come from settings (127.0.0.1:7860); the same as `python -m assistant serve`.
"""

import sys

from assistant.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
