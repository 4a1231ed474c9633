"""Query parameters, validated by serializers: the same classes document them in the schema."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .fields import DateField

LIVE_VALUES = {"true": True, "1": True, "false": False, "0": False}


class QuerySerializer(serializers.Serializer):
    """Validates `request.query_params`; a refused parameter is a 400 naming it."""

    @classmethod
    def parse(cls, request) -> dict:
        # A plain dict, not the QueryDict: DRF skips an empty value of an optional field in form-like
        # input, and `?as_of=` must be refused like any other malformed date.
        params = cls(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        return params.validated_data


class ProgressQuery(QuerySerializer):
    as_of = DateField(required=False, help_text="YYYY-MM-DD (1900-2999); today by default.")
    live = serializers.ChoiceField(
        choices=list(LIVE_VALUES),
        required=False,
        help_text="`true` (or `1`) computes the metrics for this request instead of reading the stored "
        "snapshot; `false` (or `0`, the default) reads the snapshot.",
        error_messages={"invalid_choice": _("Give live as true, false, 1 or 0.")},
    )

    def validate_live(self, value: str) -> bool:
        return LIVE_VALUES[value]


# `from` is a Python keyword, so the history's parameters are declared by name.
HistoryQuery = type(
    "HistoryQuery",
    (QuerySerializer,),
    {
        "from": DateField(required=False, help_text="First date (YYYY-MM-DD), inclusive."),
        "to": DateField(required=False, help_text="Last date (YYYY-MM-DD), inclusive."),
        "__doc__": "The date range of the history.",
    },
)
