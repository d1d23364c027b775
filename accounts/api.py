from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.handles import TAKEN as HANDLE_TAKEN
from accounts.handles import validate_handle
from accounts.models import PROFILE_FIELDS, User, time_zone_names
from accounts.roles import PlatformRole


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", *PROFILE_FIELDS, "roles"]
        read_only_fields = ["id", "email", "roles"]

    def get_roles(self, user: User) -> list[str]:
        names = set(user.groups.values_list("name", flat=True))
        return [role.value for role in PlatformRole if role.value in names]

    def validate_time_zone(self, value: str) -> str:
        if value not in time_zone_names():
            raise serializers.ValidationError(f"“{value}” is not a known time zone.")
        return value

    def validate_handle(self, value: str) -> str:
        value = value.strip().lstrip("@")
        try:
            validate_handle(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        if self.instance is not None and self.instance.handle_taken(value):
            raise serializers.ValidationError(HANDLE_TAKEN)
        return value

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("The name may not be blank.")
        return value.strip()


class MeView(APIView):
    """The signed-in user. PATCH changes profile fields."""

    serializer_class = MeSerializer

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.profile_update(user=request.user, **serializer.validated_data)
        return Response(MeSerializer(user).data)
