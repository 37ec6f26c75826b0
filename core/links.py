"""URLs of one pattern for many rows, reversed once: a list of 125 cards or 50 rows ran {% url %} hundreds of times.

`reverse()` walks the resolver and quotes every argument at each call: the largest share of a board card's
rendering (docs/PERFORMANCE.md, "Figures behind the code"). A pattern whose only argument is an integer primary
key is reversed once with a marker in place of the key, and each row's URL is that text with the key put in: the
same string reverse() would give.
"""

from django.urls import reverse

_MARKER = 9_876_543_210


class PkUrl:
    """The URL named `name` for any primary key: `PkUrl("crm:influencer_detail")(42)` == reverse(..., args=[42])."""

    def __init__(self, name: str):
        self.name = name
        self.head, self.tail = reverse(name, args=[_MARKER]).split(str(_MARKER), 1)

    def __call__(self, pk: int) -> str:
        return f"{self.head}{int(pk)}{self.tail}"
