"""``python -m services.identity``: run the identity service."""

from libs.runtime.serve import run_service
from services.identity.bootstrap import SERVICE, bootstrap

if __name__ == "__main__":
    run_service(SERVICE, bootstrap)
