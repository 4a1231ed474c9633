"""Give the existing records the shape of the dated facts (see 0003 and 0005).

- every project gets its first commitment record, dated its approval date;
- a tranche's free-text conditions become checklist rows (split on ";" and new lines), not yet met;
- a tranche already cancelled gets a cancellation date (its project's abandonment, else its approval date,
  which keeps the history the metrics showed so far) and a reason saying the date was not recorded;
- a reversal without a note gets one, since a reversal now keeps its reason there.
"""

import re

from django.db import migrations

CANCELLED_REASON = (
    "Cancelled before cancellations were dated; the date is the project's abandonment or approval."
)
REVERSAL_NOTE = "Reversal recorded before reasons were required."


def _condition_texts(text: str) -> list[str]:
    texts = []
    for part in re.split(r"[;\n]+", text or ""):
        part = part.strip().rstrip(".").strip()
        if part:
            texts.append((part[0].upper() + part[1:])[:300])
    return texts


def forwards(apps, schema_editor):
    Project = apps.get_model("portfolio", "Project")
    ProjectCommitmentChange = apps.get_model("portfolio", "ProjectCommitmentChange")
    StageChange = apps.get_model("portfolio", "StageChange")
    Tranche = apps.get_model("portfolio", "Tranche")
    TrancheCondition = apps.get_model("portfolio", "TrancheCondition")
    Disbursement = apps.get_model("portfolio", "Disbursement")

    ProjectCommitmentChange.objects.bulk_create(
        ProjectCommitmentChange(project_id=project_id, date=approval_date, amount=commitment)
        for project_id, approval_date, commitment in Project.objects.values_list(
            "id", "approval_date", "commitment"
        )
    )
    # values_list, not attribute access: in this state "conditions" also names the new checklist relation.
    TrancheCondition.objects.bulk_create(
        TrancheCondition(tranche_id=tranche_id, position=position, text=text)
        for tranche_id, conditions in Tranche.objects.values_list("id", "conditions")
        for position, text in enumerate(_condition_texts(conditions), start=1)
    )
    abandoned_on = dict(
        StageChange.objects.filter(stage="abandoned").values_list("project_id", "date").order_by("date")
    )
    # Updates, not instance saves: a Tranche instance of this state cannot be built (see above).
    for tranche_id, project_id, approval_date in Tranche.objects.filter(status="cancelled").values_list(
        "id", "project_id", "project__approval_date"
    ):
        Tranche.objects.filter(pk=tranche_id).update(
            cancelled_on=abandoned_on.get(project_id, approval_date), cancel_reason=CANCELLED_REASON
        )
    Disbursement.objects.filter(reverses__isnull=False, note="").update(note=REVERSAL_NOTE)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0003_dated_records")]

    # Backwards the rows simply go with the tables and columns 0003 added; the free text is not rebuilt.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
