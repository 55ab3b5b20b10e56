"""The hourly history, milestones and the public record's counters, filled from the signatures there are.

Existing invalidations get the category "other" (their reasons were free text). Erasures and deletions
before this migration left no rows, so the record counts them from now on. Milestones already passed
are dated by the confirmation that reached them, as the signatures stand, and send no mail.
"""

import itertools
from collections import Counter
from datetime import UTC

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.db.models.functions import TruncHour


_STATE = {
    "unconfirmed": ExpressionWrapper(Q(confirmed_at__isnull=True), output_field=BooleanField()),
    "valid": ExpressionWrapper(Q(invalidated_at__isnull=True), output_field=BooleanField()),
}


def fill(apps, schema_editor):
    Signature = apps.get_model("petitions", "Signature")
    PetitionPage = apps.get_model("petitions", "PetitionPage")
    SignatureHourCount = apps.get_model("petitions", "SignatureHourCount")
    RecordCount = apps.get_model("petitions", "RecordCount")
    PetitionMilestone = apps.get_model("petitions", "PetitionMilestone")
    Signature.objects.filter(invalidated_at__isnull=False).update(invalidation_category="other")
    counted = Signature.objects.filter(confirmed_at__isnull=False, invalidated_at__isnull=True)
    hours = counted.annotate(hour=TruncHour("confirmed_at", tzinfo=UTC)).values_list("petition_id", "hour", "region")
    SignatureHourCount.objects.bulk_create(
        SignatureHourCount(petition_id=petition_id, hour=hour, region=region, shard=0, count=n)
        for petition_id, hour, region, n in hours.annotate(n=Count("id")).order_by()
    )
    record = Counter()
    rows = Signature.objects.annotate(**_STATE).values_list("petition_id", "unconfirmed", "valid").annotate(
        n=Count("id")
    )
    for petition_id, unconfirmed, valid, n in rows.order_by():
        record[(petition_id, "received")] += n
        if not valid:
            record[(petition_id, "invalidated-other")] += n
        elif unconfirmed:
            record[(petition_id, "awaiting")] += n
    anonymised = Signature.objects.filter(anonymised_at__isnull=False).values_list("petition_id")
    for petition_id, n in anonymised.annotate(n=Count("id")).order_by():
        record[(petition_id, "anonymised")] += n
    RecordCount.objects.bulk_create(
        RecordCount(petition_id=petition_id, measure=measure, shard=0, count=n)
        for (petition_id, measure), n in record.items()
    )
    totals = dict(counted.values_list("petition_id").annotate(n=Count("id")).order_by())
    for petition in PetitionPage.objects.filter(pk__in=totals):
        total = totals[petition.pk]
        reached = {petition.target} if petition.target <= total else set()
        for power in itertools.count(2):
            if 10**power > total:
                break
            reached.add(10**power)
        ordered = counted.filter(petition_id=petition.pk).order_by("confirmed_at", "pk")
        for threshold in sorted(reached):
            at = ordered.values_list("confirmed_at", flat=True)[threshold - 1]
            PetitionMilestone.objects.create(
                petition_id=petition.pk,
                threshold=threshold,
                reached_at=at,
                is_target=threshold == petition.target,
                notify_status="not-needed",
            )


class Migration(migrations.Migration):
    dependencies = [
        ('petitions', '0008_updates_campaign_staff_permissions'),
    ]

    operations = [
        migrations.AddField(
            model_name='signature',
            name='invalidation_category',
            field=models.CharField(blank=True, choices=[('rate-limit', 'Too many from one place (rate limit)'), ('fraud-review', 'Found false in a fraud review'), ('duplicate', 'Duplicate of another signature'), ('other', 'Another reason')], help_text="The kind of reason, counted in the petition's public integrity report; empty while valid.", max_length=20),
        ),
        migrations.CreateModel(
            name='PetitionMilestone',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('threshold', models.PositiveBigIntegerField(help_text='The number of signatures reached.')),
                ('reached_at', models.DateTimeField()),
                ('is_target', models.BooleanField(default=False, help_text="The threshold was the petition's target then.")),
                ('notify_status', models.CharField(choices=[('queued', 'Queued'), ('sent', 'Sent'), ('failed', 'Failed'), ('not-needed', 'Not needed (no address set)')], default='queued', max_length=12)),
                ('notify_attempts', models.PositiveSmallIntegerField(default=0)),
                ('notified_at', models.DateTimeField(blank=True, null=True)),
                ('notify_error', models.CharField(blank=True, help_text='The kind of error only.', max_length=100)),
                ('petition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='milestones', to='petitions.petitionpage')),
                ('update', models.ForeignKey(blank=True, help_text='The update to signers started from this milestone.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='petitions.petitionupdate')),
            ],
            options={
                'ordering': ['petition', 'threshold'],
                'constraints': [models.UniqueConstraint(fields=('petition', 'threshold'), name='petitions_milestone_once')],
            },
        ),
        migrations.CreateModel(
            name='RecordCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('measure', models.CharField(choices=[('received', 'Signatures received'), ('awaiting', 'Awaiting confirmation'), ('invalidated-rate-limit', 'Invalidated: too many from one place'), ('invalidated-fraud-review', 'Invalidated: fraud review'), ('invalidated-duplicate', 'Invalidated: duplicate'), ('invalidated-other', 'Invalidated: another reason'), ('erased-on-request', "Erased at the signer's request"), ('erased-by-staff', 'Erased by staff'), ('expired', 'Never confirmed, deleted'), ('anonymised', 'Anonymised after closing')], max_length=40)),
                ('shard', models.PositiveSmallIntegerField()),
                ('count', models.BigIntegerField(default=0)),
                ('petition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='petitions.petitionpage')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('petition', 'measure', 'shard'), name='petitions_recordcount_one_row_a_shard')],
            },
        ),
        migrations.CreateModel(
            name='SignatureHourCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hour', models.DateTimeField(help_text='The start of the hour, in UTC.')),
                ('region', models.CharField(choices=[('north-east', 'North East'), ('north-west', 'North West'), ('yorkshire', 'Yorkshire and the Humber'), ('east-midlands', 'East Midlands'), ('west-midlands', 'West Midlands'), ('east', 'East of England'), ('london', 'London'), ('south-east', 'South East'), ('south-west', 'South West'), ('scotland', 'Scotland'), ('wales', 'Wales'), ('northern-ireland', 'Northern Ireland'), ('crown-dependencies', 'Channel Islands and Isle of Man'), ('outside-uk', 'Outside the UK')], max_length=20)),
                ('shard', models.PositiveSmallIntegerField()),
                ('count', models.BigIntegerField(default=0)),
                ('petition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='petitions.petitionpage')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('petition', 'hour', 'region', 'shard'), name='petitions_hourcount_one_row_a_shard')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
