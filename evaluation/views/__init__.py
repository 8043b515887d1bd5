from .certificates import (
    awards,
    batch_detail,
    batch_retry,
    batch_status,
    certificate_pdf,
    certificate_revoke,
    verify,
    verify_lookup,
)
from .rankings import overview, rankings, rankings_export
from .review import explain_score, queue, reopen_view, review

__all__ = [
    "awards",
    "batch_detail",
    "batch_retry",
    "batch_status",
    "certificate_pdf",
    "certificate_revoke",
    "explain_score",
    "overview",
    "queue",
    "rankings",
    "rankings_export",
    "reopen_view",
    "review",
    "verify",
    "verify_lookup",
]
