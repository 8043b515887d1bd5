from .publications import publications, publish, withdraw
from .rankings import overview, rankings, rankings_export
from .review import explain_score, queue, reopen_view, review

__all__ = [
    "explain_score",
    "overview",
    "publications",
    "publish",
    "queue",
    "rankings",
    "rankings_export",
    "reopen_view",
    "review",
    "withdraw",
]
