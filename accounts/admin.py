from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts.models import User


class CreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class ChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = ChangeForm
    add_form = CreationForm
    ordering = ("email",)
    list_display = ("email", "name", "institution", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("email", "name", "institution")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Profile",
            {
                "fields": (
                    "name",
                    "handle",
                    "pronouns",
                    "institution",
                    "position",
                    "time_zone",
                    "bio",
                    "identities",
                    "show_identities",
                )
            },
        ),
        (
            "Roles and access",
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups"),
                "description": "Platform roles (program staff, review board, training "
                "provider) are the groups of the same names.",
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )
    filter_horizontal = ("groups",)
