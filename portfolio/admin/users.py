"""Users and groups keep Django's own admin pages, behind the same guards as the portfolio's."""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .guards import GuardedAdminMixin

User = get_user_model()

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(GuardedAdminMixin, auth_admin.UserAdmin):
    pass


@admin.register(Group)
class GroupAdmin(GuardedAdminMixin, auth_admin.GroupAdmin):
    pass
