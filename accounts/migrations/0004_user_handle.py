"""@handles: a unique (case-insensitive), stable name per person for mentions.

Existing people get one in id order (first come, first served), from their name or else
their e-mail's local part, with a number added when it is taken, as new accounts do.
"""

import re

import django.db.models.functions.text
from django.db import migrations, models
from django.utils.text import slugify

import accounts.handles

# A copy of the rules in accounts/handles.py as they were when this migration was written,
# so later changes there cannot change what it does.
_HANDLE_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?")
_RESERVED = {
    "admin", "administrator", "all", "anonymous", "api", "channel", "cohort", "commonplace",
    "everyone", "facilitator", "facilitators", "help", "here", "me", "member", "members",
    "moderator", "moderators", "nobody", "none", "null", "official", "owner", "reviewer",
    "reviewers", "root", "security", "staff", "support", "system", "team", "undefined", "you",
}  # fmt: skip


def _usable(handle: str) -> bool:
    return (
        3 <= len(handle) <= 30
        and bool(_HANDLE_RE.fullmatch(handle))
        and (handle.lower() not in _RESERVED)
    )


def _base(name: str, email: str) -> str:
    for source in (name, email.split("@", 1)[0]):
        base = slugify(source).replace("_", "-")[:30].strip("-_")
        if base:
            return base
    return "member"


def assign_handles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken: set[str] = set()
    for user in User.objects.order_by("pk").only("pk", "name", "email"):
        base = _base(user.name, user.email)
        n = 1
        while True:
            suffix = "" if n == 1 else f"-{n}"
            candidate = base[: 30 - len(suffix)].rstrip("-_") + suffix
            n += 1
            if _usable(candidate) and candidate.lower() not in taken:
                break
        taken.add(candidate.lower())
        User.objects.filter(pk=user.pk).update(handle=candidate)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_notification_preferences"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="handle",
            field=models.CharField(
                default="",
                help_text=(
                    "What people type after @ to mention you: 3 to 30 letters, digits, “-” or "
                    "“_”. Yours alone; changing your name does not change it."
                ),
                max_length=30,
                validators=[accounts.handles.validate_handle],
            ),
            preserve_default=False,
        ),
        migrations.RunPython(assign_handles, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("handle"),
                name="accounts_user_handle_ci_unique",
                violation_error_message="That handle is taken; choose another.",
            ),
        ),
    ]
