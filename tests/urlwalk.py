"""Every URL pattern of the project as a path template, so tests can walk all of them with ids of their choice.

A route's template names its parameters in braces: "/influencers/{pk}/edit/", "/admin/crm/channel/{object_id}/change/".
Regex patterns (the admin's) get their named groups the same way; unnamed groups become {arg1}, {arg2}…
"""

import re
from dataclasses import dataclass

from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver

# Values that make any template a valid path, for tests that only need the shape (e.g. "is a login required?").
SAMPLES = {"app_label": "crm", "url": "nowhere/", "token": "x", "slug": "x"}
DEFAULT_SAMPLE = "1"

_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")
_UNNAMED_GROUP = re.compile(r"\((?!\?)(?:[^()]|\([^()]*\))*\)")
_PLACEHOLDER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Route:
    name: str  # namespaced name ("crm:influencer_edit", "admin:crm_channel_change"), or the template when unnamed
    template: str  # "/influencers/{pk}/edit/"
    model: type[Model] | None = None  # the model of an admin view (ModelAdmin or a view of one), else None

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(_PLACEHOLDER.findall(self.template))

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:") or self.template.startswith("/admin/")

    def fill(self, **values) -> str:
        """The concrete path with these values; a missing value is an error, not a silent sample."""
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), self.template)

    @property
    def path(self) -> str:
        """A concrete path that the pattern matches, with sample values."""
        return self.fill(**{name: SAMPLES.get(name, DEFAULT_SAMPLE) for name in self.params})


def _template(pattern) -> str:
    """One pattern (route or regex) with its parameters as {placeholders}."""
    text = str(pattern)
    if not text.startswith("^") and "(?P<" not in text:
        return _CONVERTER.sub(r"{\1}", text)
    # A regex pattern: name its groups, then strip the regex syntax that is left.
    text = _NAMED_GROUP.sub(r"{\1}", text)
    count = 0

    def unnamed(_match) -> str:
        nonlocal count
        count += 1
        return f"{{arg{count}}}"

    text = _UNNAMED_GROUP.sub(unnamed, text)
    return text.lstrip("^").rstrip("$").replace("\\", "")


def _model_of(callback) -> type[Model] | None:
    """The model behind an admin view: ModelAdmin marks its views; custom ones wrap a bound method of the admin."""
    model_admin = getattr(callback, "model_admin", None)
    seen = 0
    while model_admin is None and callback is not None and seen < 5:
        model_admin = getattr(getattr(callback, "__self__", None), "model", None) and callback.__self__
        callback = getattr(callback, "__wrapped__", None)
        seen += 1
    return getattr(model_admin, "model", None)


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + _template(p.pattern), ns)
            elif isinstance(p, URLPattern):
                template = "/" + prefix + _template(p.pattern)
                name = f"{namespace}{p.name}" if p.name else template
                routes.append(Route(name=name, template=template, model=_model_of(p.callback)))

    walk(get_resolver().url_patterns, "", "")
    return routes
