"""Every URL pattern of the project, with concrete paths, so tests can walk all of them."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter

# Values that fit the regex patterns of the admin (which has no converters).
REGEX_SAMPLES = {"app_label": "crm", "object_id": "1", "content_type_id": "1", "url": "nowhere/"}
CONVERTER_SAMPLES = {
    IntConverter: "1",
    StringConverter: "x",
    SlugConverter: "x",
    UUIDConverter: "00000000-0000-0000-0000-000000000000",
    PathConverter: "x/y",
}


@dataclass(frozen=True)
class Route:
    name: str  # namespaced name, or the pattern when unnamed
    path: str  # a concrete path that the pattern matches


def _concrete(pattern) -> str:
    """A concrete piece of path for one pattern (route or regex)."""
    text = str(pattern)
    converters = getattr(pattern, "converters", {})
    if converters or ("<" in text and not text.startswith("^")):
        for name, converter in converters.items():
            sample = CONVERTER_SAMPLES.get(type(converter), "1")
            text = _replace_param(text, name, sample)
        return text
    # A regex pattern: fill the named groups, then strip the regex syntax.
    for name in re.findall(r"\(\?P<(\w+)>", text):
        text = re.sub(rf"\(\?P<{name}>[^)]*\)", REGEX_SAMPLES.get(name, "1"), text)
    return text.lstrip("^").rstrip("$").replace("\\", "")


def _replace_param(text: str, name: str, sample: str) -> str:
    return re.sub(rf"<(?:\w+:)?{name}>", sample, text)


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + _concrete(p.pattern), ns)
            elif isinstance(p, URLPattern):
                path = "/" + prefix + _concrete(p.pattern)
                name = f"{namespace}{p.name}" if p.name else str(p.pattern)
                routes.append(Route(name=name, path=path))

    walk(get_resolver().url_patterns, "", "")
    return routes
