"""`Idempotency-Key`: a retried POST returns the first answer and creates nothing new.

A client sends a key of its choosing (a UUID, say) with a POST. The first request with that key runs and
its answer is stored with the key, in the same transaction as whatever it wrote: both commit or neither.
A retry with the same key (from the same user) gets that answer again, marked `Idempotent-Replayed: true`,
and writes nothing. A retry sent while the first still runs waits for it (PostgreSQL makes the second
insert of a unique key wait for the first transaction) and then replays it; if the first failed with a
server error, nothing was stored and the retry runs afresh. The same key with a different request is a 422.
Keys are kept for `IDEMPOTENCY_RETENTION` (24 hours); after that the key is free again.
"""

import functools
import hashlib
import json
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from portfolio.models import IdempotencyKey
from portfolio.models.idempotency import IDEMPOTENCY_RETENTION

HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[!-~]{1,255}$"  # printable ASCII, no spaces: what fits a header and a log line
_KEY = re.compile(KEY_PATTERN, re.ASCII)
PRUNE_BATCH = 500

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    pattern=KEY_PATTERN,
    description="A key of your choosing (a UUID, say; 1-255 printable ASCII characters). A POST retried with "
    "the same key returns the first answer and creates nothing new; the same key with a different request "
    "is a 422. Keys are kept for 24 hours.",
)


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def _fingerprint(request) -> str:
    # The body as parsed (so key order and spacing do not matter), with the method and path it was sent to.
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _prune_expired() -> None:
    # A short transaction of its own, skipping rows another request is already deleting: pruning never
    # makes two requests wait on each other.
    cutoff = timezone.now() - IDEMPOTENCY_RETENTION
    with transaction.atomic():
        expired = IdempotencyKey.objects.filter(created_at__lt=cutoff).select_for_update(skip_locked=True)
        IdempotencyKey.objects.filter(pk__in=expired.values("pk")[:PRUNE_BATCH]).delete()


def _claim(user, key: str, fingerprint: str) -> IdempotencyKey:
    """The row of this key: ours (status still empty) if the key is new, else the one stored first."""
    IdempotencyKey.objects.bulk_create(
        [IdempotencyKey(user=user, key=key, fingerprint=fingerprint)], ignore_conflicts=True
    )
    row = IdempotencyKey.objects.get(user=user, key=key)
    if row.expired:
        # Past its retention (and not pruned yet): the key is free again.
        IdempotencyKey.objects.filter(pk=row.pk).delete()
        return _claim(user, key, fingerprint)
    return row


def _replay(row: IdempotencyKey) -> Response:
    return Response(row.response, status=row.status_code, headers={"Idempotent-Replayed": "true"})


def idempotent(action):
    """Decorate a POST action of a viewset: honour the `Idempotency-Key` header when it is sent."""

    @functools.wraps(action)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return action(self, request, *args, **kwargs)
        if not _KEY.fullmatch(key):
            raise ValidationError({HEADER: [_("Give the key as 1 to 255 printable ASCII characters.")]})
        fingerprint = _fingerprint(request)
        _prune_expired()
        with transaction.atomic():
            row = _claim(request.user, key, fingerprint)
            if row.fingerprint != fingerprint:
                raise KeyReused(_("This Idempotency-Key was already used with a different request."))
            if row.status_code is not None:
                return _replay(row)
            try:
                response = action(self, request, *args, **kwargs)
            except (APIException, DjangoValidationError, Http404) as error:
                # A refusal is an answer too: stored, so that a retry gets the same one.
                response = self.handle_exception(error)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            row.status_code = response.status_code
            row.response = json.loads(JSONRenderer().render(response.data) or "null")
            row.save(update_fields=["status_code", "response"])
        return response

    return wrapper
