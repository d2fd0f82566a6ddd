from django.contrib import admin
from django.urls import path
from django.views.generic import TemplateView
from rest_framework.response import Response
from rest_framework.views import APIView


class Hello(APIView):
    """A view of Django REST framework: its browsable API renders DRF's
    templates, with its static files."""

    def get(self, request):
        return Response({"hello": "world"})


urlpatterns = [
    path("", TemplateView.as_view(template_name="blog/post.html")),
    path("admin/", admin.site.urls),
    path("api/", Hello.as_view()),
]
