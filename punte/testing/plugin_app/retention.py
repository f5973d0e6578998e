from punte.core.retention import ERASE, Period, RetentionRule

RULES = [
    RetentionRule(
        name="plugin_app.idempotency_record.erase",
        record_type="core.IdempotencyRecord",
        age_field="created_at",
        period=Period("PUNTE_IDEMPOTENCY_TTL_HOURS", unit="hours"),
        action=ERASE,
    )
]
