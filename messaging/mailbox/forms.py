"""The form of "Your mailbox": it checks the shape of what is typed; messaging.mailbox.accounts decides the rest
(TLS, one mailbox per person) and its ValidationError comes back on the form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import guard_fields
from messaging.models import Mailbox


class MailboxForm(forms.Form):
    address = forms.EmailField(
        label=_("E-mail address"), max_length=254, help_text=_("The address people write to you at.")
    )
    host = forms.CharField(
        label=_("IMAP server"),
        max_length=253,
        help_text=_("Gmail: imap.gmail.com · Outlook and Microsoft 365: outlook.office365.com · see the README."),
    )
    port = forms.IntegerField(
        label=_("Port"),
        min_value=1,
        max_value=65535,
        initial=993,
        help_text=_("993 with SSL/TLS, 143 with STARTTLS."),
    )
    security = forms.ChoiceField(label=_("Security"), choices=Mailbox.Security.choices, initial=Mailbox.Security.TLS)
    username = forms.CharField(label=_("User name"), max_length=254, help_text=_("Usually your e-mail address."))
    password = forms.CharField(
        label=_("Password or app password"),
        max_length=1000,
        required=False,
        strip=False,
        # Never sent back to the browser, not even after a refused form.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Gmail and Outlook want an app password (made in your account's security settings), not your own. "
            "It is stored encrypted and never shown again."
        ),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["password"].help_text = _("Leave it empty to keep the saved password.")
        guard_fields(self)
