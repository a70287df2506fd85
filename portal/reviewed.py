"""Rows of one organisation that the environmental authority and its technical agency review once they are
submitted: they see every non-draft row, the owner sees its own, nobody else any."""

from __future__ import annotations

from portal.database import OrgOwned
from portal.orgs.models import OrgKind


class ReviewedOrgOwned(OrgOwned):
    @classmethod
    def visible_to(cls, user):
        if user.org_kind in (OrgKind.AGENCY, OrgKind.AUTHORITY):
            return cls.status != "draft"
        return cls.owner_clause(user.organisation_id)
