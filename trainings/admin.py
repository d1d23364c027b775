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


class DomainInline(admin.TabularInline):
    model = ProviderDomain
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "website", "contact_email"]
    search_fields = ["name", "domains__domain"]
    filter_horizontal = ["users"]
    inlines = [DomainInline]


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


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["training", "decision", "reviewer", "created_at"]
    readonly_fields = [f.name for f in Review._meta.fields]


admin.site.register([Event, Conflict, Recusal, Completion])
