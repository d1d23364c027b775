from __future__ import annotations

from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from competencies import selectors
from competencies.models import Area, Competency, Framework, FramingQuestion


class CompetencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Competency
        fields = ["code", "kind", "title"]


class AreaSerializer(serializers.ModelSerializer):
    competencies = CompetencySerializer(many=True, read_only=True)

    class Meta:
        model = Area
        fields = ["slug", "name", "summary", "submission", "competencies"]


class FramingQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = FramingQuestion
        fields = ["slug", "title", "prompt"]


class FrameworkSerializer(serializers.ModelSerializer):
    areas = AreaSerializer(many=True, read_only=True)
    framing_questions = FramingQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = [
            "slug",
            "name",
            "description",
            "version",
            "is_default",
            "levels",
            "framing_questions",
            "areas",
        ]


class CompetencyTreeView(generics.ListAPIView):
    """Every framework with its areas (credentials), competencies and framing questions.

    Public: the framework is published material.
    """

    serializer_class = FrameworkSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.frameworks_with_tree()
