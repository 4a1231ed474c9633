"""The first answer to a POST sent with an `Idempotency-Key` header, replayed to every retry of it."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.dates import DateTimeField, dates_in_range

# A client retries within minutes (a dropped connection, a timeout); a day covers any sane retry policy and
# keeps the table small. After it, the same key is a new request.
IDEMPOTENCY_RETENTION = datetime.timedelta(hours=24)


class IdempotencyKey(models.Model):
    """One key of one user: the request it was first used with (a fingerprint) and the answer given.

    The row is inserted when the first request starts and completed in the same transaction as the record
    that request creates, so a committed row always carries its answer; a retry that arrives meanwhile
    waits on the unique key and then replays it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response = models.JSONField(_("response body"), null=True, blank=True)
    created_at = DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            # The rule itself: concurrent first uses of one key race on this index, and one wins.
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_one_per_user"),
            dates_in_range("idempotency_key", timestamps=("created_at",)),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def expired(self) -> bool:
        return self.created_at < timezone.now() - IDEMPOTENCY_RETENTION
