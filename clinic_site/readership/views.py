"""The readership page and its CSV, inside the staff admin (wired by sitewide.admin_site,
which decides who may see them: the dashboard's people)."""

import csv

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from clinic_site.core.charts import bar_chart

from .figures import WEEKS, csv_rows, readership_figures


def readership_page(request, *, context: dict):
    figures = readership_figures()
    labels = [week.short_label for week in figures.weeks]
    charts = [
        {
            "code": code,
            "name": name,
            "chart": bar_chart([week.views[code] for week in figures.weeks], labels, unit="views"),
        }
        for code, name in figures.languages
    ]
    context = {
        **context,
        "title": "Readership",
        "figures": figures,
        "charts": charts,
        "contacts_chart": bar_chart([week.contacts for week in figures.weeks], labels),
        "weeks_shown": WEEKS,
    }
    return TemplateResponse(request, "admin/readership.html", context)


def readership_csv(request):
    figures = readership_figures()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"readership-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerows(csv_rows(figures))
    return response
