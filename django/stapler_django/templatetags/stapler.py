"""{% load stapler %}: the tags of stapler_django.

    {% stapler_module "js/app.js" %}
        the entry's stylesheets, modulepreloads and module script, one
        element a line, with integrity: what the Go template function
        module writes for the same manifest, byte for byte.
    {% stapler_static "img/logo.png" %}   {% stapler_static "img/logo.png" as logo %}
        the hashed URL, escaped as {% static %} escapes it.
    {% stapler_integrity "css/site.css" %}   {% stapler_integrity "css/site.css" as sri %}
        the SRI hash.

A name the manifest lacks raises stapler_django.UnknownName, whose message
names the nearest names: "css/sit.css": not in the manifest; did you mean
"css/site.css"? stapler_integrity of a file with no hash raises NoIntegrity.
"""

from django import template
from django.utils.safestring import mark_safe

from ..loader import manifest

register = template.Library()


@register.simple_tag
def stapler_module(name):
    return mark_safe(manifest().module(name))


@register.simple_tag
def stapler_static(name):
    return manifest().url(name)


@register.simple_tag
def stapler_integrity(name):
    return manifest().integrity(name)
