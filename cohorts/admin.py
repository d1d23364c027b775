"""Admin for cohorts. State changes go through the services (the pages), so ``state`` is
read-only here; invitation token hashes are never shown."""

from __future__ import annotations

from django.contrib import admin

from cohorts.models import (
    Cohort,
    CohortReview,
    CohortTransition,
    EnrollmentPeriod,
    Invitation,
    LearningGoal,
    Membership,
    Session,
)


@admin.register(EnrollmentPeriod)
class EnrollmentPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "opens_on", "closes_on"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]


class TransitionInline(admin.TabularInline):
    model = CohortTransition
    extra = 0
    can_delete = False
    fields = ["at", "from_state", "to_state", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "join_policy", "listed", "term_start", "capacity"]
    list_filter = ["state", "join_policy", "listed", "enrollment_period", "focus_areas"]
    search_fields = ["title", "slug", "host_institution"]
    date_hierarchy = "term_start"
    readonly_fields = ["state", "slug", "proposed_by", "member_group", "facilitator_group"]
    filter_horizontal = ["focus_areas", "focus_competencies"]
    list_select_related = ["enrollment_period"]
    inlines = [TransitionInline]


@admin.register(CohortReview)
class CohortReviewAdmin(admin.ModelAdmin):
    list_display = ["cohort", "decision", "reviewer", "created_at"]
    list_filter = ["decision"]
    search_fields = ["cohort__title", "message"]
    list_select_related = ["cohort", "reviewer"]
    raw_id_fields = ["cohort", "reviewer"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-mostly: joining and leaving must go through the services, which hold the
    guardian permission groups in step with these rows."""

    list_display = ["user", "cohort", "role", "status", "created_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "user__name", "cohort__title"]
    list_select_related = ["user", "cohort"]
    readonly_fields = ["cohort", "user", "role", "status", "decided_by", "decided_at"]
    raw_id_fields = ["cohort", "user", "decided_by"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Deleting the row would leave the person in the cohort's permission group.
        return False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "starts_at", "ends_at", "cancelled_at"]
    list_filter = ["cohort"]
    search_fields = ["title", "cohort__title"]
    list_select_related = ["cohort"]
    raw_id_fields = ["cohort"]
    date_hierarchy = "starts_at"


@admin.register(LearningGoal)
class LearningGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "status", "proposed_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "cohort__title"]
    list_select_related = ["cohort", "proposed_by"]
    raw_id_fields = ["cohort", "proposed_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "cohort", "role", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "cohort__title"]
    list_select_related = ["cohort"]
    exclude = ["token_hash"]
    readonly_fields = ["cohort", "email", "role", "invited_by", "accepted_by", "accepted_at"]
