from django.contrib import admin

from competencies.models import Area, Competency, Framework, FramingQuestion


class AreaInline(admin.TabularInline):
    model = Area
    fields = ("order", "slug", "name")
    extra = 0
    show_change_link = True


class FramingQuestionInline(admin.StackedInline):
    model = FramingQuestion
    fields = ("order", "slug", "title", "prompt")
    extra = 0


class CompetencyInline(admin.TabularInline):
    model = Competency
    fields = ("order", "code", "kind", "title")
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "version", "is_default")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [AreaInline, FramingQuestionInline]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "framework", "order")
    list_filter = ("framework",)
    inlines = [CompetencyInline]

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        for obj in formset.save(commit=False):
            if isinstance(obj, Competency):
                obj.framework_id = form.instance.framework_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "kind", "area")
    list_filter = ("framework", "area", "kind")
    search_fields = ("code", "title")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.framework_id = obj.area.framework_id
        super().save_model(request, obj, form, change)
