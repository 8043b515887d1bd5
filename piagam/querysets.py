"""Who may see which piagam and batch: the one place piagam scoping lives (DESIGN section 4)."""

from accounts.cached import VersionedQuerySet

from .changes import VERSION_KEY


def _active(user):
    return getattr(user, "is_authenticated", False) and user.is_active


class PiagamQuerySet(VersionedQuerySet):
    """Every write to piagam and batches moves the piagam version (piagam.changes)."""

    version_key = VERSION_KEY


class CertificateBatchQuerySet(PiagamQuerySet):
    def visible_to(self, user):
        """Admins see every batch; an evaluator its Kanwil's (never national ones); others none."""
        if not _active(user):
            return self.none()
        if user.is_portal_admin:
            return self
        if user.is_evaluator and user.kanwil_id:
            return self.filter(kanwil_id=user.kanwil_id)
        return self.none()


class CertificateQuerySet(PiagamQuerySet):
    def visible_to(self, user):
        """Admins: all; evaluators: their Kanwil's piagam; officers: their region's piagam."""
        if not _active(user):
            return self.none()
        if user.is_portal_admin:
            return self
        if user.is_evaluator and user.kanwil_id:
            return self.filter(kanwil_id=user.kanwil_id)
        if user.is_officer and user.region_id:
            return self.filter(region_id=user.region_id)
        return self.none()

    def downloadable_by(self, user):
        """An issued piagam for whoever may see it; a revoked one for admins only."""
        statuses = ["issued"]
        if getattr(user, "is_portal_admin", False):
            statuses.append("revoked")
        return self.visible_to(user).filter(status__in=statuses).exclude(pdf="")

    def standing(self):
        """Not revoked: at most one per region, cycle and issuer."""
        return self.exclude(status="revoked")
