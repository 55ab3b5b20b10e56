"""The "Updates to signers" section of the admin: write, edit (while a draft), list, history and
revisions on Wagtail's SnippetViewSet; the update's own steps (petitions.updates.views) beside them.

`UpdatePermissionPolicy`: every screen needs "send updates" (`petitions.send_petitionupdate`) as well as
the model permission, so Editors, who publish pages, see nothing of it. Nobody deletes an update: it is
cancelled, and stays as the record of what was (or was not) sent.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import path
from django.utils.functional import cached_property
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSet

from core.admin_views import CreateWithoutAutosaveView
from core.uk_time import uk_time
from petitions.models import Audience, DeliveryStatus, PetitionUpdate
from petitions.updates import views
from petitions.updates.approval import SEND_PERMISSION, audience_problem

AUDIENCE_HELP = (
    "Campaign news goes only to signers who ticked \u201cI agree to hear more\u201d and have not "
    "unsubscribed. The outcome of the letter goes to every confirmed signer, and can be chosen only if the "
    "letter's privacy notice says they will be told its outcome. Nobody who did not confirm, was "
    "removed, or asked to be forgotten gets either."
)


class UpdatePermissionPolicy(ModelPermissionPolicy):
    """Model permissions, and "send updates" for all of them; no deleting (cancel instead)."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return user.has_perm(SEND_PERMISSION) and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action != "delete"]
        if not actions:
            return get_user_model().objects.none()
        senders = super().users_with_any_permission(["send"])
        return super().users_with_any_permission(actions).filter(pk__in=senders.values("pk"))


register_permission_policy(PetitionUpdate, UpdatePermissionPolicy(PetitionUpdate))


class PetitionUpdateForm(WagtailAdminModelForm):
    """Refuses an outcome update for a letter whose signers were not told they would get one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "audience" in self.fields:
            self.fields["audience"].help_text = AUDIENCE_HELP
        if "subject" in self.fields:
            self.fields["subject"].help_text = "The email's subject line, as signers see it in their inbox."
        if "petition" in self.fields:
            self.fields["petition"].help_text = "The open letter whose signers get this update."
        if "body" in self.fields:
            self.fields["body"].help_text = (
                "What you want to tell them. The email adds \u201cDear\u201d and their first name above it, "
                "and below it why they get it, a link to their signature, and a link to stop emails."
            )
        if "send_after" in self.fields:
            self.fields["send_after"].help_text = (
                "UK time. Leave empty to send as soon as it is approved; otherwise sending starts at this "
                "time, if it has been approved by then."
            )

    def clean(self):
        cleaned = super().clean()
        problem = audience_problem(cleaned.get("petition"), cleaned.get("audience"))
        if problem:
            self.add_error("audience", problem)
        return cleaned


class UpdateIndexView(IndexView):
    """Every update with where it stands; the title opens the update's page (its steps)."""

    def get_base_queryset(self):
        # The progress of every row in the listing's one query, not one query a row.
        return (
            super()
            .get_base_queryset()
            .select_related("petition")
            .annotate(
                deliveries_total=Count("deliveries"),
                deliveries_queued=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.QUEUED)),
                deliveries_sent=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
                deliveries_failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            )
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "subject",
                label="Subject",
                get_url=lambda update: views.update_url("check", update),
                sort_key="subject",
            ),
            Column("petition", label="Open letter"),
            Column("audience", label="Audience", accessor=lambda u: Audience(u.audience).label.split(":")[0]),
            Column("status", label="Status", accessor="get_status_display", sort_key="status"),
            Column("audience_count", label="Approved for", accessor=lambda u: u.audience_count or "-"),
            Column("progress", label="Sent so far", accessor=self.sent_so_far),
            Column(
                "created_at",
                label="Written (UK time)",
                accessor=lambda u: uk_time(u.created_at),
                sort_key="created_at",
            ),
        ]

    def sent_so_far(self, update):
        if not update.deliveries_total:
            return "-"
        return (
            f"{update.deliveries_sent} sent, {update.deliveries_queued} to go, "
            f"{update.deliveries_failed} failed"
        )


class CreateUpdateView(CreateWithoutAutosaveView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()

    def get_success_url(self):
        return views.update_url("check", self.object)


class EditUpdateView(EditView):
    """Editing, only while a draft: after that, what the approver saw is what is sent."""

    def refuse_unless_draft(self):
        """None for a draft; otherwise the answer that says why it cannot change (after the permission
        check, which Wagtail's dispatch makes before calling get or post)."""
        update = self.get_object()
        if update.is_editable:
            return None
        message = (
            f"This update is {update.get_status_display().lower()}, so it can no longer be changed. "
            "To send something different, cancel it and write a new one."
        )
        if self.expects_json_response:
            return self.json_error_response("not_editable", message)
        messages.error(self.request, message)
        return redirect(views.update_url("check", update))

    def get(self, request, *args, **kwargs):
        return self.refuse_unless_draft() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refuse_unless_draft() or super().post(request, *args, **kwargs)

    def get_success_url(self):
        return views.update_url("check", self.object)


class PetitionUpdateViewSet(SnippetViewSet):
    model = PetitionUpdate
    icon = "mail"
    menu_label = "Updates to signers"
    menu_name = "updates-to-signers"
    menu_order = 905
    add_to_admin_menu = True
    admin_url_namespace = views.VIEWSET_NAME
    base_url_path = "petitions/updates"
    index_view_class = UpdateIndexView
    add_view_class = CreateUpdateView
    edit_view_class = EditUpdateView
    copy_view_enabled = False
    inspect_view_enabled = False
    ordering = ["-created_at"]
    list_filter = ["status", "audience", "petition"]
    edit_handler = ObjectList(
        [
            FieldPanel("petition"),
            FieldPanel("subject"),
            FieldPanel("body"),
            FieldPanel("audience", widget=forms.RadioSelect),
            FieldPanel("send_after", widget=AdminDateTimeInput),
        ],
        base_form_class=PetitionUpdateForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("check/<int:pk>/", views.UpdateCheckView.as_view(), name="check"),
            path("preview-mail/<int:pk>/", views.UpdatePreviewView.as_view(), name="preview"),
            path("send-test/<int:pk>/", views.SendTestView.as_view(), name="send_test"),
            path("submit/<int:pk>/", views.SubmitView.as_view(), name="submit"),
            path("approve/<int:pk>/", views.ApproveView.as_view(), name="approve"),
            path("cancel/<int:pk>/", views.CancelView.as_view(), name="cancel"),
        ]
