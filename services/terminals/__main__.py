"""``python -m services.terminals``: run the terminals service."""

from libs.runtime.serve import run_service
from services.terminals.bootstrap import bootstrap
from services.terminals.settings import SERVICE, load_terminals_settings

if __name__ == "__main__":
    run_service(SERVICE, bootstrap, load_terminals_settings)
