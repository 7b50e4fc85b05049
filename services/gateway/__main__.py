"""``python -m services.gateway``: run the gateway."""

from libs.runtime.serve import run_service
from services.gateway.bootstrap import SERVICE, bootstrap

if __name__ == "__main__":
    run_service(SERVICE, bootstrap)
