"""`Idempotency-Key`: a retried POST returns the first answer and creates nothing new, even 20 at once.

The rule is the decorator's, whatever the action; these tests drive it through a small POST action of
their own (this module is its URLconf), so they hold before and beside the write endpoints, which have
their own end-to-end tests.
"""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection
from django.urls import path
from django.utils import timezone
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from portfolio.api.idempotency import IDEMPOTENCY_RETENTION, idempotent
from portfolio.models import Investor
from portfolio.models.idempotency import IdempotencyKey
from tests.factories import UserFactory
from tests.test_api import token_client

URL = "/investors/"


class _InvestorInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class CreateInvestor(APIView):
    """Creates an investor; the name "boom" fails with a server error the first time only."""

    failures: set[str] = set()

    @idempotent
    def post(self, request):
        data = _InvestorInput(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["name"] == "boom" and "boom" not in self.failures:
            self.failures.add("boom")
            raise RuntimeError("a server error after the record was written")
        investor = Investor.objects.create(name=data.validated_data["name"])
        return Response({"id": investor.pk, "name": investor.name}, status=201)


urlpatterns = [path("investors/", CreateInvestor.as_view())]

pytestmark = pytest.mark.urls(__name__)


def post(client, body, key="retry-me-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, body, format="json", **headers)


@pytest.fixture
def user():
    return UserFactory(username="alice")


@pytest.mark.django_db
class TestOneClient:
    def test_a_retried_post_returns_the_first_answer_and_creates_nothing_new(self, user):
        client = token_client(user)
        first = post(client, {"name": "Altyn Dala"})
        again = post(client, {"name": "Altyn Dala"})

        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first
        assert Investor.objects.filter(name="Altyn Dala").count() == 1

    def test_the_same_body_with_its_keys_in_another_order_is_the_same_request(self, user):
        client = token_client(user)
        post(client, {"name": "Altyn Dala", "note": "x"})
        assert post(client, {"note": "x", "name": "Altyn Dala"})["Idempotent-Replayed"] == "true"
        assert Investor.objects.count() == 1

    def test_the_same_key_with_a_different_body_is_a_422_that_says_so(self, user):
        client = token_client(user)
        post(client, {"name": "Altyn Dala"})
        response = post(client, {"name": "Qazaq Media"})

        assert response.status_code == 422
        assert response.json() == {
            "detail": "This Idempotency-Key was already used with a different request."
        }
        assert not Investor.objects.filter(name="Qazaq Media").exists()

    def test_the_422_is_in_the_readers_language(self, user):
        client = token_client(user)
        post(client, {"name": "Altyn Dala"})
        response = client.post(
            URL,
            {"name": "other"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="retry-me-1",
            HTTP_ACCEPT_LANGUAGE="ru",
        )
        assert response.status_code == 422
        assert response.json()["detail"].startswith("Этот ключ Idempotency-Key")

    def test_keys_belong_to_their_user(self, user):
        post(token_client(user), {"name": "Altyn Dala"})
        other = post(token_client(UserFactory(username="bob")), {"name": "Altyn Dala"})
        assert other.status_code == 201
        assert "Idempotent-Replayed" not in other
        assert Investor.objects.filter(name="Altyn Dala").count() == 2

    def test_without_a_key_every_post_creates(self, user):
        client = token_client(user)
        post(client, {"name": "Altyn Dala"}, key=None)
        post(client, {"name": "Altyn Dala"}, key=None)
        assert Investor.objects.filter(name="Altyn Dala").count() == 2
        assert not IdempotencyKey.objects.exists()

    def test_a_refusal_is_stored_and_replayed_too(self, user):
        client = token_client(user)
        first = post(client, {"name": ""})
        again = post(client, {"name": ""})
        assert (first.status_code, again.status_code) == (400, 400)
        assert again.json() == first.json() == {"name": ["This field may not be blank."]}
        assert again["Idempotent-Replayed"] == "true"

    def test_a_server_error_stores_nothing_so_the_retry_runs_again(self, user):
        client = token_client(user)
        client.raise_request_exception = False
        CreateInvestor.failures.clear()

        failed = post(client, {"name": "boom"})
        retried = post(client, {"name": "boom"})

        assert failed.status_code == 500
        assert retried.status_code == 201
        assert "Idempotent-Replayed" not in retried
        assert Investor.objects.filter(name="boom").count() == 1

    @pytest.mark.parametrize("key", ["", "with space", "ключ", "x" * 256, "tab\there"])
    def test_a_malformed_key_is_a_400_naming_the_header(self, user, key):
        response = post(token_client(user), {"name": "Altyn Dala"}, key=key)
        assert response.status_code == 400
        assert response.json() == {
            "Idempotency-Key": ["Give the key as 1 to 255 printable ASCII characters."]
        }
        assert not Investor.objects.exists()

    def test_a_key_past_its_retention_is_free_again(self, user):
        client = token_client(user)
        post(client, {"name": "Altyn Dala"})
        IdempotencyKey.objects.update(
            created_at=timezone.now() - IDEMPOTENCY_RETENTION - datetime.timedelta(1)
        )

        response = post(client, {"name": "Qazaq Media"})

        assert response.status_code == 201
        assert list(IdempotencyKey.objects.values_list("key", "status_code")) == [("retry-me-1", 201)]

    def test_expired_keys_of_everyone_are_pruned_as_new_ones_come(self, user):
        old = timezone.now() - IDEMPOTENCY_RETENTION - datetime.timedelta(minutes=1)
        for number in range(3):
            IdempotencyKey.objects.create(
                user=user, key=f"old-{number}", fingerprint="x", status_code=201, created_at=old
            )
        IdempotencyKey.objects.create(user=user, key="recent", fingerprint="x", status_code=201)

        post(token_client(UserFactory(username="bob")), {"name": "Altyn Dala"}, key="new")

        assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"recent", "new"}

    def test_anonymous_requests_are_refused_before_any_key_is_stored(self):
        response = APIClient().post(URL, {"name": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
        assert response.status_code == 401
        assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_the_database_keeps_one_row_per_user_and_key(user):
    IdempotencyKey.objects.create(user=user, key="k", fingerprint="a")
    with pytest.raises(IntegrityError, match="idempotency_key_one_per_user"):
        IdempotencyKey.objects.create(user=user, key="k", fingerprint="b")


@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_20_times_at_once_creates_one_record(user):
    # Real parallel connections: each thread has its own PostgreSQL connection and they are released
    # together, so the 20 inserts of the key race for real.
    start = threading.Barrier(20)

    def send(_number):
        try:
            client = token_client(user)
            start.wait()
            response = post(client, {"name": "Concurrent LP"}, key="twenty-at-once")
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(send, range(20)))

    assert Investor.objects.filter(name="Concurrent LP").count() == 1
    investor = Investor.objects.get(name="Concurrent LP")
    assert answers == [(201, {"id": investor.pk, "name": "Concurrent LP"})] * 20
    assert IdempotencyKey.objects.get(key="twenty-at-once").status_code == 201
