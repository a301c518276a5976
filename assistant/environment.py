"""The server process's environment, set before anything heavy is imported (cli.py calls it first).

Kept apart from web/ because importing web/ already loads numpy, Chroma and the rest, and they read these
variables once, at import.
"""

from __future__ import annotations

import os

# Set for this process before Gradio, huggingface_hub and Chroma are imported: they read them once.
OFFLINE_ENVIRONMENT = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


# One BLAS/OpenMP thread per server process. A server answers many small questions at once; BLAS threads
# spin after each small matrix product and take a core from the other requests. Measured with bench/load.py
# on 2 cores, 50 owners offline: one process used 1.67 cores for 59 answers/s, and 1.10 cores for the same
# with one thread; two workers went from 25 answers/s (threads fighting) to 62-78.
SERVER_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def offline_environment() -> None:
    """No analytics, no telemetry, no model hub: the app never calls out; one BLAS thread per process (set
    before numpy loads). Values already set are kept."""
    for name, value in {**OFFLINE_ENVIRONMENT, **SERVER_THREADS}.items():
        os.environ.setdefault(name, value)
