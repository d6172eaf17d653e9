"""Form rendering shared by every page: each field in its own block (label, control, help, error)
so forms lay out in a grid and read well on a tablet."""

from django.forms.renderers import TemplatesSetting


class Renderer(TemplatesSetting):
    """Renders with the project's template settings (so ``core/field.html`` is found)."""

    field_template_name = "core/field.html"
