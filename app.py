"""Start the web app: `python app.py [--host H] [--port P]` (defaults from settings: 127.0.0.1:7860)."""

import argparse

from assistant.config import Settings
from assistant.web import serve

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="E-commerce team assistant web app")
    parser.add_argument("--host", help="interface to listen on (ASSISTANT_HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (ASSISTANT_PORT)")
    args = parser.parse_args()
    serve(Settings(), host=args.host, port=args.port)
