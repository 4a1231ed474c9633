"""The rules that need 0004's data in place: the free-text conditions go (they are checklist rows now),
a cancelled tranche carries its date and reason, and a reversal its reason."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0004_dated_records_data")]

    operations = [
        migrations.RemoveField(
            model_name="historicaltranche",
            name="conditions",
        ),
        migrations.RemoveField(
            model_name="tranche",
            name="conditions",
        ),
        migrations.AddConstraint(
            model_name="disbursement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("reverses__isnull", True), models.Q(("note", ""), _negated=True), _connector="OR"
                ),
                name="disbursement_reversal_has_reason",
                violation_error_message="A reversal needs its reason in the note.",
            ),
        ),
        migrations.AddConstraint(
            model_name="tranche",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("cancelled_on__isnull", False),
                        ("status", "cancelled"),
                        models.Q(("cancel_reason", ""), _negated=True),
                    ),
                    models.Q(
                        models.Q(("status", "cancelled"), _negated=True),
                        ("cancel_reason", ""),
                        ("cancelled_on__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="tranche_cancellation_recorded",
                violation_error_message="A cancelled tranche needs the date and the reason it was cancelled.",
            ),
        ),
    ]
