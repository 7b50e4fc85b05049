"""Prometheus metrics of fileshare: scans by result, bytes moved, mails sent and failed."""

from prometheus_client import Counter

SCANS = Counter("fumidai_fileshare_scans_total", "Files scanned, by result.", ["result"])
SCANNER_UNAVAILABLE = Counter(
    "fumidai_fileshare_scanner_unavailable_total", "Scans put off because clamd was unreachable."
)
UPLOADED_BYTES = Counter("fumidai_fileshare_uploaded_bytes_total", "Bytes of files stored.")
DOWNLOADED_BYTES = Counter("fumidai_fileshare_downloaded_bytes_total", "Bytes of files served.")
UPLOADS_REFUSED = Counter(
    "fumidai_fileshare_uploads_refused_total", "Uploads refused, by code.", ["code"]
)
MAILS_SENT = Counter(
    "fumidai_fileshare_mails_sent_total", "Notification mails sent, by kind.", ["kind"]
)
MAILS_FAILED = Counter(
    "fumidai_fileshare_mails_failed_total",
    "Attempts to send a notification mail that failed (retried), by kind.",
    ["kind"],
)
