from typing import Any

from django.contrib import admin

from trainings.models import (
    Completion,
    Conflict,
    Event,
    Provider,
    ProviderDomain,
    Recusal,
    Review,
    Training,
    TrainingRun,
)
from trainings.search_index import index_provider, index_training


class DomainInline(admin.TabularInline):
    model = ProviderDomain
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "website", "contact_email"]
    search_fields = ["name", "domains__domain"]
    filter_horizontal = ["users"]
    inlines = [DomainInline]

    def save_model(self, request: Any, obj: Provider, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            index_provider(obj)  # its name is searched with its trainings


class RunInline(admin.TabularInline):
    model = TrainingRun
    extra = 0


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    """Read-mostly: decisions are the board's, through the review page."""

    list_display = ["title", "provider", "status", "approved_until"]
    list_filter = ["status", "format", "delivery"]
    search_fields = ["title", "provider__name"]
    readonly_fields = ["status", "submitted_at", "reviewed_on", "approved_until"]
    inlines = [RunInline]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        index_training(form.instance)  # an edit here is searched at once, as the services'


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["training", "decision", "reviewer", "created_at"]
    readonly_fields = [f.name for f in Review._meta.fields]


admin.site.register([Event, Conflict, Recusal, Completion])
