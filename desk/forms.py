"""The navigation bar's search box, and the search page's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from desk.search import SHORTEST


class SearchForm(forms.Form):
    # As long as the directory's search accepts: its "see all" link carries the same text.
    q = forms.CharField(label=_("Search people, campaigns and brands"), max_length=100, required=False)

    def clean_q(self) -> str:
        text = self.cleaned_data["q"]
        if len(text) < SHORTEST:
            raise forms.ValidationError(_("Type at least 2 characters."), code="too_short")
        return text
