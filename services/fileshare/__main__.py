"""``python -m services.fileshare``: run the fileshare service."""

from libs.runtime.serve import run_service
from services.fileshare.bootstrap import SERVICE, bootstrap
from services.fileshare.settings import load_fileshare_settings

if __name__ == "__main__":
    run_service(SERVICE, bootstrap, load_fileshare_settings)
