"""One number that changes whenever any piagam or batch row changes.

The awards page is kept whole for its viewers (evaluation.caches.shared_page) and
shows every batch's progress, which the rendering workers move on without any score
changing. With a shared cache (CACHE_URL) the page's key carries this number instead of a
query over all piagam on every request. Every write goes through a path that moves it: a
model's save or delete (signals), and the querysets' update, bulk_create and bulk_update
(piagam.querysets). It moves once the write is committed, so that no request can store the
old state under the new number.
"""

from django.db.models.signals import post_delete, post_save

from accounts.cached import bump_after_commit, version

VERSION_KEY = "piagam-version"


def piagam_version():
    return version(VERSION_KEY)


def changed(**kwargs):
    bump_after_commit(VERSION_KEY)


def connect(*models):
    """Move the version on every save and delete of these models (the piagam's and batches')."""
    for model in models:
        uid = f"piagam-version-{model._meta.label_lower}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}-delete")
