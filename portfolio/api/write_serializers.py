"""What the write API reads (input) and answers (output). Input serializers only read and normalise: every
rule is the service's, and its refusal comes back as a 400 under the same field names."""

from rest_framework import serializers

from portfolio.models import (
    CapitalCall,
    CapitalCallItem,
    CapitalCallPayment,
    Disbursement,
    Project,
    Receipt,
    Stage,
    Tranche,
    Valuation,
)

from .fields import DateField, NotNegativeMoneyField, PositiveMoneyField

# What a client may give when it creates a project, and reads back.
PROJECT_FIELDS = [
    "title",
    "original_title",
    "slug",
    "format",
    "genre",
    "language",
    "director",
    "producer",
    "production_company",
    "total_budget",
    "commitment",
    "instrument",
    "approval_date",
    "expected_release",
    "stage",
]

# --- Answers ------------------------------------------------------------------------------------------


class TrancheSerializer(serializers.ModelSerializer):
    amount = PositiveMoneyField()
    # Blank for a date trigger: said so, or the schema would promise a stage.
    trigger_stage = serializers.ChoiceField(choices=Stage.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Tranche
        fields = [
            "id",
            "number",
            "amount",
            "planned_date",
            "trigger",
            "trigger_stage",
            "trigger_date",
            "status",
        ]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):
    fund = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    total_budget = PositiveMoneyField()
    commitment = PositiveMoneyField()
    tranches = TrancheSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = ["id", "fund", *PROJECT_FIELDS, "tranches"]
        read_only_fields = fields


class DisbursementSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    rejected_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "project",
            "tranche",
            "amount",
            "status",
            "requested_by",
            "requested_at",
            "approved_by",
            "approved_at",
            "rejected_by",
            "rejected_at",
            "rejection_reason",
            "paid_date",
            "bank_reference",
            "reverses",
            "note",
        ]
        read_only_fields = fields


class ReceiptSerializer(serializers.ModelSerializer):
    amount = PositiveMoneyField()

    class Meta:
        model = Receipt
        fields = ["id", "project", "date", "amount", "source", "note"]
        read_only_fields = fields


class ValuationSerializer(serializers.ModelSerializer):
    amount = NotNegativeMoneyField()

    class Meta:
        model = Valuation
        fields = ["id", "project", "date", "amount", "note"]
        read_only_fields = fields


class CapitalCallPaymentSerializer(serializers.ModelSerializer):
    amount = PositiveMoneyField()

    class Meta:
        model = CapitalCallPayment
        fields = ["id", "item", "date", "amount", "bank_reference"]
        read_only_fields = fields


class CapitalCallItemSerializer(serializers.ModelSerializer):
    amount = PositiveMoneyField()
    investor = serializers.StringRelatedField()
    payments = CapitalCallPaymentSerializer(many=True, read_only=True)

    class Meta:
        model = CapitalCallItem
        fields = ["id", "investor", "amount", "payments"]
        read_only_fields = fields


class CapitalCallSerializer(serializers.ModelSerializer):
    amount = PositiveMoneyField()
    items = CapitalCallItemSerializer(many=True, read_only=True)

    class Meta:
        model = CapitalCall
        fields = ["id", "number", "call_date", "due_date", "purpose", "amount", "items"]
        read_only_fields = fields


# --- Requests -----------------------------------------------------------------------------------------


class _Input(serializers.ModelSerializer):
    """Field types, lengths and choices from the model; no unique validators (the service checks)."""

    class Meta:
        validators = []


class ProjectCreateInput(_Input):
    total_budget = PositiveMoneyField()
    commitment = PositiveMoneyField()
    approval_date = DateField()
    expected_release = DateField(required=False, allow_null=True)

    class Meta(_Input.Meta):
        model = Project
        fields = PROJECT_FIELDS
        extra_kwargs = {"slug": {"validators": []}, "stage": {"required": False}}


class DisbursementRequestInput(serializers.Serializer):
    tranche = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The id of one of the project's tranches."
    )
    amount = PositiveMoneyField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DisbursementRejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the request is refused (kept).")


class DisbursementPayInput(serializers.Serializer):
    paid_date = DateField(help_text="The day the money left the fund's account (not in the future).")
    bank_reference = serializers.CharField(max_length=100)


class DisbursementReverseInput(serializers.Serializer):
    date = DateField(help_text="The day the money came back (not in the future).")
    reason = serializers.CharField(
        max_length=300, help_text="Why the payment is reversed (kept in the note)."
    )
    amount = PositiveMoneyField(required=False, help_text="Part of the payment; all of it when left out.")
    bank_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ReceiptInput(_Input):
    amount = PositiveMoneyField()
    date = DateField()

    class Meta(_Input.Meta):
        model = Receipt
        fields = ["date", "amount", "source", "note"]


class ValuationInput(_Input):
    amount = NotNegativeMoneyField()
    date = DateField()

    class Meta(_Input.Meta):
        model = Valuation
        fields = ["date", "amount", "note"]


class CapitalCallPaymentInput(_Input):
    amount = PositiveMoneyField()
    date = DateField()

    class Meta(_Input.Meta):
        model = CapitalCallPayment
        fields = ["date", "amount", "bank_reference"]
