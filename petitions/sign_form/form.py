"""The sign form: what a visitor types, checked with messages they can act on (GOV.UK style)."""

import logging
import unicodedata

from django import forms

from petitions.regions import InvalidPostcode, normalise_postcode
from petitions.sign_form.source import clean_source_code
from petitions.sign_form.token import FORM_PROBLEM_MESSAGE, FormTokenError, check_form_token, make_form_token

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"

# Characters that show nothing by themselves but are not Unicode "format" characters (category Cf, which
# holds the zero-width and bidirectional controls): the combining grapheme joiner, the Hangul fillers,
# the Khmer inherent vowels and the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def visible_text(value):
    """`value` without characters that show nothing: zero-width, bidirectional controls, soft hyphens.

    They let a name look empty (a blank in the public list) or other than it is (text reversed by a
    right-to-left override). Joiners go too: scripts that use them still read correctly without.
    """
    return "".join(c for c in value if unicodedata.category(c) != "Cf" and c not in _BLANK_LETTERS).strip()


class NameField(forms.CharField):
    """A name as people see it: characters that show nothing are dropped, so a name of only those is empty."""

    def to_python(self, value):
        return visible_text(super().to_python(value))


class SourceField(forms.CharField):
    """The hidden source code: one that is not a valid code is dropped (""), never an error to show."""

    def __init__(self, **kwargs):
        super().__init__(required=False, widget=forms.HiddenInput, **kwargs)

    def to_python(self, value):
        return clean_source_code(super().to_python(value))


class SignatureForm(forms.Form):
    first_name = NameField(
        label="First name",
        max_length=100,
        error_messages={
            "required": "Enter your first name",
            "max_length": "First name must be 100 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
    )
    last_name = NameField(
        label="Last name",
        max_length=100,
        error_messages={
            "required": "Enter your last name",
            "max_length": "Last name must be 100 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send you a link to confirm your signature.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        help_text="For example, SW1A 1AA. We use it only to count signatures by region.",
        error_messages={"max_length": "Enter a real UK postcode, like SW1A 1AA"},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "input--width-10"}),
    )
    outside_uk = forms.BooleanField(label="I live outside the UK", required=False)
    contact_consent = forms.BooleanField(required=False)
    show_publicly = forms.BooleanField(required=False)
    # Hidden from people by CSS and from assistive technology; bots fill every field they see.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)
    # Which link the signer came by (petitions.sign_form.source); the page fills it from `?source=`.
    source = SourceField()

    def __init__(self, *args, petition, source="", **kwargs):
        """`source`: the code from the request's query (`source_from_query`), or "".

        An unbound form shows it in its hidden field; a bound one keeps it when the POST carries no
        code of its own (a form posted to a sign URL with `?source=` on it).
        """
        # Ids unique to the petition, so two sign forms on one page do not share ids.
        self.id_prefix = f"p{petition.pk}_"
        kwargs.setdefault("auto_id", self.id_prefix + "%s")
        super().__init__(*args, **kwargs)
        self.source_fallback = clean_source_code(source)
        if not self.is_bound:
            self.initial["source"] = self.source_fallback
        # The id of a valid form token, for `petitions.signing.rate_limit.count_sign_attempt` to spend.
        self.form_token_id = None
        self.describe(petition)

    def describe(self, petition):
        """Word the form for `petition` (its consent boxes, the email's hint).

        Validating needs none of it, so a POST may be checked before the petition's facts are read
        (with the rate limit, in one round trip) and described once they are, to be shown again.
        """
        self.petition = petition
        # Checking the form made its bound fields, with the labels it had then: made again, they take these.
        self._bound_fields_cache.clear()
        self.fields["contact_consent"].label = petition.contact_consent_wording
        self.fields["show_publicly"].label = petition.show_publicly_wording
        self.fields["email"].help_text = (
            self.base_fields["email"].help_text
            if petition.confirmation_required
            else "We keep it to make sure each person signs once."
        )

    @property
    def fresh_token(self):
        """A new timing token for each time the form is shown; one that needs no wait after a POST."""
        return make_form_token(sent_back=self.is_bound)

    @property
    def source_code(self):
        """The code for the hidden field: the one sent back, else the page's, and only ever a valid one."""
        if self.is_bound:
            return clean_source_code(self.data.get("source", "")) or self.source_fallback
        return self.initial.get("source", "")

    def clean_source(self):
        return self.cleaned_data["source"] or self.source_fallback

    def is_honeypot_filled(self):
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    def clean(self):
        cleaned = super().clean()
        if "postcode" not in self.errors:
            self._clean_postcode(cleaned)
        try:
            self.form_token_id = check_form_token(self.data.get("form_token"))
        except FormTokenError as error:
            logger.info("Form token refused on petition %s: %s", self.petition.pk, error)
            raise forms.ValidationError(FORM_PROBLEM_MESSAGE, code="form_token") from error
        return cleaned

    def refuse_spent_token(self):
        """Show the form again as for any token problem: its token carried another signature."""
        self.form_token_id = None
        self.add_error(None, forms.ValidationError(FORM_PROBLEM_MESSAGE, code="form_token"))

    def _clean_postcode(self, cleaned):
        postcode = cleaned.get("postcode", "").strip()
        if cleaned.get("outside_uk"):
            if postcode:
                self.add_error(
                    "postcode",
                    "Leave the postcode empty if you live outside the UK, or untick 'I live outside the UK'",
                )
            cleaned["postcode"] = ""
        elif not postcode:
            self.add_error("postcode", "Enter your postcode, or tick 'I live outside the UK'")
        else:
            try:
                cleaned["postcode"] = normalise_postcode(postcode)
            except InvalidPostcode:
                self.add_error("postcode", "Enter a real UK postcode, like SW1A 1AA")

    def error_summary(self):
        """(anchor id, message) pairs for the error summary, in the order of the fields."""
        summary = [(f"{self.id_prefix}form", message) for message in self.non_field_errors()]
        for name in self.fields:
            for message in self.errors.get(name, []):
                summary.append((self[name].id_for_label, message))
        return summary
