from django.apps import AppConfig


class FilesConfig(AppConfig):
    """Safe uploads in one place: type by content, size limit while streaming, images
    re-encoded, downloads only through a permission check the owning app registers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "files"
