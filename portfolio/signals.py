"""Ask for a progress recompute when a record that feeds the metrics changes.

Receivers only queue (after commit); they never write. They catch every path a change can take (admin,
forms, services, imports), which is why they are signals rather than calls sprinkled through services.
Bulk writes (QuerySet.update, bulk_create) send no signals: code that uses them calls
progress_refresh_request itself."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete, post_save

from portfolio import models
from portfolio.services.progress import progress_refresh_request

FUND_OF = {
    models.Fund: lambda obj: obj.pk,
    models.Commitment: lambda obj: obj.fund_id,
    models.CapitalCall: lambda obj: obj.fund_id,
    models.CapitalCallItem: lambda obj: obj.capital_call.fund_id,
    models.CapitalCallPayment: lambda obj: obj.item.capital_call.fund_id,
    models.Distribution: lambda obj: obj.fund_id,
    models.DistributionItem: lambda obj: obj.distribution.fund_id,
    models.Project: lambda obj: obj.fund_id,
    models.StageChange: lambda obj: obj.project.fund_id,
    models.ProjectCommitmentChange: lambda obj: obj.project.fund_id,
    models.Tranche: lambda obj: obj.project.fund_id,
    models.TrancheCondition: lambda obj: obj.tranche.project.fund_id,
    models.Disbursement: lambda obj: obj.project.fund_id,
    models.Receipt: lambda obj: obj.project.fund_id,
    models.Valuation: lambda obj: obj.project.fund_id,
}


def _changed(sender, instance, **kwargs):
    if kwargs.get("raw"):  # loaddata: fixtures are not changes
        return
    try:
        fund_id = FUND_OF[sender](instance)
    except ObjectDoesNotExist:  # its parent went in the same cascade; the parent's own signal covers it
        return
    if fund_id is not None:
        progress_refresh_request(fund_id=fund_id)


def connect() -> None:
    for model in FUND_OF:
        post_save.connect(_changed, sender=model, dispatch_uid=f"progress-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"progress-delete-{model.__name__}")
