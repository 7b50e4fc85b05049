"""``python -m services.audit``: run the audit service."""

from libs.runtime.serve import run_service
from services.audit.bootstrap import SERVICE, bootstrap
from services.audit.settings import load_audit_settings

if __name__ == "__main__":
    run_service(SERVICE, bootstrap, load_audit_settings)
