from django.contrib import admin

from o2o.community.models import Follow, Notification, Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "merchant", "kind", "created_at")
    ordering = ("-created_at",)
    list_filter = ("kind",)
    search_fields = ("title", "merchant__name")
    raw_id_fields = ("merchant", "author", "offering")


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("customer", "merchant", "email", "created_at")
    ordering = ("-created_at",)
    raw_id_fields = ("customer", "merchant")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "post", "read_at", "emailed_at")
    ordering = ("-created_at",)
    raw_id_fields = ("user", "post", "merchant")
