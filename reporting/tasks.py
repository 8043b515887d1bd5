from celery import shared_task

from .matrix import remove_expired_previews


# A handful of small files in one folder: seconds, even in a bucket.
@shared_task(soft_time_limit=120, time_limit=150)
def remove_expired_matrix_previews():
    """Remove the action-matrix workbooks previewed more than a day ago and never committed."""
    return len(remove_expired_previews())
