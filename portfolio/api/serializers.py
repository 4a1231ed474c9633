from rest_framework import serializers

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


class ProgressSerializer(serializers.Serializer):
    fund = serializers.SlugField(help_text="The fund's slug.")
    as_of = serializers.DateField(help_text="The date the metrics are as of.")
    requested_as_of = serializers.DateField(help_text="The date asked for (today when not given).")
    source = serializers.ChoiceField(
        choices=["snapshot", "live"],
        help_text="'snapshot': the stored snapshot at or before the date; 'live': computed for this request.",
    )
    computed_at = serializers.DateTimeField()
    metrics = serializers.DictField(
        help_text="Every metric of the domain under its name; money and ratios as decimal strings, "
        "null where a ratio is undefined."
    )


class ProgressPointSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    computed_at = serializers.DateTimeField()
    committed_capital = serializers.CharField(allow_null=True)
    allocated = serializers.CharField(allow_null=True)
    disbursed = serializers.CharField(allow_null=True)
    planned_disbursed = serializers.CharField(allow_null=True)
    paid_in = serializers.CharField(allow_null=True)
    distributed = serializers.CharField(allow_null=True)
    nav = serializers.CharField(allow_null=True)
    deployment_pct = serializers.CharField(allow_null=True)
    pace_ratio = serializers.CharField(allow_null=True)
    tvpi = serializers.CharField(allow_null=True)
    net_irr = serializers.CharField(allow_null=True)
