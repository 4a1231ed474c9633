"""Writes to projects. Each public function is one transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portfolio.models import Project, Stage, StageChange


@transaction.atomic
def project_stage_change(
    *, project: Project, stage: str, date: datetime.date, user=None, note: str = ""
) -> StageChange:
    """Move a project to a stage on a date, keeping the dated history and the current stage in step."""
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")})
    # Lock the project so two managers moving it at once leave a history and a current stage that agree.
    locked = Project.objects.select_for_update().get(pk=project.pk)
    latest = locked.stage_changes.order_by("-date", "-id").first()
    if latest is not None and date < latest.date:
        raise ValidationError(
            {
                "date": _("A stage change cannot be dated before the latest one (%(date)s).")
                % {"date": latest.date}
            }
        )
    if latest is not None and latest.stage == stage:
        raise ValidationError({"stage": _("The project is already at this stage.")})
    if locked.stage == Stage.ABANDONED:
        raise ValidationError({"stage": _("An abandoned project cannot change stage.")})
    change = StageChange.objects.create(project=locked, stage=stage, date=date, note=note, recorded_by=user)
    locked.stage = stage
    locked.save(update_fields=["stage"])
    project.stage = stage
    return change
