from decimal import Decimal

from django.utils import translation
from django.utils.functional import lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portfolio.metrics import schema
from portfolio.metrics.common import plain
from portfolio.models import Fund


class FundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fund
        fields = [
            "slug",
            "name",
            "legal_form",
            "base_currency",
            "status",
            "target_size",
            "project_band_min",
            "project_band_max",
            "investment_period_start",
            "investment_period_end",
            "concentration_cap_pct",
        ]
        read_only_fields = fields


# --- Metrics: every field below is made from portfolio/metrics/schema.py, never listed by hand ----------

# How each kind of the schema travels in JSON, said after the metric's own description.
_KIND_NOTES = {
    schema.MONEY: "Unit: KZT; a decimal string with 2 places.",
    schema.RATIO: "Unit: ratio (0.25 is 25%); a plain decimal string with up to 10 places, "
    "null when its denominator is zero.",
    schema.COUNT: "Unit: count; a whole number.",
    schema.DATE: "Unit: date, YYYY-MM-DD; null when there is none.",
    schema.BAND: "Unit: projects; the band's bounds and where the active count falls.",
    schema.LIST: "A list of objects.",
    schema.STAGES: "Keyed by stage.",
}


def _english(metric: schema.Metric) -> str:
    # The OpenAPI schema is English whatever the request's language (see portfolio/api/schema.py).
    with translation.override("en"):
        return f"{metric.description} {_KIND_NOTES[metric.kind]}"


_description = lazy(_english, str)


@extend_schema_field({"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "nullable": True})
class RatioField(serializers.Field):
    """A ratio written plainly ("0.5", "0", never "0E-10"), whichever path computed it."""

    def to_representation(self, value):
        return str(plain(Decimal(str(value))))


class BandSerializer(serializers.Serializer):
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["below", "within", "above"])


class StageBucketSerializer(serializers.Serializer):
    projects = serializers.IntegerField()
    allocated = serializers.CharField(help_text="Unit: KZT; a decimal string with 2 places.")
    disbursed = serializers.CharField(help_text="Unit: KZT; a decimal string with 2 places.")


def metric_field(metric: schema.Metric, *, nullable: bool = False) -> serializers.Field:
    """The serializer field of one metric: its type from its kind, its description from the schema.

    Not required: a snapshot stored before a metric existed simply lacks it."""
    options = {"required": False, "help_text": _description(metric)}
    null = {"allow_null": True}
    if metric.kind == schema.MONEY:
        return serializers.CharField(**options, **(null if nullable else {}))
    if metric.kind == schema.RATIO:
        return RatioField(**options, **null)
    if metric.kind == schema.COUNT:
        return serializers.IntegerField(**options, **(null if nullable else {}))
    if metric.kind == schema.DATE:
        return serializers.DateField(**options, **null)
    if metric.kind == schema.BAND:
        return BandSerializer(**options)
    if metric.kind == schema.LIST:
        return serializers.ListField(child=serializers.DictField(), **options)
    if metric.kind == schema.STAGES:
        return serializers.DictField(child=StageBucketSerializer(), **options)
    raise ValueError(f"no serializer field for the kind {metric.kind!r} of {metric.name}")


class _FromJson:
    """The body is already JSON (`metrics_as_json`, and ratios plain on every path): the keys of the fields
    are picked in their order, without converting every value of every account again."""

    def to_representation(self, instance):
        body = {}
        for name, field in self.fields.items():
            if name in instance:
                value = instance[name]
                # Nested serializers (the capital accounts) still pick their own keys in their order.
                nested = isinstance(field, serializers.BaseSerializer) and value is not None
                body[name] = field.to_representation(value) if nested else value
        return body


class CapitalAccountSerializer(_FromJson, serializers.Serializer):
    """One investor's capital account: the investor metrics of the schema."""

    investor_id = serializers.IntegerField()
    investor = serializers.CharField(help_text="The investor's name.")

    def get_fields(self):
        fields = super().get_fields()
        fields.update({metric.name: metric_field(metric) for metric in schema.INVESTOR_METRICS})
        return fields


class FundMetricsSerializer(_FromJson, serializers.Serializer):
    """Every fund metric of the schema under its name, then the per-project rows and the capital accounts."""

    # Not required, like the metrics: a snapshot written by hand (or before a key existed) may lack them.
    fund = serializers.SlugField(required=False, help_text="The fund's slug.")
    as_of = serializers.DateField(required=False, help_text="The date the metrics are as of.")
    currency = serializers.CharField(required=False, help_text="The fund's base currency (KZT).")

    def get_fields(self):
        fields = super().get_fields()
        fields.update({metric.name: metric_field(metric) for metric in schema.FUND_METRICS})
        fields["projects"] = serializers.ListField(
            child=serializers.DictField(), required=False, help_text="Each approved project's figures."
        )
        fields["investors"] = CapitalAccountSerializer(
            many=True,
            required=False,
            help_text="The investors' capital accounts; an investor sees only their own.",
        )
        return fields


class ProgressSerializer(serializers.Serializer):
    fund = serializers.SlugField(help_text="The fund's slug.")
    as_of = serializers.DateField(help_text="The date the metrics are as of.")
    requested_as_of = serializers.DateField(help_text="The date asked for (today when not given).")
    source = serializers.ChoiceField(
        choices=["snapshot", "live"],
        help_text="'snapshot': the stored snapshot at or before the date; 'live': computed for this request.",
    )
    computed_at = serializers.DateTimeField()
    metrics = FundMetricsSerializer(help_text="Every metric of the domain under its name.")


class ProgressPointSerializer(serializers.Serializer):
    """One stored snapshot in the time series: the schema's fund-level figures that have one value."""

    as_of = serializers.DateField()
    computed_at = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        fields.update({metric.name: metric_field(metric, nullable=True) for metric in schema.SERIES})
        return fields


# The keys of a history point read out of each snapshot's JSON (the series of the schema).
HISTORY_KEYS = schema.names(schema.SERIES)
