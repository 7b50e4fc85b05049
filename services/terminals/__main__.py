"""``python -m services.terminals``: run the terminals service."""

from libs.runtime.serve import run_service
from services.terminals.bootstrap import SERVICE, bootstrap

if __name__ == "__main__":
    run_service(SERVICE, bootstrap)
