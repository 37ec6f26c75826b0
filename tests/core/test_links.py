"""core.links stands in for reverse() in long lists of rows: it must give the same text."""

import pytest
from django.urls import reverse

from core.links import PkUrl


@pytest.mark.parametrize(
    "name", ["crm:influencer_detail", "campaigns:campaign_board", "campaigns:relationship_close", "follow_up_new"]
)
@pytest.mark.parametrize("pk", [1, 42, 9_876_543_210, 2**62])
def test_pk_url_is_what_reverse_gives(name, pk):
    assert PkUrl(name)(pk) == reverse(name, args=[pk])


def test_pk_url_refuses_what_is_not_an_integer():
    with pytest.raises(ValueError):
        PkUrl("crm:influencer_detail")("1/../admin")
