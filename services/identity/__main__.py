"""``python -m services.identity``: run the identity service."""

from libs.runtime.serve import run_service
from services.identity.bootstrap import SERVICE, bootstrap
from services.identity.settings import load_identity_settings

if __name__ == "__main__":
    run_service(SERVICE, bootstrap, load_identity_settings)
