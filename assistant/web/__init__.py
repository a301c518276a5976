"""The web app: a FastAPI server with the REST API, the admin API, the widget and the Gradio chat.

app.py builds it (create_app), lifecycle.py holds what it runs (index preparation, re-ingest, feedback),
api.py / admin.py / widget.py are its routers, ui.py the chat page, serve.py runs it with uvicorn.
Importing this package imports neither Gradio nor uvicorn; building or serving an app does.
"""

from .app import create_app
from .serve import app_from_environment, serve

__all__ = ["app_from_environment", "create_app", "serve"]
