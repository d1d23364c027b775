"""(A) What the packets' REST API reads and answers (packets/api.py). Input serializers only
bound sizes and shapes; the rules are the services', so the API refuses what the pages
refuse, with the same messages and codes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from packets.models import SECTION_MAX, Packet, Section

SLUG_MAX = 64


def absolute(context: dict[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class SectionSerializer(serializers.ModelSerializer):
    """A written section. ``word_limit`` 0 means none; over it is allowed but flagged."""

    framing_question = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    word_limit = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Section
        fields = [
            "id",
            "kind",
            "framing_question",
            "title",
            "guidance",
            "body",
            "body_html",
            "word_count",
            "word_limit",
            "version",
            "order",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def get_word_limit(self, section: Section) -> int:
        limits = self.context.get("limits") or {}
        return int(limits.get(section.kind, 0))

    def get_url(self, section: Section) -> str:
        return absolute(self.context, section.get_absolute_url())


class PacketSerializer(serializers.ModelSerializer):
    """A packet in the list: its own fields, without sections."""

    area = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    period = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    shared_with = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    assessment = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    owner = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Packet
        fields = [
            "id",
            "owner",
            "area",
            "period",
            "status",
            "submitted_on",
            "shared_with",
            "assessment",
            "version",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def get_owner(self, packet: Packet) -> dict[str, Any]:
        return {"id": packet.owner_id, "name": packet.owner.display_name}

    def get_url(self, packet: Packet) -> str:
        return absolute(self.context, packet.get_absolute_url())


class PacketDetailSerializer(PacketSerializer):
    """A packet with its sections, in order."""

    sections = SectionSerializer(many=True, read_only=True)

    class Meta(PacketSerializer.Meta):
        fields = [*PacketSerializer.Meta.fields, "sections"]
        read_only_fields = fields


class PacketCreateSerializer(serializers.Serializer):
    area = serializers.SlugField(max_length=SLUG_MAX, help_text="A credential area's slug.")
    period = serializers.SlugField(
        max_length=SLUG_MAX,
        required=False,
        allow_null=True,
        help_text="An enrollment period's slug (null or left out: not decided yet).",
    )


class PacketEditSerializer(serializers.Serializer):
    """Fields left out keep their value; ``version`` is the one the change started from."""

    status = serializers.ChoiceField(choices=Packet.Status.choices, required=False)
    submitted_on = serializers.DateField(required=False, allow_null=True)
    shared_with = serializers.SlugField(
        max_length=SLUG_MAX,
        required=False,
        allow_null=True,
        help_text="Share with the facilitators of this cohort of yours (slug); null unshares.",
    )
    assessment = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="One of your self-assessments of the area (id); null shows the latest.",
    )
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class SectionEditSerializer(serializers.Serializer):
    body = serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=SECTION_MAX, help_text="Markdown."
    )
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
