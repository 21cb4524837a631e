from django.contrib import admin

from .models import StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "credentials", "user"]
    search_fields = ["display_name", "credentials", "user__username"]
    autocomplete_fields = ["user"]
