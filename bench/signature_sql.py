"""The signature INSERT the benchmarks write in bulk or by hand, built from the model so it cannot drift.

`petitions.signing.signatures` inserts a signature with SQL built from `Signature._meta`; the
benchmarks insert the same row (the floor's bare sign view, pgbench, the bulk fills of the scale and
export benchmarks) with SQL built the same way here. Call it where Django is set up with the project's
settings (`manage.py shell`, or after `django.setup()`); the floor app, which has no models, is handed
the text it builds.
"""

# What the sign view gives a new signature on a petition that asks for confirmation; every other
# column takes what a new `Signature()` holds.
SIGNED_FIELDS = (
    "petition_id",
    "first_name",
    "last_name",
    "email",
    "postcode",
    "region",
    "created_at",
    "contact_consent",
    "contact_consent_wording_id",
    "show_publicly",
    "show_publicly_wording_id",
    "privacy_notice_version",
    "ip_hash",
    "mail_status",
    "mail_queued_at",
)


def sql_literal(value):
    """`value` as SQL text: NULL, a boolean, a number or a quoted string."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise ValueError(f"No SQL literal for {value!r}")


def signature_insert_sql(values, *, select_from=None, suffix=""):
    """INSERT INTO the signature table naming every column of the model, with `values` as SQL text.

    `values` maps field attribute names (`petition_id`, `email`, …) to SQL: a placeholder, a psql or
    pgbench variable, a literal or an expression. A column it does not name gets what a new
    `Signature()` would hold (the field's default, NULL, or '' for a blank text field); a column with
    none of those must be named, so a new required field stops the benchmark here with its name rather
    than in the database. With `select_from` it is `INSERT ... SELECT <values> FROM <select_from>`,
    otherwise `INSERT ... VALUES (<values>)`; `suffix` follows (`ON CONFLICT DO NOTHING RETURNING id`).
    """
    from django.db import connection

    from petitions.models import Signature

    meta = Signature._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    unknown = set(values) - {field.attname for field in fields}
    if unknown:
        raise ValueError(f"Signature has no field {', '.join(sorted(unknown))}")
    expressions = []
    for field in fields:
        if field.attname in values:
            expressions.append(values[field.attname])
        elif field.has_default():
            expressions.append(sql_literal(field.get_default()))
        elif field.null:
            expressions.append("NULL")
        elif field.empty_strings_allowed and field.blank:
            expressions.append("''")
        else:
            raise ValueError(f"Name Signature.{field.attname} in the benchmark's values: it has no default")
    columns = ", ".join(quote(field.column) for field in fields)
    listed = ",\n    ".join(expressions)
    source = f"SELECT\n    {listed}\nFROM {select_from}" if select_from else f"VALUES (\n    {listed}\n)"
    return f"INSERT INTO {quote(meta.db_table)} ({columns})\n{source}\n{suffix}".rstrip()
