"""Base classes for the apps' own admin screens: one form, a permission, a title and a breadcrumb.

For the screens Wagtail's viewsets cannot give (an upload with a preview, an action on a selection
with a dry run). `AdminFormView` puts a form in the admin's frame behind one permission;
`CheckThenConfirmView` adds the two steps: a first POST shows what would change, a second POST
that carries `confirm` does it.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import CreateView as SnippetCreateView


class AdminFormView(WagtailAdminTemplateMixin, FormView):
    """A form in the Wagtail admin that needs `permission` ("app.codename") to see or send.

    The permission is checked in `setup`, before any `dispatch` of a subclass reads the request.
    Refused users get PermissionDenied, which the admin answers by sending them to the dashboard
    with a message, as it does for its own views.
    """

    permission = None
    #: (URL name, label) of the screens between the dashboard and this one, for the breadcrumb.
    parent_breadcrumbs = ()

    def setup(self, request, *args, **kwargs):
        if self.permission and not request.user.has_perm(self.permission):
            raise PermissionDenied
        super().setup(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        parents = [{"url": reverse(name), "label": label} for name, label in self.parent_breadcrumbs]
        return [*self.breadcrumbs_items, *parents, {"url": "", "label": self.page_title}]


class CheckThenConfirmView(AdminFormView):
    """A valid form first shows `preview(form)` as `preview` in the page; with `confirm`, `confirm(form)`."""

    confirm_field = "confirm"

    def form_valid(self, form):
        if self.confirm_field not in self.request.POST:
            return self.render_to_response(self.get_context_data(form=form, preview=self.preview(form)))
        return self.confirm(form)

    def preview(self, form):
        """What would change, for the template (a dict of counts, say). Changes nothing."""
        raise NotImplementedError

    def confirm(self, form):
        """Make the change and return the response (usually a redirect with a message)."""
        raise NotImplementedError


class CreateWithoutAutosaveView(SnippetCreateView):
    """A snippet's create view without autosave (edits of a saved one still autosave).

    As for new pages (`core.views.NewPageView`): autosave's first save of a new object creates it, and
    an editor who presses Save while that request is under way sends a second create, so two objects
    appear. Until the object exists, only the editor's own button saves it. A viewset opts in with
    `add_view_class = CreateWithoutAutosaveView`.
    """

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.autosave_enabled = False


class ViewOnlyPermissionPolicy(ModelPermissionPolicy):
    """Model permissions in the admin, except that no one may add, edit or delete such an object there
    (signatures come from signing; CRM deliveries from events)."""

    NEVER_ALLOWED = frozenset({"add", "change", "delete"})

    def user_has_permission(self, user, action):
        return action not in self.NEVER_ALLOWED and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.NEVER_ALLOWED]
        if not allowed:
            return get_user_model().objects.none()
        return super().users_with_any_permission(allowed)
