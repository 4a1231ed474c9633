"""Page-number pagination whose `page` parameter is validated and documented like every other one."""

from django.core.paginator import InvalidPage
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`?page=N`, N from 1: a malformed page is a 400, a page past the last one a 404."""

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        # ASCII digits only: int() would also take "١", "+3" and " 3 ".
        if not (raw.isascii() and raw.isdigit() and raw.lstrip("0")):
            raise ValidationError({self.page_query_param: [_("Give the page as a whole number from 1.")]})
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        try:
            # Past 18 digits no page can exist (and int() refuses numbers past 4,300 digits).
            if len(raw) > 18:
                raise InvalidPage
            self.page = paginator.page(int(raw))
        except InvalidPage as error:
            raise NotFound(_("There is no such page.")) from error
        self.request = request
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
